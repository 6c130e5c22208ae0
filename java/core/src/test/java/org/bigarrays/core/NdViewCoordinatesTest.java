package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Accessors take one coordinate per axis (or x,y,z on a cutout); subView takes 3-D boxes like read. */
class NdViewCoordinatesTest {
    private final NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-2, 5, 1, 0}, new long[] {4, 3, 2, 2});

    private static void oneLine(Executable e) {
        InvalidInputException x = assertThrows(InvalidInputException.class, e);
        assertFalse(x.getMessage().contains("\n"), x.getMessage());
        assertTrue(x.getMessage().contains("coordinates"), x.getMessage());
    }

    @Test
    void tooFewOrTooManyCoordinatesFail() {
        oneLine(() -> v.getShort(-2, 5));
        oneLine(() -> v.getShort(-2));
        oneLine(() -> v.getShort());
        oneLine(() -> v.getShort(-2, 5, 1, 0, 0));
        oneLine(() -> v.getAsLong(-2, 5));
        oneLine(() -> v.getAsDouble(-2, 5, 1, 1, 1));
        oneLine(() -> v.set(new long[] {-2, 5}, 1));
        oneLine(() -> v.setDouble(new long[] {-2}, 1));
        oneLine(() -> v.byteIndex(-2, 5));
        NdView r2 = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0}, new long[] {2, 2});
        oneLine(() -> r2.getByte(0));
        oneLine(() -> r2.getByte(0, 0, 0));
        assertEquals(0, r2.getByte(1, 1));
    }

    @Test
    void threeCoordinatesOnACutoutMeanItsFirstChannel() {
        v.set(new long[] {0, 6, 2, 0}, 11);
        v.set(new long[] {0, 6, 2, 1}, 22);
        assertEquals(11, v.getShort(0, 6, 2));
        v.set(new long[] {0, 6, 2}, 33);
        assertEquals(33, v.getAsLong(0, 6, 2, 0));
        assertEquals(22, v.getAsLong(0, 6, 2, 1));
    }

    @Test
    void subViewTakesThreeDBoxesWithAllChannels() {
        v.set(new long[] {-1, 6, 1, 1}, 7);
        NdView s3 = v.subView(Box.parse("-1,6,1:1,8,2"));
        NdView s4 = v.subView(Box.parse("-1,6,1,0:1,8,2,2"));
        assertArrayEquals(s4.shape(), s3.shape());
        assertArrayEquals(new long[] {2, 2, 1, 2}, s3.shape());
        assertArrayEquals(s4.origin(), s3.origin());
        assertEquals(7, s3.getAsLong(-1, 6, 1, 1));
        assertThrows(InvalidInputException.class, () -> v.subView(Box.parse("-1,6:1,8")));
        assertThrows(InvalidInputException.class, () -> v.subView(Box.parse("-3,6,1:1,8,2")));
    }

    @Test
    void boxesWiderThanALongAreRejected() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Box.parse("-9223372036854775808,0,0:9223372036854775807,1,1"));
        assertTrue(e.getMessage().contains("axis 0"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Box.at(new long[] {Long.MAX_VALUE, 0, 0}, new long[] {10, 1, 1}));
        assertEquals(Long.MAX_VALUE, Box.parse("-1,0,0:9223372036854775806,1,1").size(0));
    }
}
