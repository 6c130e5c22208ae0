package org.bigarrays.chunk;

import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;

import org.bigarrays.precomputed.Scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.junit.jupiter.api.Test;

/** The grid anchored at voxel_offset, with truncated edge chunks (BigArrays.jl's mip-2 grid as the example). */
class ChunkGridTest {
    /** Scale 12_12_30 of test_BinDicts: offset (-597,-597,-103), size (12286,11262,2046), chunk (100,100,5). */
    private final ChunkGrid g = new ChunkGrid(new long[] {-597, -597, -103}, new long[] {12286, 11262, 2046}, new long[] {100, 100, 5});

    @Test
    void cellsAreAnchoredAtTheOffsetAndTruncatedAtTheEnd() {
        assertArrayEquals(new long[] {123, 113, 410}, g.gridShape());
        assertEquals(Box.parse("-597,-597,-103:-497,-497,-98"), g.cellBox(new long[] {0, 0, 0}));
        assertEquals(Box.parse("11603,10603,1937:11689,10665,1942"), g.cellBox(new long[] {122, 112, 408}));
        assertEquals(Box.parse("11603,10603,1942:11689,10665,1943"), g.cellBox(new long[] {122, 112, 409}));
        assertThrows(IndexOutOfBoundsException.class, () -> g.cellBox(new long[] {123, 0, 0}));
        assertThrows(IndexOutOfBoundsException.class, () -> g.cellBox(new long[] {-1, 0, 0}));
    }

    @Test
    void cellsOverlappingAreClippedAndXFastest() {
        List<long[]> cells = g.cellsOverlapping(Box.parse("-97,-297,-3:103,-97,7"));
        assertEquals(8, cells.size());
        assertArrayEquals(new long[] {5, 3, 20}, cells.get(0));
        assertArrayEquals(new long[] {6, 3, 20}, cells.get(1));
        assertArrayEquals(new long[] {5, 4, 20}, cells.get(2));
        assertEquals(List.of(), g.cellsOverlapping(Box.parse("-1000,0,0:-600,1,1")));
        assertEquals(1, g.cellsOverlapping(Box.parse("-1000,-1000,-1000:-596,-596,-102")).size());
    }

    @Test
    void alignment() {
        assertTrue(g.isAligned(Box.parse("203,203,102:403,403,112")));
        assertTrue(g.isAligned(Box.parse("11603,10603,1937:11689,10665,1943")));
        assertFalse(g.isAligned(Box.parse("11603,10603,1938:11689,10665,1943")));
        assertFalse(g.isAligned(Box.parse("204,203,102:403,403,112")));
        assertFalse(g.isAligned(Box.parse("203,203,102:403,403,111")));
        assertEquals(Box.parse("203,203,102:403,403,112"), g.alignOutward(Box.parse("204,210,103:400,399,111")));
        assertEquals(Box.parse("11603,10603,1937:11689,10665,1943"), g.alignOutward(Box.parse("11650,10650,1940:11689,10665,1943")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> g.checkInside(Box.parse("0,0,0:20000,1,1"), "write"));
        assertTrue(e.getMessage().contains("-597,-597,-103:11689,10665,1943"), e.getMessage());
    }

    @Test
    void cellRangeCoversTheBoxExactlyOnce() {
        Box box = Box.parse("-600,-500,-104:-300,-390,-90");
        CellRange range = g.cellRange(box);
        long[] voxels = {0};
        long[] cells = {0};
        range.forEach(cell -> {
            Box overlap = g.cellBox(cell).intersect(box);
            assertTrue(!overlap.isEmpty() && box.contains(overlap));
            voxels[0] += overlap.volume();
            cells[0]++;
        });
        assertEquals(box.intersect(g.volume()).volume(), voxels[0]);
        assertEquals(range.count(), cells[0]);
        assertEquals(g.cellsOverlapping(box).size(), cells[0]);
        // Split into bounded pieces, the range is still covered exactly once.
        for (long max : new long[] {1, 2, 3, 5, 7, 100, 1000}) {
            long n = 0;
            java.util.Set<java.util.List<Long>> seen = new java.util.HashSet<>();
            for (var it = range.split(max); it.hasNext(); ) {
                CellRange piece = it.next();
                assertTrue(piece.count() <= max && piece.count() > 0, piece + " of at most " + max);
                piece.forEach(c -> assertTrue(seen.add(java.util.List.of(c[0], c[1], c[2])) && range.contains(c)));
                n += piece.count();
            }
            assertEquals(range.count(), n);
        }
    }
}
