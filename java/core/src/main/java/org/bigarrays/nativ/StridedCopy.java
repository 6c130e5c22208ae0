package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Argument checks and dimension coalescing shared by every {@link Kernels} implementation. */
public final class StridedCopy {
    private StridedCopy() {}

    /**
     * Throw {@link IndexOutOfBoundsException} unless every element of the box lies inside the
     * segment. Returns the number of elements (0 for an empty box, which touches nothing).
     */
    public static long checkBounds(MemorySegment seg, long offset, long[] strides, long[] shape, int elemSize, String what) {
        if (shape.length != strides.length || shape.length == 0 || shape.length > Kernels.MAX_RANK) {
            throw new IllegalArgumentException(what + ": rank mismatch or unsupported rank: shape "
                    + Arrays.toString(shape) + ", strides " + Arrays.toString(strides));
        }
        if (elemSize <= 0 || offset < 0) throw new IllegalArgumentException(what + ": bad elemSize " + elemSize + " or offset " + offset);
        long count = 1;
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) {
                throw new IllegalArgumentException(what + ": negative shape or stride: " + Arrays.toString(shape) + " / " + Arrays.toString(strides));
            }
            if (shape[i] == 0) return 0;
            count = Math.multiplyExact(count, shape[i]);
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
        }
        long end = Math.addExact(last, elemSize);
        if (end > seg.byteSize()) {
            throw new IndexOutOfBoundsException(what + ": box " + Arrays.toString(shape) + " at offset " + offset
                    + " with strides " + Arrays.toString(strides) + " ends at byte " + end + ", beyond the segment's " + seg.byteSize());
        }
        return count;
    }

    /** Check both sides of a copy (see {@link #checkBounds}); returns the number of elements. */
    public static long checkCopy(MemorySegment src, long srcOffset, long[] srcStrides,
                                 MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = checkBounds(src, srcOffset, srcStrides, shape, elemSize, "copy source");
        checkBounds(dst, dstOffset, dstStrides, shape, elemSize, "copy destination");
        return n;
    }

    /**
     * Check a {@link Kernels#gather}: the arrays agree in length, the extents are non-negative
     * and sum to {@code shape[0]}, and every source's box and the destination's lie inside their
     * segments. Returns the number of elements of the slab (0: the call touches nothing).
     */
    public static long checkGather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                                   MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        int n = srcs.length;
        if (srcOffsets.length != n || srcStrides.length != n || extents.length != n) {
            throw new IllegalArgumentException("gather: " + n + " sources but " + srcOffsets.length + " offsets, "
                    + srcStrides.length + " stride sets, " + extents.length + " extents");
        }
        if (shape.length == 0) throw new IllegalArgumentException("gather: rank 0");
        long sum = 0;
        for (long x : extents) {
            if (x < 0) throw new IllegalArgumentException("gather: negative extent in " + Arrays.toString(extents));
            sum = Math.addExact(sum, x);
        }
        if (sum != shape[0]) {
            throw new IllegalArgumentException("gather: extents " + Arrays.toString(extents) + " sum to " + sum + ", not shape[0] = " + shape[0]);
        }
        long count = checkBounds(dst, dstOffset, dstStrides, shape, elemSize, "gather destination");
        long[] piece = shape.clone();
        for (int k = 0; k < n; k++) {
            piece[0] = extents[k];
            checkBounds(srcs[k], srcOffsets[k], srcStrides[k], piece, elemSize, "gather source " + k);
        }
        return count;
    }

    /**
     * Merge adjacent dimensions that are contiguous in both layouts (and drop size-1 ones), so a
     * full-chunk copy becomes one long row. Returns {shape, srcStrides, dstStrides}, rank ≥ 1,
     * dimension 0 fastest.
     */
    public static long[][] coalesce(long[] shape, long[] srcStrides, long[] dstStrides) {
        int n = shape.length;
        long[] sh = new long[n];
        long[] ss = new long[n];
        long[] ds = new long[n];
        int r = 0;
        for (int i = 0; i < n; i++) {
            if (shape[i] == 1) continue;
            if (r > 0 && ss[r - 1] * sh[r - 1] == srcStrides[i] && ds[r - 1] * sh[r - 1] == dstStrides[i]) {
                sh[r - 1] *= shape[i];
            } else {
                sh[r] = shape[i];
                ss[r] = srcStrides[i];
                ds[r] = dstStrides[i];
                r++;
            }
        }
        if (r == 0) return new long[][] {{1}, {0}, {0}};
        return new long[][] {Arrays.copyOf(sh, r), Arrays.copyOf(ss, r), Arrays.copyOf(ds, r)};
    }
}
