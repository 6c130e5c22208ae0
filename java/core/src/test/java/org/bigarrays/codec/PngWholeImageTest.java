package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.bigarrays.nativ.Spng;
import org.junit.jupiter.api.Test;

/**
 * The whole-image png read (IDATs inflated at once, rows unfiltered into the chunk): libbigarrays'
 * {@code ba_png_decode_libdeflate} ({@link Spng#decodeWhole}) and its pure-Java twin {@link PngRows}
 * give the chunk voxel for voxel, as libspng and ImageIO do, on pngs from libspng's encoder (Sub,
 * Up), ImageIO's writer (its own filter choice) and hand-made ones whose rows take every filter
 * type at random, cut into IDATs of random sizes; 1–4 channels, 8 and 16 bits, odd widths. Damage
 * (a filter type past 4, a row too few or too many, bytes after the zlib stream, zlib garbage,
 * truncation) is a one-line {@link CorruptChunkException} naming the chunk, and leaves the output as it was.
 */
class PngWholeImageTest {
    private static final String KEY = "2/0-7_0-5_0-3";

    @Test
    void theWholeImagePathIsOnWhereLibdeflateIsInstalled() {
        boolean off = System.getenv("BIGARRAYS_NATIVE_LIBDEFLATE") != null || System.getProperty("bigarrays.native.libdeflate") != null
                || System.getenv("BIGARRAYS_NATIVE_LIBSPNG") != null || System.getProperty("bigarrays.native.libspng") != null;
        if (Spng.available() && !off) assertTrue(Spng.wholeAvailable(), "libdeflate0 is a dependency of this build: " + Spng.status());
        if (!Spng.available()) assertFalse(Spng.wholeAvailable());
    }

    @Test
    void everyDecoderGivesTheChunkOnEveryEncodersPngs() {
        Random r = new Random(5);
        for (DataType t : new DataType[] {DataType.UINT8, DataType.UINT16}) {
            for (int c = 1; c <= 4; c++) {
                for (long[] shape : new long[][] {{64, 8, 3}, {7, 5, 3}, {1, 1, 1}, {301, 1, 2}}) {
                    ChunkLayout l = new ChunkLayout(shape, c, t);
                    for (boolean noise : new boolean[] {false, true}) {
                        MemorySegment chunk = data(l, r, noise);
                        String what = t + " x" + c + " " + Arrays.toString(shape) + (noise ? " noise" : " smooth");
                        MemorySegment[] pngs = {handMade(chunk, l, r, Damage.NONE), PngCodec.of(6).javaOnly().encode(chunk, l),
                                Spng.available() ? PngCodec.of(6).encode(chunk, l) : handMade(chunk, l, r, Damage.NONE)};
                        for (MemorySegment png : pngs) {
                            assertEquals(-1, chunk.mismatch(decodeJava(png, l)), "PngRows, " + what);
                            assertEquals(-1, chunk.mismatch(codec(PngCodec.of(6).javaOnly(), png, l)), "ImageIO, " + what);
                            if (Spng.wholeAvailable()) {
                                assertEquals(-1, chunk.mismatch(decodeNative(png, l)), "ba_png_decode_libdeflate, " + what);
                                MemorySegment bySpng = Arena.ofAuto().allocate(l.byteSize());
                                Spng.decodeLibspng(png, ImagePlanes.width(l), ImagePlanes.height(l), c, 8 * t.size(), false, bySpng, KEY);
                                assertEquals(-1, chunk.mismatch(bySpng), "libspng, " + what);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theHandMadeRowsUseEveryFilterType() {
        ChunkLayout l = new ChunkLayout(new long[] {9, 10, 4}, 3, DataType.UINT8);
        Random r = new Random(1);
        byte[] raw = inflate(handMade(data(l, r, true), l, r, Damage.NONE));
        boolean[] seen = new boolean[5];
        for (int y = 0, row = 1 + 9 * 3; y < 40; y++) seen[raw[y * row]] = true;
        for (int f = 0; f < 5; f++) assertTrue(seen[f], "filter type " + f);
    }

    @Test
    void damageIsAOneLineCorruptChunkAndLeavesTheOutputAlone() {
        Random r = new Random(9);
        for (DataType t : new DataType[] {DataType.UINT8, DataType.UINT16}) {
            ChunkLayout l = new ChunkLayout(new long[] {7, 5, 3}, 2, t);
            MemorySegment chunk = data(l, r, true);
            for (Damage d : Damage.values()) {
                if (d == Damage.NONE) continue;
                MemorySegment png = handMade(chunk, l, r, d);
                expectCorrupt(png, l, t + " " + d);
            }
            byte[] good = handMade(chunk, l, r, Damage.NONE).toArray(ValueLayout.JAVA_BYTE);
            for (int n = 0; n < good.length; n += 1 + n / 16) expectCorrupt(MemorySegment.ofArray(Arrays.copyOf(good, n)), l, t + " cut at " + n);
            expectCorrupt(MemorySegment.ofArray(Arrays.copyOf(good, good.length + 1)), l, t + " a byte after IEND");
        }
    }

    /** Random damage with the CRCs made right again (what the header scan cannot see): some image or a corrupt chunk, on both. */
    @Test
    void damageBehindGoodCrcsIsSeenOrHarmless() {
        Random r = new Random(17);
        ChunkLayout l = new ChunkLayout(new long[] {16, 4, 4}, 1, DataType.UINT8);
        byte[] good = handMade(data(l, r, true), l, r, Damage.NONE).toArray(ValueLayout.JAVA_BYTE);
        int corrupt = 0;
        for (int k = 0; k < 300; k++) {
            byte[] bad = good.clone();
            for (int j = 1 + r.nextInt(3); j > 0; j--) bad[41 + r.nextInt(bad.length - 41 - 12)] ^= (byte) (1 + r.nextInt(255));
            fixCrcs(bad);
            MemorySegment png = MemorySegment.ofArray(bad);
            byte[] java = null, nat = null;
            try {
                java = decodeJava(png, l).toArray(ValueLayout.JAVA_BYTE);
            } catch (CorruptChunkException e) {
                assertOneLine(e);
                corrupt++;
            }
            if (Spng.wholeAvailable()) {
                try {
                    nat = decodeNative(png, l).toArray(ValueLayout.JAVA_BYTE);
                } catch (CorruptChunkException e) {
                    assertOneLine(e);
                }
                assertEquals(java == null, nat == null, "the twins disagree on damage " + k);
                if (java != null) assertTrue(Arrays.equals(java, nat), "the twins decode damage " + k + " differently");
            }
        }
        assertTrue(corrupt > 100, "most damage is seen: " + corrupt);
    }

    @Test
    void interlacedImagesAreLeftToLibspngAndImageIo() {
        ChunkLayout l = new ChunkLayout(new long[] {5, 4, 1}, 1, DataType.UINT8);
        byte[] png = handMade(data(l, new Random(2), true), l, new Random(2), Damage.NONE).toArray(ValueLayout.JAVA_BYTE);
        png[28] = 1;
        fixCrcs(png);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        assertThrows(IllegalArgumentException.class, () -> PngRows.decode(MemorySegment.ofArray(png), 5, 4, 1, 8, out, KEY));
        if (Spng.wholeAvailable()) assertThrows(IllegalArgumentException.class, () -> Spng.decodeWhole(MemorySegment.ofArray(png), 5, 4, 1, 8, out, KEY));
    }

    private static void expectCorrupt(MemorySegment png, ChunkLayout l, String what) {
        int w = ImagePlanes.width(l), h = ImagePlanes.height(l), c = l.channels(), depth = 8 * l.dataType().size();
        MemorySegment out = Arena.ofAuto().allocate(l.byteSize());
        out.fill((byte) 0x3C);
        assertOneLine(assertThrows(CorruptChunkException.class, () -> PngRows.decode(png, w, h, c, depth, out, KEY), "PngRows, " + what));
        if (Spng.wholeAvailable()) {
            assertOneLine(assertThrows(CorruptChunkException.class, () -> Spng.decodeWhole(png, w, h, c, depth, out, KEY), "native, " + what));
        }
        for (long i = 0; i < out.byteSize(); i++) assertEquals(0x3C, out.get(ValueLayout.JAVA_BYTE, i), what + ": the output was written");
    }

    private static void assertOneLine(CorruptChunkException e) {
        assertTrue(e.getMessage().contains(KEY) && !e.getMessage().contains("\n"), e.getMessage());
    }

    private static MemorySegment decodeJava(MemorySegment png, ChunkLayout l) {
        MemorySegment out = Arena.ofAuto().allocate(l.byteSize());
        PngRows.decode(png, ImagePlanes.width(l), ImagePlanes.height(l), l.channels(), 8 * l.dataType().size(), out, KEY);
        return out;
    }

    private static MemorySegment decodeNative(MemorySegment png, ChunkLayout l) {
        MemorySegment out = Arena.ofAuto().allocate(l.byteSize() + 8); // off-heap and larger: nothing past the chunk changes
        out.fill((byte) 0x5A);
        Spng.decodeWhole(png, ImagePlanes.width(l), ImagePlanes.height(l), l.channels(), 8 * l.dataType().size(), out.asSlice(0, l.byteSize()), KEY);
        for (long i = l.byteSize(); i < out.byteSize(); i++) assertEquals(0x5A, out.get(ValueLayout.JAVA_BYTE, i), "byte past the chunk");
        return out.asSlice(0, l.byteSize());
    }

    private static MemorySegment codec(PngCodec codec, MemorySegment png, ChunkLayout l) {
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        codec.decode(png, l, out, KEY);
        return out;
    }

    private static MemorySegment data(ChunkLayout l, Random r, boolean noise) {
        byte[] b = new byte[(int) l.byteSize()];
        if (noise) {
            r.nextBytes(b);
        } else {
            for (int i = 0; i < b.length; i++) b[i] = (byte) ((i / 3 + (i >> 7)) ^ r.nextInt(3));
        }
        return MemorySegment.ofArray(b);
    }

    private enum Damage { NONE, FILTER_TYPE_5, ROW_SHORT, ROW_LONG, BYTES_AFTER_STREAM, ZLIB_GARBAGE, NO_IDAT }

    /** The chunk as a png whose rows take a random filter type each, in IDATs of random sizes, damaged as asked. */
    private static MemorySegment handMade(MemorySegment chunk, ChunkLayout l, Random r, Damage damage) {
        int w = ImagePlanes.width(l), h = ImagePlanes.height(l), c = l.channels(), bps = l.dataType().size(), bpp = c * bps, rb = w * bpp;
        long plane = (long) w * h * bps;
        int rows = h + (damage == Damage.ROW_SHORT ? -1 : damage == Damage.ROW_LONG ? 1 : 0);
        byte[] img = new byte[(h + 1) * rb]; // interleaved, big-endian samples; a zero row past the image for ROW_LONG
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    long s = k * plane + ((long) y * w + x) * bps;
                    int d = y * rb + x * bpp + k * bps;
                    if (bps == 1) {
                        img[d] = chunk.get(ValueLayout.JAVA_BYTE, s);
                    } else {
                        short v = chunk.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), s);
                        img[d] = (byte) (v >> 8);
                        img[d + 1] = (byte) v;
                    }
                }
            }
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int badRow = damage == Damage.FILTER_TYPE_5 ? r.nextInt(h) : -1;
        for (int y = 0; y < rows; y++) {
            int f = r.nextInt(5);
            raw.write(y == badRow ? 5 : f);
            for (int i = 0; i < rb; i++) {
                int a = i >= bpp ? img[y * rb + i - bpp] & 0xff : 0, b = y > 0 ? img[(y - 1) * rb + i] & 0xff : 0;
                int cc = y > 0 && i >= bpp ? img[(y - 1) * rb + i - bpp] & 0xff : 0;
                int pred = switch (f) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >> 1;
                    default -> paeth(a, b, cc);
                };
                raw.write(img[y * rb + i] - pred);
            }
        }
        Deflater deflater = new Deflater(r.nextInt(10));
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!deflater.finished()) z.write(buf, 0, deflater.deflate(buf));
        deflater.end();
        byte[] zlib = z.toByteArray();
        if (damage == Damage.BYTES_AFTER_STREAM) zlib = Arrays.copyOf(zlib, zlib.length + 2);
        if (damage == Damage.ZLIB_GARBAGE) for (int i = 2; i < zlib.length; i++) zlib[i] = (byte) r.nextInt(256);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        int colorType = new int[] {0, 4, 2, 6}[c - 1];
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) (8 * bps)).put((byte) colorType).put(new byte[3]).array());
        for (int i = 0; i < zlib.length && damage != Damage.NO_IDAT;) {
            int m = r.nextInt(3) == 0 ? zlib.length - i : r.nextInt(zlib.length - i + 1);
            chunk(png, "IDAT", Arrays.copyOfRange(zlib, i, i + m));
            i += m;
        }
        chunk(png, "IEND", new byte[0]);
        return MemorySegment.ofArray(png.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 4, 4 + data.length);
        png.writeBytes(b.putInt((int) crc.getValue()).array());
    }

    /** Recompute every chunk's CRC (the chunk walk stops at the end or at a length past it). */
    private static void fixCrcs(byte[] png) {
        ByteBuffer b = ByteBuffer.wrap(png);
        for (int p = 8; p + 12 <= png.length;) {
            int len = b.getInt(p);
            if (len < 0 || p + 12L + len > png.length) return;
            CRC32 crc = new CRC32();
            crc.update(png, p + 4, 4 + len);
            b.putInt(p + 8 + len, (int) crc.getValue());
            p += 12 + len;
        }
    }

    /** The zlib data of a hand-made png (its IDATs joined), inflated. */
    private static byte[] inflate(MemorySegment png) {
        byte[] p = png.toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer b = ByteBuffer.wrap(p);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        for (int q = 8; q < p.length; q += 12 + b.getInt(q)) if (b.getInt(q + 4) == 0x49444154) z.write(p, q + 8, b.getInt(q));
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        inf.setInput(z.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (!inf.finished()) out.write(buf, 0, inf.inflate(buf));
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inf.end();
        }
        return out.toByteArray();
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    static {
        NativeLibrary.BIGARRAYS.isLoaded(); // load before the first Spng call reads its probes
    }
}
