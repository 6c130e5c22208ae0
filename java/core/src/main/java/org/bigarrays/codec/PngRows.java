package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.bigarrays.CorruptChunkException;

/**
 * A non-interlaced png read whole: its IDATs inflated at once ({@link Inflater}) into the
 * filtered rows, each row's filter undone (PNG §9: None, Sub, Up, Average, Paeth) and its pixels
 * split into the planar chunk, 16-bit samples in native order. The pure-Java twin of libbigarrays'
 * {@code ba_png_decode_libdeflate} ({@link org.bigarrays.nativ.Spng#decodeWhole}), with the same
 * checks: the chunk sequence, the header against the expected image, a zlib stream of exactly
 * the image's rows and nothing after it, filter types 0–4; {@code out} is untouched on failure.
 * CRCs are the caller's ({@link PngHeader#scan}).
 */
final class PngRows {
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;
    private static final int IHDR = 0x49484452, IDAT = 0x49444154, IEND = 0x49454E44;
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SAMPLE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private PngRows() {}

    /**
     * Decode {@code png} ({@code width x height}, {@code channels} of {@code bitDepth} 8 or 16 bits) into {@code out}.
     * @throws CorruptChunkException naming {@code key} on damaged data or another image
     * @throws IllegalArgumentException for an interlaced image (not read here) or an {@code out} smaller than the chunk
     */
    static void decode(MemorySegment png, int width, int height, int channels, int bitDepth, MemorySegment out, String key) {
        int bps = bitDepth / 8, bpp = channels * bps;
        long rowBytes = (long) width * bpp, rawBytes = height * (1 + rowBytes);
        if (out.byteSize() < height * rowBytes) throw new IllegalArgumentException("png: the output buffer is smaller than the chunk");
        if (rawBytes > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("png: " + width + "x" + height + " is too large to read whole");
        long n = png.byteSize();
        if (n < 8 || png.get(BE_LONG, 0) != SIGNATURE) throw new CorruptChunkException(key, "png: no PNG signature");
        byte[] raw = new byte[(int) rawBytes];
        Inflater inflater = new Inflater();
        try {
            long p = 8;
            int got = 0;
            boolean header = false;
            while (true) {
                if (n - p < 12) throw new CorruptChunkException(key, "png: truncated (no IEND chunk)");
                long len = Integer.toUnsignedLong(png.get(BE_INT, p));
                int type = png.get(BE_INT, p + 4);
                if (len > n - p - 12) throw new CorruptChunkException(key, "png: chunk of " + len + " bytes at byte " + p + " runs past the end");
                MemorySegment data = png.asSlice(p + 8, len);
                if (!header) {
                    checkHeader(type, data, width, height, channels, bitDepth, key);
                    header = true;
                } else if (type == IDAT) {
                    got = inflate(inflater, data, raw, got, key);
                } else if (type == IEND) {
                    p += 12 + len;
                    if (p != n) throw new CorruptChunkException(key, "png: IEND ends at byte " + p + " of " + n + ": trailing bytes");
                    break;
                }
                p += 12 + len;
            }
            if (!inflater.finished()) {
                throw new CorruptChunkException(key, "png image data inflates to " + got + " bytes (the zlib stream is cut short), expected " + rawBytes);
            }
            if (got != rawBytes) throw new CorruptChunkException(key, "png image data inflates to " + got + " bytes, expected " + rawBytes);
        } finally {
            inflater.end();
        }
        int row = (int) rowBytes;
        for (int y = 0, r = 1; y < height; y++, r += row + 1) {
            int f = raw[r - 1];
            if (f < 0 || f > 4) throw new CorruptChunkException(key, "png row " + y + " has filter type " + (f & 0xff) + " (0-4 are defined)");
            unfilter(f, raw, r, y == 0 ? -1 : r - row - 1, row, bpp);
        }
        // Out only once every row is good: damaged data leaves it as it was.
        long plane = (long) width * height * bps;
        for (int y = 0; y < height; y++) {
            int r = y * (row + 1) + 1;
            long dst = (long) y * width * bps;
            if (bps == 1) {
                if (channels == 1) {
                    MemorySegment.copy(raw, r, out, ValueLayout.JAVA_BYTE, dst, row);
                    continue;
                }
                for (int c = 0; c < channels; c++, dst += plane) {
                    for (int x = 0, s = r + c; x < width; x++, s += channels) out.set(ValueLayout.JAVA_BYTE, dst + x, raw[s]);
                }
            } else {
                for (int c = 0; c < channels; c++, dst += plane) {
                    for (int x = 0, s = r + 2 * c; x < width; x++, s += 2 * channels) {
                        out.set(SAMPLE16, dst + 2L * x, (short) ((raw[s] & 0xff) << 8 | raw[s + 1] & 0xff));
                    }
                }
            }
        }
    }

    private static void checkHeader(int type, MemorySegment d, int width, int height, int channels, int bitDepth, String key) {
        if (type != IHDR || d.byteSize() != 13) throw new CorruptChunkException(key, "png: the first chunk is not a 13-byte IHDR");
        long w = Integer.toUnsignedLong(d.get(BE_INT, 0)), h = Integer.toUnsignedLong(d.get(BE_INT, 4));
        if (w != width || h != height) throw new CorruptChunkException(key, "png image is " + w + "x" + h + ", expected " + width + "x" + height);
        int depth = u8(d, 8), colorType = u8(d, 9);
        int c = switch (colorType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> 0;
        };
        if (depth != bitDepth || c != channels) {
            throw new CorruptChunkException(key, "png image has colour type " + colorType + " and " + depth + "-bit samples, expected " + channels
                    + " channels of " + bitDepth + " bits");
        }
        if (u8(d, 10) != 0 || u8(d, 11) != 0 || u8(d, 12) != 0) {
            throw new IllegalArgumentException("png: compression " + u8(d, 10) + ", filter " + u8(d, 11) + ", interlace " + u8(d, 12)
                    + ": only 0, 0, 0 are read whole");
        }
    }

    /** One IDAT's data on into raw from {@code got}; the bytes in raw after it. */
    private static int inflate(Inflater inflater, MemorySegment idat, byte[] raw, int got, String key) {
        if (inflater.finished()) {
            if (idat.byteSize() == 0) return got;
            throw new CorruptChunkException(key, "png image data: bytes after the end of the zlib stream");
        }
        inflater.setInput(idat.asByteBuffer());
        try {
            while (!inflater.needsInput() && !inflater.finished()) {
                if (got == raw.length) {
                    // Full: one more byte out means the stream holds more than the image.
                    if (inflater.inflate(new byte[1]) > 0) throw new CorruptChunkException(key, "png image data inflates to more than the image's " + raw.length + " bytes");
                    if (inflater.needsDictionary()) throw new CorruptChunkException(key, "png image data: the zlib stream asks for a preset dictionary");
                    continue;
                }
                int k = inflater.inflate(raw, got, raw.length - got);
                if (k == 0 && inflater.needsDictionary()) throw new CorruptChunkException(key, "png image data: the zlib stream asks for a preset dictionary");
                got += k;
            }
        } catch (DataFormatException e) {
            throw new CorruptChunkException(key, "png image data is damaged (bad zlib stream: " + e.getMessage() + ")");
        }
        if (inflater.finished() && inflater.getRemaining() > 0) throw new CorruptChunkException(key, "png image data: bytes after the end of the zlib stream");
        return got;
    }

    /** Undo filter f on the n bytes of raw at r in place; p is the row above (unfiltered), or -1 for the first row. */
    static void unfilter(int f, byte[] raw, int r, int p, int n, int bpp) {
        switch (f) {
            case 0 -> { }
            case 1 -> {
                for (int i = bpp; i < n; i++) raw[r + i] += raw[r + i - bpp];
            }
            case 2 -> {
                if (p >= 0) for (int i = 0; i < n; i++) raw[r + i] += raw[p + i];
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? raw[r + i - bpp] & 0xff : 0, b = p >= 0 ? raw[p + i] & 0xff : 0;
                    raw[r + i] += (byte) ((a + b) >> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? raw[r + i - bpp] & 0xff : 0, b = p >= 0 ? raw[p + i] & 0xff : 0;
                    int c = p >= 0 && i >= bpp ? raw[p + i - bpp] & 0xff : 0;
                    raw[r + i] += (byte) paeth(a, b, c);
                }
            }
            default -> throw new IllegalArgumentException("filter type " + f);
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int u8(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
    }
}
