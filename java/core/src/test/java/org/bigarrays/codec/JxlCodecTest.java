package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.Jxl;
import org.bigarrays.nativ.NativeLibrary;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jxl through libjxl 0.7: no Java twin, so these tests skip (saying why) where libjxl is not loaded. */
class JxlCodecTest {
    /** Skip when libjxl is missing or switched off; a loaded libjxl whose binding failed is a failure, not a skip. */
    private static void needLibjxl() {
        assumeTrue(NativeLibrary.LIBJXL.isLoaded(), "libjxl not loaded (" + NativeLibrary.LIBJXL.status() + "): jxl tests skipped; Debian: apt-get install libjxl-dev");
        assertTrue(Jxl.available(), Jxl.unavailableMessage());
    }

    /** EM-like: smooth membranes-and-cytoplasm texture plus noise, per channel. */
    static MemorySegment emLike(ChunkLayout l, long seed) {
        Random r = new Random(seed);
        MemorySegment s = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        long[] sh = l.shape();
        long i = 0;
        for (int c = 0; c < l.channels(); c++) {
            for (long z = 0; z < sh[2]; z++) {
                for (long y = 0; y < sh[1]; y++) {
                    for (long x = 0; x < sh[0]; x++, i++) {
                        double v = 140 + 50 * Math.sin(x / 6.0 + c) * Math.cos(y / 4.0 + z / 3.0) + 8 * r.nextGaussian();
                        s.set(ValueLayout.JAVA_BYTE, i, (byte) Math.clamp(Math.round(v), 0, 255));
                    }
                }
            }
        }
        return s;
    }

    private static MemorySegment decode(ArrayCodec codec, MemorySegment enc, ChunkLayout l) {
        MemorySegment back = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        codec.decode(enc, l, back, "k");
        return back;
    }

    private static double psnr(MemorySegment a, MemorySegment b) {
        double se = 0;
        for (long i = 0; i < a.byteSize(); i++) {
            int d = (a.get(ValueLayout.JAVA_BYTE, i) & 0xff) - (b.get(ValueLayout.JAVA_BYTE, i) & 0xff);
            se += d * d;
        }
        return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255 * a.byteSize() / se);
    }

    @Test
    void losslessIsExactForGrayAndRgbAndEdgeChunks() {
        needLibjxl();
        JxlCodec codec = JxlCodec.of(null, null);
        assertTrue(codec.lossless());
        long[][] shapes = {{64, 64, 16}, {33, 17, 5}, {1, 1, 1}, {7, 1, 3}, {1, 40, 2}};
        for (int c : new int[] {1, 3}) {
            for (long[] s : shapes) {
                ChunkLayout l = new ChunkLayout(s, c, DataType.UINT8);
                MemorySegment chunk = emLike(l, c * 31L + s[0]);
                MemorySegment back = decode(codec, codec.encode(chunk, l), l);
                assertEquals(-1, chunk.mismatch(back), c + " channels " + Arrays.toString(s));
                // Every byte value, including the extremes, survives (noise, not just smooth data).
                byte[] noise = new byte[(int) l.byteSize()];
                new Random(c).nextBytes(noise);
                MemorySegment n = MemorySegment.ofArray(noise);
                assertEquals(-1, n.mismatch(decode(codec, codec.encode(n, l), l)), "noise " + c + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void lossyStaysWithinPsnrBoundsAndShrinks() {
        needLibjxl();
        for (int c : new int[] {1, 3}) {
            ChunkLayout l = new ChunkLayout(new long[] {64, 64, 8}, c, DataType.UINT8);
            MemorySegment chunk = emLike(l, 7);
            long lossless = JxlCodec.of(100, null).encode(chunk, l).byteSize();
            for (int q : new int[] {95, 90, 75}) {
                JxlCodec codec = JxlCodec.of(q, null);
                assertFalse(codec.lossless());
                MemorySegment enc = codec.encode(chunk, l);
                double p = psnr(chunk, decode(codec, enc, l));
                // Bounds measured on this data with libjxl 0.7 less a margin; noise of sigma 8 caps what any codec keeps.
                double bound = q >= 90 ? 30 : 26;
                assertTrue(p >= bound, "q" + q + " x" + c + ": PSNR " + p + " dB < " + bound);
                assertTrue(p < Double.POSITIVE_INFINITY, "q" + q + " is lossy");
                assertTrue(enc.byteSize() < lossless, "q" + q + " x" + c + ": " + enc.byteSize() + " bytes, lossless " + lossless);
            }
        }
    }

    @Test
    void qualityMapsToCjxlDistance() {
        assertEquals(0f, JxlCodec.distance(100));
        assertEquals(1.0f, JxlCodec.distance(90), 1e-6);
        assertEquals(2.35f, JxlCodec.distance(75), 1e-5);
        assertEquals(25f, JxlCodec.distance(0));
        assertThrows(InvalidInputException.class, () -> JxlCodec.of(101, null));
        assertThrows(InvalidInputException.class, () -> JxlCodec.of(-1, null));
        assertThrows(InvalidInputException.class, () -> JxlCodec.of(90, 0));
        assertThrows(InvalidInputException.class, () -> JxlCodec.of(90, 10));
    }

    @Test
    void refusesTypesAndChannelsNeuroglancerCannotRead() {
        for (DataType t : new DataType[] {DataType.UINT16, DataType.UINT32, DataType.FLOAT32}) {
            assertThrows(InvalidInputException.class, () -> JxlCodec.of(null, null).check(new ChunkLayout(new long[] {4, 4, 4}, 1, t)), t.toString());
        }
        for (int c : new int[] {2, 4}) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> JxlCodec.of(null, null).check(new ChunkLayout(new long[] {4, 4, 4}, c, DataType.UINT8)));
            assertTrue(e.getMessage().contains("1 or 3 channels"), e.getMessage());
        }
    }

    @Test
    void anImageOfAnotherShapeIsRefusedNamingTheKey() {
        needLibjxl();
        JxlCodec codec = JxlCodec.of(null, null);
        ChunkLayout l = new ChunkLayout(new long[] {33, 17, 5}, 1, DataType.UINT8);
        MemorySegment enc = codec.encode(emLike(l, 1), l);
        MemorySegment big = MemorySegment.ofArray(new byte[33 * 17 * 6 * 3]);
        for (ChunkLayout other : new ChunkLayout[] {
                new ChunkLayout(new long[] {33, 17, 6}, 1, DataType.UINT8), // taller
                new ChunkLayout(new long[] {34, 17, 5}, 1, DataType.UINT8), // wider
                new ChunkLayout(new long[] {17, 33, 5}, 1, DataType.UINT8), // same pixel count, other shape
                new ChunkLayout(new long[] {33, 17, 5}, 3, DataType.UINT8)}) { // gray image read as RGB
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> codec.decode(enc, other, big, "1/0-33_0-17_0-5"), other.toString());
            assertEquals("1/0-33_0-17_0-5", e.key());
        }
        ChunkLayout rgb = new ChunkLayout(new long[] {33, 17, 5}, 3, DataType.UINT8);
        MemorySegment encRgb = codec.encode(emLike(rgb, 2), rgb);
        assertThrows(CorruptChunkException.class, () -> codec.decode(encRgb, l, big, "k"), "RGB image read as gray");
        // Bytes after the image are corruption, not padding.
        byte[] trailing = Arrays.copyOf(enc.toArray(ValueLayout.JAVA_BYTE), (int) enc.byteSize() + 1);
        assertThrows(CorruptChunkException.class, () -> codec.decode(MemorySegment.ofArray(trailing), l, big, "k"));
        // Not jxl at all.
        assertThrows(CorruptChunkException.class, () -> codec.decode(MemorySegment.ofArray(new byte[0]), l, big, "k"));
        assertThrows(CorruptChunkException.class, () -> codec.decode(MemorySegment.ofArray("not a jxl image".getBytes()), l, big, "k"));
    }

    @Test
    void damagedStreamsAreCorruptChunksNeverACrash() {
        needLibjxl();
        for (int c : new int[] {1, 3}) {
            for (int q : new int[] {100, 85}) {
                JxlCodec codec = JxlCodec.of(q, null);
                ChunkLayout l = new ChunkLayout(new long[] {40, 24, 4}, c, DataType.UINT8);
                byte[] good = codec.encode(emLike(l, q + c), l).toArray(ValueLayout.JAVA_BYTE);
                MemorySegment out = Arena.ofAuto().allocate(l.byteSize() + 64);
                // Every truncation is an error (a short stream never decodes to a whole image).
                for (int n = 0; n < good.length; n += Math.max(1, good.length / 97)) {
                    byte[] cut = Arrays.copyOf(good, n);
                    assertThrows(CorruptChunkException.class, () -> codec.decode(MemorySegment.ofArray(cut), l, out, "k"), "truncated to " + n);
                }
                // Flips and other mutations: CorruptChunkException, or (JPEG XL has no checksum) an image of
                // the right size; never another exception, never a write past the chunk.
                SplittableRandom r = new SplittableRandom(q * 7L + c);
                int corrupt = 0;
                for (int i = 0; i < 150; i++) {
                    byte[] bad = Mutator.mutate(good, r);
                    out.fill((byte) 0x5a);
                    try {
                        codec.decode(MemorySegment.ofArray(bad), l, out, "k");
                    } catch (CorruptChunkException e) {
                        corrupt++;
                        assertEquals("k", e.key());
                    }
                    for (long k = l.byteSize(); k < out.byteSize(); k++) assertEquals(0x5a, out.get(ValueLayout.JAVA_BYTE, k), "write past the chunk");
                }
                assertTrue(corrupt > 30, "only " + corrupt + " of 150 mutations detected");
            }
        }
    }

    @Test
    void aJxlLayerIsWrittenAndReadThroughBigArray(@TempDir Path dir) throws Exception {
        needLibjxl();
        Info info = EncodingSpec.of("jxl").applyTo(Info.builder(DataType.UINT8, new long[] {100, 90, 20}, new long[] {64, 64, 16}).build());
        assertEquals("jxl", info.scale(0).encoding());
        assertEquals(100, info.scale(0).jxlQuality()); // written, so CloudVolume (default 85) writes it lossless too
        assertTrue(info.toJson().contains("\"jxl_quality\":100") || info.toJson().contains("\"jxl_quality\" : 100"), info.toJson());
        Box all = Box.of(new long[] {0, 0, 0}, new long[] {100, 90, 20});
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {100, 90, 20, 1});
        MemorySegment src = emLike(new ChunkLayout(new long[] {100, 90, 20}, 1, DataType.UINT8), 3);
        MemorySegment.copy(src, 0, v.segment(), 0, src.byteSize());
        try (BigArray a = BigArray.create(dir.toString(), info)) {
            a.write(v); // edge chunks 36 x 26 x 4 included
        }
        try (BigArray a = BigArray.open(dir.toString())) {
            assertEquals("jxl", a.info().scale(0).encoding());
            NdView back = a.read(all);
            assertEquals(-1, v.segment().mismatch(back.segment()));
        }
        // A chunk file is a bare JPEG XL codestream (FF 0A), as Neuroglancer's decoder checks.
        try (var files = Files.walk(dir)) {
            Path chunk = files.filter(p -> p.getFileName().toString().equals("64-100_64-90_16-20")).findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(chunk);
            assertEquals((byte) 0xff, b[0]);
            assertEquals((byte) 0x0a, b[1]);
        }
    }

    @Test
    void withoutLibjxlTheErrorIsOneLineNamingIt() {
        assumeTrue(!Jxl.available(), "libjxl is loaded: the missing-library error is checked with BIGARRAYS_NATIVE=0");
        ChunkLayout l = new ChunkLayout(new long[] {8, 8, 2}, 1, DataType.UINT8);
        JxlCodec codec = JxlCodec.of(null, null);
        FormatException e = assertThrows(FormatException.class, () -> codec.encode(MemorySegment.ofArray(new byte[128]), l));
        assertTrue(e.getMessage().startsWith("jxl needs libjxl (Debian: libjxl-dev / libjxl0.7): "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertThrows(FormatException.class, () -> codec.decode(MemorySegment.ofArray(new byte[16]), l, MemorySegment.ofArray(new byte[128]), "k"));
    }
}
