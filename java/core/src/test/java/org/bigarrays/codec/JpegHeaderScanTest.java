package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eight-bytes-a-step search for 0xFF in jpeg scan data finds what a byte loop finds. */
class JpegHeaderScanTest {
    private static long naive(byte[] b, long p, long limit) {
        for (; p < limit; p++) if (b[(int) p] == (byte) 0xFF) return p;
        return limit;
    }

    @Test
    void findsTheFirst0xFFLikeAByteLoop() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = new byte[r.nextInt(1, 80)];
            int density = r.nextInt(1, 40);
            for (int i = 0; i < b.length; i++) {
                // 0xFF among bytes one bit away from it (0xFE, 0x7F) and others, where a word trick could slip
                b[i] = (byte) (r.nextInt(density) == 0 ? 0xFF : new int[] {0xFE, 0x7F, 0x00, 0x01, 0x80, r.nextInt(256)}[r.nextInt(6)]);
            }
            MemorySegment s = MemorySegment.ofArray(b);
            for (int p = 0; p <= b.length; p++) {
                for (int limit = p; limit <= b.length; limit += 1 + r.nextInt(3)) {
                    assertEquals(naive(b, p, limit), JpegHeader.nextFF(s, p, limit), "trial " + trial + " p " + p + " limit " + limit);
                }
            }
        }
    }
}
