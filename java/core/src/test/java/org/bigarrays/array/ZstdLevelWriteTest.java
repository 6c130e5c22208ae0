package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Options#withZstdLevel} on the write path: a layer written at level 19 stores fewer bytes
 * than at level 1 and both read back the same voxels, through a write, a transcode and the
 * BigArrays.jl {@code zstd} encoding. Runs through libzstd, and through zstd-jni with
 * {@code BIGARRAYS_NATIVE=0}.
 */
class ZstdLevelWriteTest {
    private static final long[] SIZE = {128, 128, 64};
    private static final long[] CHUNK = {64, 64, 64};

    @TempDir
    Path tmp;

    /** EM-like uint8: a slow random walk (short runs and repeats, like smooth EM texture), where zstd's levels differ. */
    private static NdView emLike() {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
        Random r = new Random(7);
        byte[] b = new byte[(int) (SIZE[0] * SIZE[1] * SIZE[2])];
        int w = 512;
        for (int i = 0; i < b.length; i++) {
            w = Math.clamp(w + r.nextInt(9) - 4, 0, 1023);
            b[i] = (byte) (w >> 2);
        }
        v.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(b));
        return v;
    }

    /** Bytes of the chunks stored under {@code dir} (the info file left out). */
    private static long chunkBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("info")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private long writeAt(String name, String encoding, NdView v, int level) throws IOException {
        Path dir = tmp.resolve(name);
        Info info = Info.builder(DataType.UINT8, SIZE, CHUNK).encoding(encoding).build();
        try (BigArray a = BigArray.create(dir.toString(), info)) {
            Compression c = encoding.equals("raw") ? Compression.ZSTD : Compression.NONE;
            a.withOptions(a.options().withCompression(c).withZstdLevel(level)).write(v);
        }
        assertSameVoxels(dir, v);
        return chunkBytes(dir);
    }

    private static void assertSameVoxels(Path dir, NdView v) {
        try (BigArray b = BigArray.open(dir.toString())) {
            assertEquals(-1, v.segment().mismatch(b.read(Box.of(new long[] {0, 0, 0}, SIZE)).segment()), dir + " reads back what was written");
        }
    }

    @Test
    void level19StoresLessThanLevel1AndBothReadBackTheSameVoxels() throws IOException {
        NdView v = emLike();
        long fast = writeAt("l1", "raw", v, 1);
        long strong = writeAt("l19", "raw", v, 19);
        long dflt = writeAt("l3", "raw", v, 3);
        assertTrue(strong < dflt && dflt < fast, "transport zstd: level 19 " + strong + " < level 3 " + dflt + " < level 1 " + fast + " bytes");
        assertTrue(fast < v.segment().byteSize(), "level 1 still compresses: " + fast);
    }

    @Test
    void theBigArraysJlZstdEncodingHonoursTheLevel() throws IOException {
        NdView v = emLike();
        long fast = writeAt("jl1", "zstd", v, 1);
        long strong = writeAt("jl19", "zstd", v, 19);
        assertTrue(strong < fast, "BigArrays.jl zstd: level 19 " + strong + " < level 1 " + fast + " bytes");
    }

    @Test
    void transcodeWritesAtTheLevel() throws IOException {
        NdView v = emLike();
        Path src = tmp.resolve("src");
        try (BigArray a = BigArray.create(src.toString(), Info.builder(DataType.UINT8, SIZE, CHUNK).build())) {
            a.write(v);
        }
        Path fast = tmp.resolve("t1"), strong = tmp.resolve("t19");
        Transcode.run(src.toString(), fast.toString(), EncodingSpec.of("raw"), Options.defaults().withCompression(Compression.ZSTD).withZstdLevel(1));
        Transcode.run(src.toString(), strong.toString(), EncodingSpec.of("raw"), Options.defaults().withCompression(Compression.ZSTD).withZstdLevel(19));
        assertSameVoxels(fast, v);
        assertSameVoxels(strong, v);
        assertTrue(chunkBytes(strong) < chunkBytes(fast), "transcode: level 19 " + chunkBytes(strong) + " < level 1 " + chunkBytes(fast));
    }

    @Test
    void aLevelOutsideZstdsRangeIsRefusedNamingItAndTheRange() {
        for (int bad : new int[] {23, -131073}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Options.defaults().withZstdLevel(bad));
            assertTrue(e.getMessage().startsWith("zstd level " + bad + ": expected -131072 to 22"), e.getMessage());
        }
        assertEquals(3, Options.defaults().zstdLevel(), "default: zstd's level 3, as before the option");
        assertEquals(22, Options.defaults().withZstdLevel(22).zstdLevel());
    }
}
