package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;

/** zstd levels: a stronger level stores EM-like data smaller, every level round-trips, both twins honour the level. */
class ZstdLevelTest {
    /** A 64³ uint8 chunk like electron microscopy: smooth structure plus noise. */
    private static byte[] emLike() {
        byte[] b = new byte[64 * 64 * 64];
        Random r = new Random(7);
        int i = 0;
        for (int z = 0; z < 64; z++)
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++) {
                    double v = 128 + 60 * Math.sin(x * 0.07 + z * 0.03) * Math.cos(y * 0.05) + r.nextGaussian() * 12;
                    b[i++] = (byte) Math.max(0, Math.min(255, (int) v));
                }
        return b;
    }

    private static long storedSize(ZstdCodec c, byte[] data) {
        MemorySegment enc = c.encode(MemorySegment.ofArray(data));
        byte[] back = new byte[data.length];
        // Decoded by the other twin too: a level changes only the writer.
        long n = ZstdCodec.JNI.decode(enc, MemorySegment.ofArray(back), "chunk");
        assertEquals(data.length, n);
        assertArrayEquals(data, back, c + " did not round-trip");
        long m = ZstdCodec.INSTANCE.decode(enc, MemorySegment.ofArray(new byte[data.length]), "chunk");
        assertEquals(data.length, m);
        return enc.byteSize();
    }

    @Test
    void strongerLevelsStoreSmallerAndEveryLevelRoundTrips() {
        byte[] data = emLike();
        for (boolean jni : new boolean[] {false, true}) {
            long fast = storedSize(jni ? ZstdCodec.jniAtLevel(-5) : ZstdCodec.atLevel(-5), data);
            long dflt = storedSize(jni ? ZstdCodec.jniAtLevel(3) : ZstdCodec.atLevel(3), data);
            long strong = storedSize(jni ? ZstdCodec.jniAtLevel(19) : ZstdCodec.atLevel(19), data);
            String twin = jni ? "zstd-jni" : "libzstd";
            assertTrue(fast > dflt, twin + ": level -5 stored " + fast + " bytes, level 3 " + dflt);
            assertTrue(strong < dflt, twin + ": level 19 stored " + strong + " bytes, level 3 " + dflt);
            assertEquals(dflt, storedSize(jni ? ZstdCodec.JNI : ZstdCodec.INSTANCE, data), twin + ": the default is level 3");
        }
    }

    @Test
    void theTwinsWriteTheSameLevelAlike() {
        byte[] data = emLike();
        // Same parameters on both sides; library versions may differ (1.5.4 vs 1.5.7), so sizes match within 1%.
        for (int level : new int[] {-3, 1, 9}) {
            long lib = storedSize(ZstdCodec.atLevel(level), data);
            long jni = storedSize(ZstdCodec.jniAtLevel(level), data);
            assertTrue(Math.abs(lib - jni) <= lib / 100, "level " + level + ": libzstd " + lib + " bytes, zstd-jni " + jni);
        }
    }

    @Test
    void levelsOutsideLibzstdsRangeAreRefusedNamingTheRange() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ZstdCodec.atLevel(23));
        assertEquals("zstd level 23: expected -131072 to 22 (negative: faster writes, larger chunks; 0: the default, 3)", e.getMessage());
        assertThrows(InvalidInputException.class, () -> ZstdCodec.jniAtLevel(-131073));
        assertSame(ZstdCodec.INSTANCE, ZstdCodec.atLevel(0));
        assertEquals(22, ZstdCodec.atLevel(22).level());
    }
}
