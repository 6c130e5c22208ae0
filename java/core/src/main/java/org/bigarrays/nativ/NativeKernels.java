package org.bigarrays.nativ;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The C kernels of {@code libbigarrays} ({@link LibBigArrays}): one downcall per copy (per chunk),
 * never per row. Calls are {@linkplain Linker.Option#critical(boolean) critical} with heap access,
 * so heap segments (chunk bytes read into a {@code byte[]}) and off-heap segments both go to C
 * without copying; a copy is short enough (one chunk) that holding off the GC for it is fine.
 *
 * <p>Arguments are checked here first (for the messages, see {@link StridedCopy#checkBounds})
 * and again in C, which refuses any box that leaves a buffer ({@link NativeResult} turns its
 * result into the exception). Only usable when {@link NativeLibrary#isLoaded()} of
 * {@link NativeLibrary#BIGARRAYS}.
 */
public final class NativeKernels implements Kernels {
    @Override
    public void copy(MemorySegment src, long srcOffset, long[] srcStrides,
                     MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = StridedCopy.checkCopy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
        if (n == 0) return;
        checkWritable(dst);
        int rc = LibBigArrays.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
        if (rc != 0) throw NativeResult.failure(rc, "ba_copy", null, box("copy", shape, srcStrides, dstStrides));
    }

    /**
     * One downcall for the whole slab when every source is off-heap (C gets their addresses in
     * an array, which heap segments cannot be put in); else one {@link #copy} per source, which
     * writes the same bytes. The caller keeps the sources' memory alive for the call, as for any
     * kernel call.
     */
    @Override
    public void gather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                       MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = StridedCopy.checkGather(srcs, srcOffsets, srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize);
        if (n == 0) return;
        checkWritable(dst);
        boolean offHeap = true;
        for (MemorySegment s : srcs) offHeap &= s.isNative();
        if (!offHeap) {
            long[] piece = shape.clone();
            long d = dstOffset;
            for (int k = 0; k < srcs.length; k++) {
                piece[0] = extents[k];
                copy(srcs[k], srcOffsets[k], srcStrides[k], dst, d, dstStrides, piece, elemSize);
                d += extents[k] * dstStrides[0];
            }
            return;
        }
        int rc = LibBigArrays.gather(srcs, srcOffsets, srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_gather", null, box("gather of " + srcs.length + " sources, extents " + Arrays.toString(extents) + ",",
                    shape, dstStrides, dstStrides));
        }
    }

    @Override
    public void fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        long n = StridedCopy.checkBounds(dst, dstOffset, dstStrides, shape, elemSize, "fill destination");
        if (n == 0) return;
        checkWritable(dst);
        int rc = LibBigArrays.fill(dst, dstOffset, dstStrides, shape, elemSize, pattern);
        if (rc != 0) throw NativeResult.failure(rc, "ba_fill", null, box("fill", shape, dstStrides, dstStrides));
    }

    private static void checkWritable(MemorySegment dst) {
        // C cannot see Java's read-only flag; refuse here as MemorySegment.copy would.
        if (dst.isReadOnly()) throw new IllegalArgumentException("copy destination is a read-only segment");
    }

    private static String box(String what, long[] shape, long[] a, long[] b) {
        return what + " of box " + Arrays.toString(shape) + " with strides " + Arrays.toString(a) + " / " + Arrays.toString(b);
    }

    @Override
    public String name() {
        return "native";
    }
}
