package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@code ba_downsample} of libbigarrays ({@link LibBigArrays}): one critical downcall per block of
 * work (heap and off-heap segments go to C without copying). Arguments are checked here first
 * (for the messages) and again in C. Only used when libbigarrays is loaded and not switched off:
 * {@link JavaDownsampleKernel} is used then.
 */
final class NativeDownsampleKernel implements DownsampleKernel {
    static final boolean AVAILABLE = NativeLibrary.BIGARRAYS.isLoaded();

    @Override
    public void downsample(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                           long[] factor, long[] phase, MemorySegment out) {
        if (DownsampleChecks.check(in, inShape, dtype, method, factor, phase, out) == null) return;
        int rc = LibBigArrays.downsample(in, inShape, dtype, method, sparse, fill, factor, phase, out);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_downsample", null, "downsample of " + Arrays.toString(inShape) + " (type " + dtype
                    + ", method " + method + ") by " + Arrays.toString(factor) + " phase " + Arrays.toString(phase));
        }
    }

    @Override
    public String name() {
        return "native";
    }
}
