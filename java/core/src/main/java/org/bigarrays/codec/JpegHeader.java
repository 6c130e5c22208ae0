package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.CorruptChunkException;

/**
 * The frame size of a JPEG stream, found by walking its markers from SOI to EOI without decoding
 * anything: lets the codec refuse an image of the wrong size (a decompression bomb) before a
 * decoder allocates for it, and bytes after EOI as trailing garbage.
 *
 * @param width from the SOF segment
 * @param height from the SOF segment
 * @param components colour components (1 gray, 3 YCbCr/RGB)
 */
record JpegHeader(int width, int height, int components) {
    static JpegHeader scan(MemorySegment s, String key) {
        long n = s.byteSize();
        if (n < 4 || u8(s, 0) != 0xFF || u8(s, 1) != 0xD8) throw new CorruptChunkException(key, "jpeg: no SOI marker ff d8");
        long p = 2;
        JpegHeader frame = null;
        while (true) {
            if (p + 2 > n) throw new CorruptChunkException(key, "jpeg: truncated (no EOI marker)");
            if (u8(s, p) != 0xFF) throw new CorruptChunkException(key, "jpeg: expected a marker at byte " + p);
            int m = u8(s, p + 1);
            p += 2;
            while (m == 0xFF) { // fill bytes
                if (p >= n) throw new CorruptChunkException(key, "jpeg: truncated (no EOI marker)");
                m = u8(s, p++);
            }
            if (m == 0xD9) {
                if (frame == null) throw new CorruptChunkException(key, "jpeg: no SOF segment before EOI");
                if (p != n) throw new CorruptChunkException(key, "jpeg: EOI at byte " + p + " of " + n + ": trailing bytes");
                return frame;
            }
            if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue; // standalone markers
            if (m == 0xD8 || m == 0x00) throw new CorruptChunkException(key, "jpeg: unexpected marker ff " + Integer.toHexString(m) + " at byte " + (p - 2));
            if (p + 2 > n) throw new CorruptChunkException(key, "jpeg: truncated segment");
            int len = u16(s, p);
            if (len < 2 || p + len > n) throw new CorruptChunkException(key, "jpeg: segment ff " + Integer.toHexString(m) + " of " + len + " bytes runs past the end");
            boolean sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
            if (sof) {
                if (frame != null) throw new CorruptChunkException(key, "jpeg: more than one SOF segment");
                if (len < 8) throw new CorruptChunkException(key, "jpeg: SOF segment of " + len + " bytes is too short");
                frame = new JpegHeader(u16(s, p + 5), u16(s, p + 3), u8(s, p + 7));
            }
            p += len;
            if (m == 0xDA) { // entropy-coded data up to the next marker that is not a stuffed byte or RSTn
                if (frame == null) throw new CorruptChunkException(key, "jpeg: SOS before SOF");
                while (true) {
                    p = nextFF(s, p, n - 1);
                    if (p + 1 >= n) throw new CorruptChunkException(key, "jpeg: truncated scan data (no EOI marker)");
                    int next = u8(s, p + 1);
                    if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) break;
                    p += next == 0xFF ? 1 : 2;
                }
            }
        }
    }

    /** Refuse a frame other than {@code width x height} with {@code channels} components. */
    void expect(int w, int h, int channels, String key) {
        if (width != w || height != h) throw new CorruptChunkException(key, "jpeg image is " + width + "x" + height + ", expected " + w + "x" + h);
        if (components != channels) throw new CorruptChunkException(key, "jpeg image has " + components + " channels, expected " + channels);
    }

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * The first index in [{@code p}, {@code limit}) holding 0xFF, else {@code limit}: eight bytes
     * a step (the scan data is most of the file, and a byte loop cost ~5% of a chunk's decode).
     */
    static long nextFF(MemorySegment s, long p, long limit) {
        for (; p + 8 <= limit; p += 8) {
            long x = ~s.get(LONG_LE, p); // 0xFF bytes become zero bytes
            long zero = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L; // the lowest set flag is exact
            if (zero != 0) return p + (Long.numberOfTrailingZeros(zero) >>> 3);
        }
        for (; p < limit; p++) if (u8(s, p) == 0xFF) return p;
        return limit;
    }

    private static int u8(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
    }

    private static int u16(MemorySegment s, long i) {
        return (u8(s, i) << 8) | u8(s, i + 1);
    }
}
