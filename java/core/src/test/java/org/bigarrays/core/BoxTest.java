package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;

/** Boxes: the CLI syntax, geometry, and errors that name the bad text. */
class BoxTest {
    @Test
    void parsesTheCliSyntaxWithNegativeCoordinates() {
        Box b = Box.parse("-10, 0,5:-2,4,6");
        assertArrayEquals(new long[] {-10, 0, 5}, b.min());
        assertArrayEquals(new long[] {-2, 4, 6}, b.max());
        assertArrayEquals(new long[] {8, 4, 1}, b.shape());
        assertEquals(32, b.volume());
        assertEquals("-10,0,5:-2,4,6", b.toString());
        assertEquals(b, Box.parse(b.toString()));
    }

    @Test
    void badBoxesNameTheText() {
        for (String bad : new String[] {"1,2,3", "1,2,3:4,5", "a,2,3:4,5,6", "1,2,3:4,5,6:7,8,9", "", ":", "1,,3:4,5,6", "5,2,3:4,5,6"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Box.parse(bad), "box '" + bad + "'");
            assertTrue(e.getMessage().contains(bad.isEmpty() ? "box" : bad) || e.getMessage().contains("max < min"), e.getMessage());
        }
    }

    @Test
    void geometry() {
        Box a = Box.parse("0,0,0:10,10,10");
        Box b = Box.parse("5,-5,9:15,5,12");
        assertEquals(Box.parse("5,0,9:10,5,10"), a.intersect(b));
        assertTrue(a.contains(Box.parse("0,0,0:10,10,10")));
        assertFalse(a.contains(b));
        assertTrue(a.intersect(Box.parse("20,20,20:30,30,30")).isEmpty());
        assertEquals(Box.parse("1,2,3:11,12,13"), a.translate(new long[] {1, 2, 3}));
        assertEquals(Box.parse("1,2,3:4,6,8"), Box.at(new long[] {1, 2, 3}, new long[] {3, 4, 5}));
        assertTrue(Box.parse("1,1,1:1,2,2").isEmpty());
    }

    @Property(tries = 200)
    void intersectionIsContainedInBoth(@ForAll @LongRange(min = -50, max = 50) long a0, @ForAll @LongRange(min = 0, max = 30) long as,
                                       @ForAll @LongRange(min = -50, max = 50) long b0, @ForAll @LongRange(min = 0, max = 30) long bs) {
        Box a = Box.of(new long[] {a0, a0 - 3}, new long[] {a0 + as, a0 - 3 + as});
        Box b = Box.of(new long[] {b0, b0 + 1}, new long[] {b0 + bs, b0 + 1 + bs});
        Box i = a.intersect(b);
        if (!i.isEmpty()) {
            assertTrue(a.contains(i) && b.contains(i));
            for (int d = 0; d < 2; d++) assertEquals(Math.max(0, Math.min(a.max(d), b.max(d)) - Math.max(a.min(d), b.min(d))), i.size(d));
        } else {
            assertTrue(i.volume() == 0);
        }
    }
}
