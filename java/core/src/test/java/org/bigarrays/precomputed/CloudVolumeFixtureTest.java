package org.bigarrays.precomputed;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bigarrays.Fixtures;
import org.bigarrays.MissingChunkException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.ReadResult;
import org.junit.jupiter.api.Test;

/**
 * CloudVolume's {@code test_seg_unsharded}: a compresso layer whose chunks are gzip files with a
 * {@code .gz} suffix. Opening must work, the chunks must be found, and a cutout decodes them (the
 * same voxels with any options; CompressoFixtureTest checks them against CloudVolume's bytes).
 */
class CloudVolumeFixtureTest {
    private static Path layer() {
        return Fixtures.path("cloud-volume/test_seg_unsharded");
    }

    @Test
    void opensAndDescribesTheLayer() {
        try (BigArray a = BigArray.open(layer().toString())) {
            assertEquals(DataType.UINT32, a.dataType());
            assertEquals("segmentation", a.info().type());
            assertEquals(3, a.info().scales().size());
            assertEquals("compresso", a.info().scale(2).encoding());
            assertEquals(Box.parse("0,0,0:256,256,512"), a.mip(2).bounds());
            assertEquals("mesh_mip_2_err_40", a.info().extra().text("mesh"));
        }
    }

    @Test
    void theDotGzChunksAreFound() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(layer().resolve("32_32_40"))) {
            files = s.sorted().toList();
        }
        assertEquals(8, files.size());
        try (BigArray a = BigArray.open(layer().toString()).mip(2)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Box chunk = ChunkKeys.parse(name);
                assertEquals(name, ArrayInternals.chunks(a).key(ArrayInternals.chunks(a).cellAt(chunk)) + ".gz");
                ReadResult r = ArrayInternals.chunks(a).fetch(ArrayInternals.chunks(a).cellAt(chunk));
                assertTrue(r.found(), name + " not found by fetch");
                assertEquals(Files.size(f), r.bytes().byteSize());
                assertEquals((byte) 0x1f, r.bytes().get(ValueLayout.JAVA_BYTE, 0));
                assertEquals((byte) 0x8b, r.bytes().get(ValueLayout.JAVA_BYTE, 1));
                // CloudFiles named it by its codec: inside the gzip is the compresso stream ("cpso").
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.toByteArray()))) {
                    assertEquals("cpso", new String(in.readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII), name);
                }
            }
            // Every cell of this scale has a chunk; a name that is not stored (in either form) is missing.
            assertFalse(ArrayInternals.chunks(a).store().read("0-1_0-1_0-1").found());
            assertFalse(ArrayInternals.chunks(a).store().read("0-1_0-1_0-1.gz").found());
        }
    }

    @Test
    void cutoutDecodesTheCompressoChunks() {
        try (BigArray a = BigArray.open(layer().toString()).mip(2)) {
            int[] first = null;
            for (Options o : List.of(Options.defaults(), Options.defaults().withThreads(1, 1), Options.defaults().withStrict(true))) {
                int[] v = a.withOptions(o).read(Box.parse("0,0,100:256,256,140")).toIntArray();
                if (first == null) first = v;
                else assertTrue(java.util.Arrays.equals(first, v), "the same voxels with " + o);
            }
            assertTrue(java.util.Arrays.stream(first).distinct().count() > 100, "a segmentation cutout has many labels");
            // The mip-0 scale has no chunks here: a strict read reports them missing, which is the truth.
            assertThrows(MissingChunkException.class, () -> BigArray.open(layer().toString(), Options.defaults().withStrict(true)).read(Box.parse("0,0,0:1,1,1")));
        }
    }
}
