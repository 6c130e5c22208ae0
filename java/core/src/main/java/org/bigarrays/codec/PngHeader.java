package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32;
import org.bigarrays.CorruptChunkException;

/**
 * The IHDR of a PNG stream, after walking its chunks from the signature to IEND (lengths and
 * CRC-32s checked, nothing decompressed): lets the codec refuse an image of the wrong size (a
 * decompression bomb) before a decoder allocates for it, and bytes after IEND as trailing garbage.
 *
 * @param channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette images are refused)
 */
record PngHeader(long width, long height, int bitDepth, int channels) {
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;
    private static final int IHDR = 0x49484452, IEND = 0x49454E44;

    static PngHeader scan(MemorySegment s, String key) {
        long n = s.byteSize();
        if (n < 8 || s.get(BE_LONG, 0) != SIGNATURE) throw new CorruptChunkException(key, "png: no PNG signature");
        long p = 8;
        PngHeader h = null;
        CRC32 crc = new CRC32();
        while (true) {
            if (p + 12 > n) throw new CorruptChunkException(key, "png: truncated (no IEND chunk)");
            long len = Integer.toUnsignedLong(s.get(BE_INT, p));
            int type = s.get(BE_INT, p + 4);
            if (len > Integer.MAX_VALUE || p + 12 + len > n) throw new CorruptChunkException(key, "png: chunk of " + len + " bytes at byte " + p + " runs past the end");
            crc.reset();
            crc.update(s.asSlice(p + 4, 4 + len).asByteBuffer());
            if ((int) crc.getValue() != s.get(BE_INT, p + 8 + len)) throw new CorruptChunkException(key, "png: CRC-32 mismatch in the chunk at byte " + p);
            if (h == null) {
                if (type != IHDR || len != 13) throw new CorruptChunkException(key, "png: the first chunk is not a 13-byte IHDR");
                h = new PngHeader(Integer.toUnsignedLong(s.get(BE_INT, p + 8)), Integer.toUnsignedLong(s.get(BE_INT, p + 12)),
                        u8(s, p + 16), channels(u8(s, p + 17), key));
            }
            p += 12 + len;
            if (type == IEND) {
                if (p != n) throw new CorruptChunkException(key, "png: IEND ends at byte " + p + " of " + n + ": trailing bytes");
                return h;
            }
        }
    }

    private static int channels(int colorType, String key) {
        return switch (colorType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> throw new CorruptChunkException(key, "png: colour type " + colorType + " is not gray, gray+alpha, RGB or RGBA");
        };
    }

    /** Refuse an image other than {@code w x h} with {@code c} channels of {@code depth} bits. */
    void expect(long w, long h, int c, int depth, String key) {
        if (width != w || height != h) throw new CorruptChunkException(key, "png image is " + width + "x" + height + ", expected " + w + "x" + h);
        if (channels != c) throw new CorruptChunkException(key, "png image has " + channels + " channels, expected " + c);
        if (bitDepth != depth) throw new CorruptChunkException(key, "png image has " + bitDepth + "-bit samples, expected " + depth);
    }

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private static int u8(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
    }
}
