package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/**
 * The Zarr driver's own behaviour, beside the driver contract: what it writes (dimension names,
 * shapes, codecs, OME-Zarr multiscales), what it reads that another writer made (a fill value,
 * a Fortran-order v2 array, channels in a chunk of their own), and the URL forms that name it.
 */
class ZarrFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger N = new AtomicInteger();

    private static String url() {
        return "mem://zarr-format-" + N.incrementAndGet() + "/layer";
    }

    private static JsonNode json(BigArray a, String key) throws Exception {
        KeyValueStore root = a.context().store(a.uri());
        try (ReadResult r = root.read(key)) {
            assertTrue(r.found(), key + " is stored");
            return JSON.readTree(r.toByteArray());
        }
    }

    private static NdView random(DataType t, Box box, long seed) {
        long[] min = box.min(), shape = box.shape();
        NdView v = NdView.allocate(java.lang.foreign.Arena.ofAuto(), t, new long[] {min[0], min[1], min[2], 0}, new long[] {shape[0], shape[1], shape[2], 1});
        byte[] b = new byte[(int) v.byteSize()];
        new Random(seed).nextBytes(b);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, v.segment(), 0, b.length);
        return v;
    }

    @Test
    void aZarr3ArrayIsWrittenWithDimensionNamesAndReopensByDetection() throws Exception {
        String url = url();
        Info info = Info.builder(DataType.UINT16, new long[] {100, 80, 30}, new long[] {32, 32, 16}).build();
        Box box = Box.of(new long[] {0, 0, 0}, new long[] {100, 80, 30});
        NdView data = random(DataType.UINT16, box, 1);
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("zarr3").withCompression(Compression.GZIP))) {
            assertEquals("zarr3", a.format());
            a.write(data);
            JsonNode z = json(a, "zarr.json");
            assertEquals("array", z.get("node_type").asText());
            assertEquals("[30,80,100]", z.get("shape").toString());
            assertEquals("[\"z\",\"y\",\"x\"]", z.get("dimension_names").toString());
            assertEquals("[16,32,32]", z.at("/chunk_grid/configuration/chunk_shape").toString());
            assertEquals("gzip", z.get("codecs").get(1).get("name").asText());
            assertTrue(a.context().store(a.uri()).exists("c/1/2/3"), "the chunk of z 1, y 2, x 3 under its default key");
        }
        try (BigArray b = BigArray.open(url)) {
            assertEquals("zarr3", b.format());
            var arena = java.lang.foreign.Arena.ofAuto();
            assertArrayEquals(data.toSegment(arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    b.read(box).toSegment(arena).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            Box inner = Box.of(new long[] {5, 7, 3}, new long[] {77, 61, 29});
            NdView part = b.read(inner);
            for (long z = 3; z < 29; z += 5) for (long y = 7; y < 61; y += 3) for (long x = 5; x < 77; x += 2) {
                assertEquals(data.getAsLong(x, y, z, 0), part.getAsLong(x, y, z, 0), "voxel " + x + "," + y + "," + z);
            }
        }
    }

    @Test
    void anOmeZarrPyramidListsItsLevelsAndEachIsAnArray() throws Exception {
        String url = url();
        Info info = Info.builder(DataType.UINT8, new long[] {64, 64, 16}, new long[] {16, 16, 16}).channels(2).resolution(4, 4, 40).mips(2).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("ome-zarr").withCompression(Compression.ZSTD))) {
            assertEquals("ome-zarr", a.format());
            JsonNode g = json(a, "zarr.json");
            assertEquals("group", g.get("node_type").asText());
            JsonNode ms = g.at("/attributes/ome/multiscales/0");
            assertEquals("0.5", g.at("/attributes/ome/version").asText());
            assertEquals(List.of("c", "z", "y", "x"), JSON.convertValue(ms.get("axes").findValuesAsText("name"), List.class));
            assertEquals(2, ms.get("datasets").size());
            for (JsonNode d : ms.get("datasets")) {
                JsonNode level = json(a, d.get("path").asText() + "/zarr.json");
                assertEquals("[\"c\",\"z\",\"y\",\"x\"]", level.get("dimension_names").toString());
                assertEquals(2, level.get("shape").get(0).asInt());
            }
            assertEquals("[1,40,4,4]", ms.at("/datasets/0/coordinateTransformations/0/scale").toString());
        }
        try (BigArray b = BigArray.open(url)) {
            assertEquals("ome-zarr", b.format());
            assertEquals(2, b.info().scales().size());
            assertEquals(2, b.channels());
            assertArrayEquals(new double[] {4, 4, 40}, b.info().scale(0).resolution());
            assertArrayEquals(new long[] {32, 32, 16}, b.info().scale(1).size());
        }
    }

    private static void put(KeyValueStore root, String key, String text) {
        root.write(key, MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void missingChunksReadAsTheStoredFillValue() {
        String url = url();
        try (var ctx = BigArraysContext.create()) {
            KeyValueStore root = ctx.store(KeyValueStores.toUri(url));
            put(root, "zarr.json", """
                    {"zarr_format": 3, "node_type": "array", "shape": [4, 6, 10], "data_type": "int16",
                     "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3, 5]}},
                     "chunk_key_encoding": {"name": "default", "configuration": {"separator": "."}},
                     "fill_value": -7, "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}]}""");
            // One big-endian chunk at z 1, y 0, x 1 holding 0..29.
            ByteBuffer chunk = ByteBuffer.allocate(2 * 30).order(ByteOrder.BIG_ENDIAN);
            for (short i = 0; i < 30; i++) chunk.putShort(i);
            root.write("c.1.0.1", MemorySegment.ofArray(chunk.array()));
            try (BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
                NdView v = a.read(a.bounds());
                assertEquals(-7, v.getAsLong(0, 0, 0, 0));
                // x 5..9, y 0..2, z 2..3: value = x' + 5 (y' + 3 z') with primes within the chunk.
                assertEquals(0, v.getAsLong(5, 0, 2, 0));
                assertEquals(1 + 5 * (2 + 3), v.getAsLong(6, 2, 3, 0));
                assertEquals(-7, v.getAsLong(4, 2, 3, 0));
            }
        }
    }

    @Test
    void aFortranOrderV2ArrayReadsWithItsAxesMapped() {
        String url = url();
        try (var ctx = BigArraysContext.create()) {
            KeyValueStore root = ctx.store(KeyValueStores.toUri(url));
            put(root, ".zarray", """
                    {"zarr_format": 2, "shape": [3, 4], "chunks": [3, 4], "dtype": "<u2", "compressor": null,
                     "fill_value": 0, "order": "F", "filters": null}""");
            // (y, x) of 3 x 4 in Fortran order: y fastest; value = 10 y + x.
            ByteBuffer chunk = ByteBuffer.allocate(2 * 12).order(ByteOrder.LITTLE_ENDIAN);
            for (int x = 0; x < 4; x++) for (int y = 0; y < 3; y++) chunk.putShort((short) (10 * y + x));
            root.write("0.0", MemorySegment.ofArray(chunk.array()));
            try (BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
                assertEquals("zarr2", a.format());
                assertArrayEquals(new long[] {4, 3, 1}, a.bounds().shape());
                NdView v = a.read(a.bounds());
                for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) assertEquals(10 * y + x, v.getAsLong(x, y, 0, 0));
                assertThrows(InvalidInputException.class, () -> a.write(v), "v2 arrays are read only");
            }
        }
    }

    @Test
    void channelsSplitAcrossChunksReadAndWriteTogether() {
        String url = url();
        try (var ctx = BigArraysContext.create()) {
            KeyValueStore root = ctx.store(KeyValueStores.toUri(url));
            // 3 channels, one per chunk (OME-Zarr writers' usual layout), x and y in 2 chunks each.
            put(root, "zarr.json", """
                    {"zarr_format": 3, "node_type": "array", "shape": [3, 4, 8, 8], "data_type": "uint8",
                     "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, 4, 4, 4]}},
                     "chunk_key_encoding": {"name": "default"}, "fill_value": 9,
                     "dimension_names": ["c", "z", "y", "x"], "codecs": [{"name": "bytes"}]}""");
            // Channel c of chunk (y 1, x 0) holds 10 c + its index in the chunk; channel 2 there is left missing.
            for (int c = 0; c < 2; c++) {
                byte[] b = new byte[64];
                for (int i = 0; i < 64; i++) b[i] = (byte) (10 * c + i);
                root.write("c/" + c + "/0/1/0", MemorySegment.ofArray(b));
            }
            try (BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
                assertEquals(3, a.channels());
                NdView v = a.read(a.bounds());
                // x 1, y 5 (1 in the chunk), z 2: index 1 + 4 (1 + 4 * 2) = 37.
                assertEquals(37, v.getAsLong(1, 5, 2, 0));
                assertEquals(47, v.getAsLong(1, 5, 2, 1));
                assertEquals(9, v.getAsLong(1, 5, 2, 2), "a missing channel chunk reads as the fill value");
                assertEquals(9, v.getAsLong(5, 5, 2, 0), "a missing chunk reads as the fill value");
                // Write a box over all four chunks of z 0..3: every channel chunk is written, each under its own key.
                NdView w = NdView.allocate(java.lang.foreign.Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {8, 8, 4, 3});
                for (int c = 0; c < 3; c++) for (int z = 0; z < 4; z++) for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) {
                    w.set(new long[] {x, y, z, c}, (c * 50 + z * 8 + y + x) & 0xff);
                }
                a.write(w);
                for (int c = 0; c < 3; c++) assertTrue(root.exists("c/" + c + "/0/1/1"), "channel chunk " + c + " stored");
                NdView back = a.read(a.bounds());
                for (int c = 0; c < 3; c++) for (int z = 0; z < 4; z++) for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) {
                    assertEquals((c * 50 + z * 8 + y + x) & 0xff, back.getAsLong(x, y, z, c));
                }
            }
        }
    }

    @Test
    void zarrUrlFormsNameTheFormat() {
        String url = url();
        Info info = Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {8, 8, 8}).build();
        BigArray.create("zarr3://" + url, info).close();
        for (String form : List.of(url, "zarr3://" + url, "zarr://" + url, url + "|zarr3:", "zarr3://" + url + "/")) {
            try (BigArray a = BigArray.open(form)) {
                assertEquals("zarr3", a.format(), form);
            }
        }
        InvalidInputException exists = assertThrows(InvalidInputException.class, () -> BigArray.create(url, info));
        assertTrue(exists.getMessage().contains("zarr.json"), exists.getMessage());
        assertNotNull(KeyValueStores.toUri("zarr3://" + url));
    }

    @Test
    void aJobRefusesADestinationThatHoldsAZarrLayer() {
        String src = url(), dst = url();
        Info info = Info.builder(DataType.UINT8, new long[] {16, 16, 8}, new long[] {8, 8, 8}).build();
        try (BigArray s = BigArray.create(src, info)) {
            s.write(random(DataType.UINT8, s.bounds(), 3));
        }
        BigArray.create(dst, info, Options.defaults().withFormat("zarr3")).close();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Transcode.run(src, dst, null, Options.defaults().withFormat("zarr3")));
        assertTrue(e.getMessage().contains("found its zarr.json"), e.getMessage());
    }

    @Test
    void aLoneArraysVoxelSizeTravelsAsDimensionUnits() throws Exception {
        String url = url();
        Info info = Info.builder(DataType.UINT8, new long[] {16, 16, 8}, new long[] {8, 8, 8}).resolution(4, 4.5, 40).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("zarr3"))) {
            assertEquals("[\"40 nm\",\"4.5 nm\",\"4 nm\"]", json(a, "zarr.json").at("/attributes/dimension_units").toString());
        }
        // Another writer's array: the units TensorStore and Neuroglancer write, in any length unit.
        String other = url();
        try (var ctx = BigArraysContext.create()) {
            KeyValueStore root = ctx.store(KeyValueStores.toUri(other));
            put(root, "zarr.json", """
                    {"zarr_format": 3, "node_type": "array", "shape": [2, 3, 4], "data_type": "uint8",
                     "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 3, 4]}},
                     "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": [{"name": "bytes"}],
                     "attributes": {"dimension_units": ["40 nm", "0.5 um", "8 nm"]}}""");
            try (BigArray a = BigArray.open(other, Options.defaults(), ctx)) {
                assertArrayEquals(new double[] {8, 500, 40}, a.info().scale(0).resolution(), 1e-9);
            }
        }
    }
}
