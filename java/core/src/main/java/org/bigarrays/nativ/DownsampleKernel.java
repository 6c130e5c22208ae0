package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * One mip of an image pyramid from the mip below, over dense Fortran-order segments: the
 * contract of {@code ba_downsample} in {@code bigarrays.h}. The input is {@code [nx, ny, nz, c]}
 * elements of {@code dtype}; along each axis its first element lies {@code phase} voxels into
 * the first block of {@code factor} voxels; output element {@code j} reduces the input voxels
 * {@code [j*factor - phase, (j+1)*factor - phase)} clipped to the input (edge blocks are
 * partial), and the output is dense {@code [ceil((phase+n)/factor) per axis, c]}.
 *
 * <p>Methods and type codes are those of {@code bigarrays.h} ({@link #MEAN}..{@link #MAX};
 * {@code ba_dtype} order: uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32,
 * float64, bool). Every implementation checks sizes first and throws
 * {@link IndexOutOfBoundsException} (a segment too small) or {@link IllegalArgumentException}
 * (bad factor, phase, type or method) without writing.
 */
public interface DownsampleKernel {
    int MEAN = 0, MODE = 1, MEDIAN = 2, MIN = 3, MAX = 4;
    /** Number of type codes (0..10). */
    int DTYPES = 11;

    /**
     * @param inShape {@code [nx, ny, nz, channels]}
     * @param fill the fill value's bits (low element-size bytes), used by {@code sparse}
     * @param factor block size per axis, each ≥ 1
     * @param phase per axis, {@code 0 <= phase < factor}
     */
    void downsample(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                    long[] factor, long[] phase, MemorySegment out);

    /** "native" or "java". */
    String name();

    /** Output extents {@code [mx, my, mz, c]} for this input; throws IllegalArgumentException on bad factor/phase. */
    static long[] outputShape(long[] inShape, long[] factor, long[] phase) {
        return DownsampleChecks.outputShape(inShape, factor, phase);
    }

    /** The kernel in use: native when libbigarrays loads with {@code ba_downsample} (not switched off), else Java. */
    static DownsampleKernel get() {
        return DownsampleKernels.INSTANCE;
    }

    /** The pure-Java twin. */
    static DownsampleKernel java() {
        return DownsampleKernels.JAVA;
    }

    /** The C kernel, when it can be used. */
    static Optional<DownsampleKernel> nativeKernel() {
        return Optional.ofNullable(DownsampleKernels.NATIVE);
    }
}
