package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** The argument checks both downsample kernels make before touching memory (messages name the values). */
final class DownsampleChecks {
    private DownsampleChecks() {}

    static int elementSize(int dtype) {
        return switch (dtype) {
            case 0, 1, 10 -> 1;
            case 2, 3 -> 2;
            case 4, 5, 8 -> 4;
            case 6, 7, 9 -> 8;
            default -> throw new IllegalArgumentException("downsample: unknown type code " + dtype + " (expected 0.." + (DownsampleKernel.DTYPES - 1) + ")");
        };
    }

    static long[] outputShape(long[] inShape, long[] factor, long[] phase) {
        if (inShape.length != 4 || factor.length != 3 || phase.length != 3) {
            throw new IllegalArgumentException("downsample: expected shape [x,y,z,c], 3 factors and 3 phases, found "
                    + Arrays.toString(inShape) + ", " + Arrays.toString(factor) + ", " + Arrays.toString(phase));
        }
        long[] m = new long[4];
        for (int d = 0; d < 3; d++) {
            if (inShape[d] < 0 || factor[d] < 1 || phase[d] < 0 || phase[d] >= factor[d] || inShape[d] > Long.MAX_VALUE - factor[d]) {
                throw new IllegalArgumentException("downsample: axis " + d + ": expected shape ≥ 0, factor ≥ 1 and 0 ≤ phase < factor, found shape "
                        + inShape[d] + ", factor " + factor[d] + ", phase " + phase[d]);
            }
            m[d] = inShape[d] == 0 ? 0 : (phase[d] + inShape[d] + factor[d] - 1) / factor[d];
        }
        if (inShape[3] < 0) throw new IllegalArgumentException("downsample: negative channel count " + inShape[3]);
        m[3] = inShape[3];
        return m;
    }

    /** Checks everything; returns the output shape, or null when there is nothing to do. */
    static long[] check(MemorySegment in, long[] inShape, int dtype, int method, long[] factor, long[] phase, MemorySegment out) {
        int es = elementSize(dtype);
        if (method < DownsampleKernel.MEAN || method > DownsampleKernel.MAX) {
            throw new IllegalArgumentException("downsample: unknown method code " + method);
        }
        long[] m = outputShape(inShape, factor, phase);
        long inBytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(inShape[0], inShape[1]), Math.multiplyExact(inShape[2], inShape[3])), es);
        long outBytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(m[0], m[1]), Math.multiplyExact(m[2], m[3])), es);
        if (inBytes == 0 || outBytes == 0) return null;
        if (in.byteSize() < inBytes) {
            throw new IndexOutOfBoundsException("downsample: input of " + in.byteSize() + " bytes is smaller than " + Arrays.toString(inShape) + " x " + es + " bytes");
        }
        if (out.byteSize() < outBytes) {
            throw new IndexOutOfBoundsException("downsample: output of " + out.byteSize() + " bytes is smaller than " + Arrays.toString(m) + " x " + es + " bytes");
        }
        if (out.isReadOnly()) throw new IllegalArgumentException("downsample: the output segment is read-only");
        return m;
    }
}
