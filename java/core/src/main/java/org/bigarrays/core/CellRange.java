package org.bigarrays.core;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A box of grid cells {@code [lo, hi)} (3-D, x fastest), planned by its bounds instead of a list
 * of cells: a cutout of a layer with tiny chunks touches millions of cells, and a range costs the
 * same whatever its size. {@link #split} cuts it into bounded pieces for batched work.
 */
public record CellRange(long[] lo, long[] hi) {
    public CellRange {
        if (lo.length != 3 || hi.length != 3) throw new IllegalArgumentException("cell ranges are 3-D");
        lo = lo.clone();
        hi = hi.clone();
        for (int i = 0; i < 3; i++) if (hi[i] < lo[i]) hi[i] = lo[i];
    }

    /** Number of cells. */
    public long count() {
        return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    /** Whether {@code cell} lies in the range. */
    public boolean contains(long[] cell) {
        for (int i = 0; i < 3; i++) if (cell[i] < lo[i] || cell[i] >= hi[i]) return false;
        return true;
    }

    /** The cells in the range, x fastest; each array is fresh. */
    public void forEach(Consumer<long[]> action) {
        for (long z = lo[2]; z < hi[2]; z++) {
            for (long y = lo[1]; y < hi[1]; y++) {
                for (long x = lo[0]; x < hi[0]; x++) action.accept(new long[] {x, y, z});
            }
        }
    }

    /** The intersection with {@code other}. */
    public CellRange intersect(CellRange other) {
        long[] a = new long[3];
        long[] b = new long[3];
        for (int i = 0; i < 3; i++) {
            a[i] = Math.max(lo[i], other.lo[i]);
            b[i] = Math.min(hi[i], other.hi[i]);
        }
        return new CellRange(a, b);
    }

    /**
     * Pieces of at most {@code maxCells} cells that together are this range, produced lazily in
     * x-fastest order: whole rows and planes where they fit, else runs along x.
     */
    public Iterator<CellRange> split(long maxCells) {
        long max = Math.max(1, maxCells);
        long[] n = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
        long[] step = new long[3];
        step[0] = Math.max(1, Math.min(n[0], max));
        long rest = max / step[0];
        step[1] = step[0] == n[0] ? Math.max(1, Math.min(n[1], rest)) : 1;
        rest /= step[1];
        step[2] = step[0] == n[0] && step[1] == n[1] ? Math.max(1, Math.min(n[2], rest)) : 1;
        boolean empty = isEmpty();
        return new Iterator<>() {
            private final long[] at = lo.clone();
            private boolean done = empty;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public CellRange next() {
                if (done) throw new NoSuchElementException();
                long[] a = at.clone();
                long[] b = new long[3];
                for (int i = 0; i < 3; i++) b[i] = Math.min(a[i] + step[i], hi[i]);
                int d = 0;
                while (d < 3) {
                    at[d] += step[d];
                    if (at[d] < hi[d]) break;
                    at[d] = lo[d];
                    d++;
                }
                if (d == 3) done = true;
                return new CellRange(a, b);
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CellRange r && Arrays.equals(lo, r.lo) && Arrays.equals(hi, r.hi);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lo) + Arrays.hashCode(hi);
    }

    @Override
    public String toString() {
        return "cells " + Arrays.toString(lo) + ".." + Arrays.toString(hi);
    }
}
