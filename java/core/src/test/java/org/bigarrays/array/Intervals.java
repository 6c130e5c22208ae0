package org.bigarrays.array;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.bigarrays.core.Box;

/** Interval generators on one axis ([lo, hi) pairs) for the array property tests and the driver contract. */
final class Intervals {
    private Intervals() {}

    /** An interval [lo, hi) inside [a, b). */
    static Arbitrary<long[]> inside(long a, long b) {
        return Arbitraries.longs().between(a, b - 1).flatMap(lo -> Arbitraries.longs().between(lo + 1, b).map(hi -> new long[] {lo, hi}));
    }

    /** An interval on the boundaries of blocks of {@code unit} voxels from {@code off} (the last may end at the volume bound). */
    static Arbitrary<long[]> aligned(long off, long size, long unit) {
        long cells = Math.ceilDiv(size, unit);
        return Arbitraries.longs().between(0, cells - 1).flatMap(g0 -> Arbitraries.longs().between(g0 + 1, cells)
                .map(g1 -> new long[] {off + g0 * unit, Math.min(off + g1 * unit, off + size)}));
    }

    /** An interval overlapping [a, b) that may stick out on either side. */
    static Arbitrary<long[]> overlapping(long a, long b) {
        return Arbitraries.longs().between(a - 8, b - 1)
                .flatMap(lo -> Arbitraries.longs().between(Math.max(lo, a) + 1, b + 8).map(hi -> new long[] {lo, hi}));
    }

    /** An interval wholly below or above [a, b). */
    static Arbitrary<long[]> outside(long a, long b) {
        Arbitrary<long[]> below = Arbitraries.longs().between(a - 12, a - 1).flatMap(lo -> Arbitraries.longs().between(lo + 1, a).map(hi -> new long[] {lo, hi}));
        Arbitrary<long[]> above = Arbitraries.longs().between(b, b + 12).flatMap(lo -> Arbitraries.longs().between(lo + 1, lo + 8).map(hi -> new long[] {lo, hi}));
        return Arbitraries.oneOf(below, above);
    }

    /** A box overlapping the volume [offset, offset + size) that may stick out on any side. */
    static Arbitrary<Box> overlappingBox(long[] o, long[] s) {
        return Combinators.combine(overlapping(o[0], o[0] + s[0]), overlapping(o[1], o[1] + s[1]), overlapping(o[2], o[2] + s[2])).as(Intervals::box);
    }

    /** A box wholly outside the volume [offset, offset + size) along one axis, overlapping it along the others. */
    static Arbitrary<Box> outsideBox(long[] o, long[] s) {
        return Combinators.combine(Arbitraries.integers().between(0, 2), outside(o[0], o[0] + s[0]), overlapping(o[1], o[1] + s[1]),
                overlapping(o[2], o[2] + s[2])).as((axis, out, p, q) -> {
                    long[][] iv = {p, q, null};
                    long[][] axes = new long[3][];
                    for (int i = 0, k = 0; i < 3; i++) axes[i] = i == axis ? out : iv[k++];
                    return box(axes[0], axes[1], axes[2]);
                });
    }

    /** The box of one interval per axis. */
    static Box box(long[] x, long[] y, long[] z) {
        return Box.of(new long[] {x[0], y[0], z[0]}, new long[] {x[1], y[1], z[1]});
    }
}
