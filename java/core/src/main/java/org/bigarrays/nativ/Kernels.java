package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * The copy kernels every cutout and write goes through: an N-d strided copy of a box of
 * elements between two segments (gather when the source is a chunk, scatter when the
 * destination is), and a strided fill. Shapes are in elements, strides and offsets in bytes,
 * strides non-negative, rank at most {@link #MAX_RANK}. Every implementation checks bounds
 * before touching memory ({@link StridedCopy#checkBounds}) and throws
 * {@link IndexOutOfBoundsException} instead of writing outside a segment.
 *
 * <p>Get the implementation in use with {@link #get()}: native C kernels through FFM when the
 * library loads, else {@link JavaKernels}.
 */
public interface Kernels {
    int MAX_RANK = 8;

    /** Copy the box {@code shape} from {@code src} to {@code dst}. */
    void copy(MemorySegment src, long srcOffset, long[] srcStrides,
              MemorySegment dst, long dstOffset, long[] dstStrides,
              long[] shape, int elemSize);

    /**
     * Gather one output slab from sources side by side along dimension 0 (a row of chunks):
     * source {@code k} supplies the slab's elements {@code [x_k, x_k + extents[k])} along
     * dimension 0 ({@code x_0 = 0}, each source starting where the previous one ends; the extents
     * sum to {@code shape[0]}) and the whole slab along the other dimensions, its element
     * {@code (i0, i1, ...)} ({@code i0} counted from {@code x_k}) at {@code srcOffsets[k] + sum(i_j
     * * srcStrides[k][j])}. One call for the whole slab, so the native kernel can choose the
     * order (raster order for short rows) and streaming stores. Every source's box and the
     * destination's are checked first ({@link StridedCopy#checkGather}); sources must not
     * overlap the destination.
     */
    void gather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize);

    /** Set every element of the box to {@code pattern} (its low {@code elemSize} bytes, little-endian). */
    void fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern);

    /** "native" or "java". */
    String name();

    /**
     * The kernels in use for this process: the native ones when the library loads, else Java;
     * a call that is one contiguous run is one Java memcpy either way, so the library is only
     * loaded when a call needs more ({@link OneRunKernels}).
     */
    static Kernels get() {
        return OneRunKernels.INSTANCE;
    }
}
