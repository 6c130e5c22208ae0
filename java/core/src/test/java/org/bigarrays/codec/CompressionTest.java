package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.LibDeflate;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
    /** EM-like bytes: smooth noise, compressible but not trivially. */
    static byte[] emLike(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        int v = 512;
        for (int i = 0; i < n; i++) {
            v = Math.clamp(v + r.nextInt(9) - 4, 0, 1023);
            b[i] = (byte) (v >> 2); // a slow random walk: short runs and repeats, like smooth EM texture
        }
        return b;
    }

    private static MemorySegment offHeap(Arena a, byte[] b) {
        return a.allocate(Math.max(1, b.length)).asSlice(0, b.length).copyFrom(MemorySegment.ofArray(b));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTripHeapAndOffHeap(Compression c) {
        byte[] data = emLike(200_000, c.ordinal());
        for (boolean nativeIn : new boolean[] {false, true}) {
            for (boolean nativeOut : new boolean[] {false, true}) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment in = nativeIn ? offHeap(a, data) : MemorySegment.ofArray(data);
                    MemorySegment packed = c.compress(in);
                    assertEquals(c, Compression.detect(packed), "magic of " + c);
                    if (c != Compression.NONE) assertTrue(packed.byteSize() < data.length, c + " compresses EM-like data");
                    MemorySegment src = nativeIn ? offHeap(a, packed.toArray(ValueLayout.JAVA_BYTE)) : packed;
                    MemorySegment out = nativeOut ? a.allocate(data.length) : MemorySegment.ofArray(new byte[data.length]);
                    assertEquals(data.length, c.decompress(src, out, "k"));
                    assertArrayEquals(data, out.toArray(ValueLayout.JAVA_BYTE), c + " in " + nativeIn + " out " + nativeOut);
                }
            }
        }
    }

    @Property(tries = 40)
    void randomSizesRoundTrip(@ForAll @IntRange(min = 0, max = 70_000) int n, @ForAll long seed,
                              @ForAll @IntRange(min = 1, max = 3) int which) {
        Compression c = Compression.values()[which];
        byte[] data = emLike(n, seed);
        MemorySegment out = MemorySegment.ofArray(new byte[n]);
        assertEquals(n, c.decompress(c.compress(MemorySegment.ofArray(data)), out, "k"));
        assertArrayEquals(data, out.toArray(ValueLayout.JAVA_BYTE));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD", "LZ4"})
    void damagedOrTruncatedDataIsCorruptNamingTheKey(Compression c) {
        byte[] data = emLike(100_000, 7);
        byte[] packed = c.compress(MemorySegment.ofArray(data)).toArray(ValueLayout.JAVA_BYTE);
        byte[] truncated = java.util.Arrays.copyOf(packed, packed.length / 2);
        byte[] flipped = packed.clone();
        for (int i = 20; i < flipped.length - 20; i += 97) flipped[i] ^= 0x5a;
        for (byte[] bad : new byte[][] {truncated, flipped}) {
            MemorySegment out = MemorySegment.ofArray(new byte[data.length]);
            CorruptChunkException e = assertThrows(CorruptChunkException.class,
                    () -> c.decompress(MemorySegment.ofArray(bad), out, "1_1_1/0-64_0-64_0-64"), c.name());
            assertEquals("1_1_1/0-64_0-64_0-64", e.key());
        }
        // Output larger than the chunk: reported, never written past the buffer.
        MemorySegment small = MemorySegment.ofArray(new byte[data.length - 1]);
        assertThrows(CorruptChunkException.class, () -> c.decompress(MemorySegment.ofArray(packed), small, "k"), c.name());
    }

    @Test
    void libdeflateAndJavaGzipAgree() throws IOException {
        assumeFalse(NativeLibrary.LIBDEFLATE.disabledByConfiguration(), "libdeflate switched off (NativeSwitchTest checks that)");
        assertTrue(LibDeflate.available(), "libdeflate.so.0 is installed on this machine (Debian libdeflate0)");
        byte[] data = emLike(300_000, 3);
        MemorySegment viaLibdeflate = LibDeflate.compress(MemorySegment.ofArray(data));
        MemorySegment viaJava = Gzip.compress(MemorySegment.ofArray(data), 6);
        for (MemorySegment packed : new MemorySegment[] {viaLibdeflate, viaJava}) {
            MemorySegment a = MemorySegment.ofArray(new byte[data.length]);
            MemorySegment b = MemorySegment.ofArray(new byte[data.length]);
            assertEquals(data.length, LibDeflate.decompress(packed, a, "k"));
            assertEquals(data.length, Gzip.decompress(packed, b, "k"));
            assertArrayEquals(data, a.toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(data, b.toArray(ValueLayout.JAVA_BYTE));
        }
        // A stream from GZIPOutputStream (header with other flags) decodes on both paths too.
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(data);
        }
        MemorySegment a = MemorySegment.ofArray(new byte[data.length]);
        assertEquals(data.length, LibDeflate.decompress(MemorySegment.ofArray(bos.toByteArray()), a, "k"));
        assertArrayEquals(data, a.toArray(ValueLayout.JAVA_BYTE));
    }

    /** Native handles are shared through queues: many virtual threads at once get correct results. */
    @Test
    void concurrentUseFromVirtualThreads() throws Exception {
        byte[] data = emLike(50_000, 21);
        java.util.List<java.util.concurrent.Future<Boolean>> fs = new java.util.ArrayList<>();
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                Compression c = Compression.values()[1 + i % 3];
                fs.add(exec.submit(() -> {
                    MemorySegment out = MemorySegment.ofArray(new byte[data.length]);
                    c.decompress(c.compress(MemorySegment.ofArray(data)), out, "k");
                    return java.util.Arrays.equals(data, out.toArray(ValueLayout.JAVA_BYTE));
                }));
            }
            for (var f : fs) assertTrue(f.get());
        }
    }

    @Test
    void detectsByMagic() {
        assertEquals(Compression.GZIP, Compression.detect(MemorySegment.ofArray(new byte[] {0x1f, (byte) 0x8b, 8})));
        assertEquals(Compression.ZSTD, Compression.detect(MemorySegment.ofArray(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})));
        assertEquals(Compression.LZ4, Compression.detect(MemorySegment.ofArray(new byte[] {0x04, 0x22, 0x4d, 0x18})));
        assertEquals(Compression.NONE, Compression.detect(MemorySegment.ofArray(new byte[] {0x28, (byte) 0xb5, 0x2f})));
        assertEquals(Compression.ZSTD, Compression.of("zstd"));
        assertEquals(Compression.LZ4, Compression.of("LZ4"));
    }

    /** Bytes written by the command-line tools decode here (when the tools are installed). */
    @Test
    void commandLineToolOutputDecodes(@TempDir Path dir) throws Exception {
        byte[] data = emLike(150_000, 11);
        Path f = dir.resolve("chunk");
        Files.write(f, data);
        int checked = 0;
        for (String[] tool : new String[][] {{"gzip", "-k", "-f"}, {"zstd", "-q", "-f"}, {"lz4", "-q", "-m"}}) {
            String ext = tool[0].equals("gzip") ? ".gz" : tool[0].equals("zstd") ? ".zst" : ".lz4";
            try {
                Process p = new ProcessBuilder(tool[0], tool[1], tool[2], f.toString()).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    continue;
                }
                if (p.exitValue() != 0) continue;
            } catch (IOException notInstalled) {
                continue;
            }
            MemorySegment packed = MemorySegment.ofArray(Files.readAllBytes(Path.of(f + ext)));
            Compression c = Compression.detect(packed);
            assertEquals(tool[0], c.name().toLowerCase(java.util.Locale.ROOT));
            MemorySegment out = MemorySegment.ofArray(new byte[data.length]);
            assertEquals(data.length, c.decompress(packed, out, "k"));
            assertArrayEquals(data, out.toArray(ValueLayout.JAVA_BYTE));
            checked++;
        }
        assertTrue(checked >= 1, "gzip is always installed");
    }
}
