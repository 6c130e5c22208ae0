package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * The kernels {@link Kernels#get()} hands out. A call that is one contiguous run in every segment
 * it touches (a copy or a one-source gather whose box is whole rows of both layouts, e.g. a chunk
 * into an output of the chunk's shape; a fill of one run with a repeated byte) is one
 * {@link MemorySegment} call of {@link JavaKernels}, the memcpy or memset the C kernel would make.
 * Every other call goes to the kernels chosen for the process ({@link KernelsProvider}), so the
 * native library is loaded and its calls linked (~35 ms of a one-chunk cutout's start-up) only
 * when a call needs it. Both sides check bounds with {@link StridedCopy} first, so errors are the same.
 */
final class OneRunKernels implements Kernels {
    /** What {@link Kernels#get()} returns: made without loading anything. */
    static final Kernels INSTANCE = new OneRunKernels();
    private static final JavaKernels JAVA = new JavaKernels();

    private OneRunKernels() {}

    @Override
    public void copy(MemorySegment src, long srcOffset, long[] srcStrides,
                     MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        Kernels k = oneRun(shape, srcStrides, dstStrides, elemSize) && !dst.isReadOnly() ? JAVA : KernelsProvider.INSTANCE;
        k.copy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
    }

    @Override
    public void gather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                       MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        boolean one = srcs.length == 1 && srcOffsets.length == 1 && srcStrides.length == 1 && extents.length == 1
                && srcStrides[0] != null && oneRun(shape, srcStrides[0], dstStrides, elemSize) && !dst.isReadOnly();
        (one ? JAVA : KernelsProvider.INSTANCE).gather(srcs, srcOffsets, srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize);
    }

    @Override
    public void fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        boolean one = oneRun(shape, dstStrides, dstStrides, elemSize) && repeatedByte(pattern, elemSize) && !dst.isReadOnly();
        (one ? JAVA : KernelsProvider.INSTANCE).fill(dst, dstOffset, dstStrides, shape, elemSize, pattern);
    }

    /** The kernels chosen for the process: what the calls that are not one run use. */
    @Override
    public String name() {
        return KernelsProvider.INSTANCE.name();
    }

    /**
     * Whether the box is one contiguous run in both layouts (dimensions merged as
     * {@link StridedCopy#coalesce} does). Malformed arguments answer false: the chosen kernels
     * then report them.
     */
    static boolean oneRun(long[] shape, long[] a, long[] b, int elemSize) {
        if (shape == null || a == null || b == null || shape.length != a.length || shape.length != b.length
                || shape.length == 0 || shape.length > MAX_RANK || elemSize < 1) {
            return false;
        }
        for (long s : shape) if (s < 0) return false;
        long[][] c = StridedCopy.coalesce(shape, a, b);
        return c[0].length == 1 && c[1][0] == elemSize && c[2][0] == elemSize;
    }

    /** Whether every byte of the element's pattern is the same (what a memset can write). */
    private static boolean repeatedByte(long p, int e) {
        long b = p & 0xff;
        for (int i = 1; i < e; i++) if ((i < 8 ? (p >>> (8 * i)) & 0xff : 0) != b) return false;
        return true;
    }
}
