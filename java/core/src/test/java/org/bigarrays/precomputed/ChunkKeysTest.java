package org.bigarrays.precomputed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.bigarrays.FormatException;
import org.bigarrays.core.Box;
import org.junit.jupiter.api.Test;

/** Chunk names {@code x0-x1_y0-y1_z0-z1}, negative coordinates included. */
class ChunkKeysTest {
    @Test
    void formatsAndParsesNegativeCoordinates() {
        Box b = Box.of(new long[] {-1024, -1024, 1428}, new long[] {-896, -896, 1429});
        assertEquals("-1024--896_-1024--896_1428-1429", ChunkKeys.of(b));
        assertEquals(b, ChunkKeys.parse("-1024--896_-1024--896_1428-1429"));
        assertEquals(b, ChunkKeys.parse("-1024--896_-1024--896_1428-1429.gz"));
        assertEquals(Box.of(new long[] {-100, -100, -5}, new long[] {0, 0, 0}), ChunkKeys.parse("-100-0_-100-0_-5-0"));
    }

    @Test
    void malformedNamesAreFormatErrorsNamingTheKey() {
        for (String bad : new String[] {"0-64_0-64", "0-64_0-64_0-64_0-1", "0_0-64_0-64", "a-b_0-64_0-64", "5-5_0-64_0-64", "7-3_0-1_0-1", "", "0-64_0-64_0-64.zst"}) {
            FormatException e = assertThrows(FormatException.class, () -> ChunkKeys.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Property(tries = 200)
    void formatThenParseIsIdentity(@ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long x,
                                   @ForAll @LongRange(min = -5000, max = 5000) long y, @ForAll @LongRange(min = -3, max = 3) long z,
                                   @ForAll @LongRange(min = 1, max = 1000) long w) {
        Box b = Box.of(new long[] {x, y, z}, new long[] {x + w, y + 1, z + w});
        String key = ChunkKeys.of(b);
        assertEquals(x + "-" + (x + w) + "_" + y + "-" + (y + 1) + "_" + z + "-" + (z + w), key);
        assertEquals(b, ChunkKeys.parse(key));
    }
}
