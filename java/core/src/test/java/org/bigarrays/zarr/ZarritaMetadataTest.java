package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.resource;
import static org.bigarrays.zarr.Errors.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/**
 * Metadata written by zarrita, an independent implementation (resources/zarr/zarrita, see its
 * README): read as zarrita meant it, and our own writing of it reads back the same.
 */
class ZarritaMetadataTest {
    static ZarrArrayMetadata array(String name) {
        ZarrArrayMetadata m = ZarrArrayMetadata.parse(resource("zarrita/" + name), name);
        assertEquals(m, ZarrArrayMetadata.parse(utf8(m.toJson()), "rewritten " + name));
        assertEquals(Json.readObject(resource("zarrita/" + name), name), Json.readObject(utf8(m.toJson()), name), "zarrita's document is canonical");
        return m;
    }

    @Test
    void shardedArray() {
        ZarrArrayMetadata m = array("sharded_end_u2.json");
        assertArrayEquals(new long[] {45, 33, 20}, m.shape());
        assertEquals(DataType.UINT16, m.dataType());
        assertArrayEquals(new long[] {32, 32, 16}, m.chunkShape(), "the shard shape");
        assertEquals("sharding_indexed", m.codecs().getFirst().get("name").asText());
        assertEquals("end", m.codecs().getFirst().at("/configuration/index_location").asText());
        assertEquals("c/1/0/1", m.chunkKey(new long[] {1, 0, 1}));
        AxisMapping a = AxisMapping.of(m.shape(), m.dimensionNames(), "sharded_end_u2");
        assertArrayEquals(new long[] {20, 33, 45, 1}, a.librarySize());
        assertTrue(a.isLibraryLayout(m.chunkShape()));
    }

    @Test
    void fillValuesAndKeyEncodings() {
        ZarrArrayMetadata nan = array("f4_zstd_nan_v2slash.json");
        assertEquals(0x7fc00000L, nan.fillValue().bits());
        assertEquals("1/0/2", nan.chunkKey(new long[] {1, 0, 2}));
        ZarrArrayMetadata neg = array("i2_transpose_gzip.json");
        assertEquals(0xfffdL, neg.fillValue().bits(), "-3 as int16");
        assertEquals("transpose", neg.codecs().getFirst().get("name").asText());
        ZarrArrayMetadata dots = array("u2_be_zstd_dotkeys.json");
        assertEquals(7, dots.fillValue().bits());
        assertEquals("c.2.0.1", dots.chunkKey(new long[] {2, 0, 1}));
        assertEquals("big", dots.codecs().getFirst().at("/configuration/endian").asText());
    }

    @Test
    void omeZarrImage() {
        ZarrGroupMetadata g = ZarrGroupMetadata.parse(resource("zarrita/ome-group.json"), "ome");
        Multiscales.Multiscale m = Multiscales.fromAttributes(g.attributes(), "ome").images().getFirst();
        assertEquals("peer-image", m.name());
        ZarrArrayMetadata level1 = array("ome-level1.json");
        AxisMapping a = m.axisMapping(level1.shape(), "ome");
        assertEquals(List.of("c", "z", "y", "x"), level1.dimensionNames());
        assertArrayEquals(new long[] {17, 23, 20, 2}, a.librarySize());
        List<OmeLevel> levels = m.levels(a);
        assertEquals(List.of("0", "1"), levels.stream().map(OmeLevel::path).toList());
        // scale (1, 1.5, 0.5, 0.5) µm, translation (0, 10, 20, 30) µm.
        assertArrayEquals(new double[] {500, 500, 1500}, levels.get(0).resolution());
        assertArrayEquals(new long[] {60, 40, 0}, levels.get(0).voxelOffset());
        assertArrayEquals(new double[] {0, 0, 10 / 1.5}, levels.get(0).fractionalOffset());
        assertArrayEquals(new double[] {1000, 1000, 1500}, levels.get(1).resolution());
        assertArrayEquals(new long[] {30, 20, 0}, levels.get(1).voxelOffset());
    }
}
