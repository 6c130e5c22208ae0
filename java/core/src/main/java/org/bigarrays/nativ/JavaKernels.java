package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Pure-Java kernels: one {@link MemorySegment#copy} per contiguous row, element by element
 * where the innermost dimension is strided. Used when the native library is unavailable, and
 * as the reference the native kernels are tested against.
 */
public final class JavaKernels implements Kernels {
    /** The layouts of {@link #put}, made on first use: value layouts start FFM's var handle machinery (see OneRunKernels). */
    private static final class Layouts {
        static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
        static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void copy(MemorySegment src, long srcOffset, long[] srcStrides,
                     MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = StridedCopy.checkCopy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
        if (n == 0) return;
        long[][] c = StridedCopy.coalesce(shape, srcStrides, dstStrides);
        copyDim(src, srcOffset, c[1], dst, dstOffset, c[2], c[0], elemSize, c[0].length - 1);
    }

    private static void copyDim(MemorySegment src, long so, long[] ss, MemorySegment dst, long dof, long[] ds,
                                long[] shape, int e, int dim) {
        if (dim == 0) {
            long n = shape[0];
            if (ss[0] == e && ds[0] == e) {
                MemorySegment.copy(src, so, dst, dof, n * e);
            } else {
                for (long i = 0; i < n; i++) {
                    MemorySegment.copy(src, so + i * ss[0], dst, dof + i * ds[0], e);
                }
            }
            return;
        }
        for (long i = 0; i < shape[dim]; i++) {
            copyDim(src, so + i * ss[dim], ss, dst, dof + i * ds[dim], ds, shape, e, dim - 1);
        }
    }

    /** Row by row in output raster order, each row one {@link MemorySegment#copy} per source piece. */
    @Override
    public void gather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                       MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = StridedCopy.checkGather(srcs, srcOffsets, srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize);
        if (n == 0) return;
        gatherDim(srcs, srcOffsets.clone(), srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize, shape.length - 1);
    }

    /** Dimension {@code dim} and below; {@code so} holds each source's offset at the current index. */
    private static void gatherDim(MemorySegment[] srcs, long[] so, long[][] ss, long[] extents, MemorySegment dst, long dof,
                                  long[] ds, long[] shape, int e, int dim) {
        if (dim == 0) {
            long d = dof;
            for (int k = 0; k < srcs.length; k++) {
                long x = extents[k];
                if (ss[k][0] == e && ds[0] == e) {
                    MemorySegment.copy(srcs[k], so[k], dst, d, x * e);
                } else {
                    for (long i = 0; i < x; i++) MemorySegment.copy(srcs[k], so[k] + i * ss[k][0], dst, d + i * ds[0], e);
                }
                d += x * ds[0];
            }
            return;
        }
        long[] base = so.clone();
        for (long i = 0; i < shape[dim]; i++) {
            for (int k = 0; k < so.length; k++) so[k] = base[k] + i * ss[k][dim];
            gatherDim(srcs, so, ss, extents, dst, dof + i * ds[dim], ds, shape, e, dim - 1);
        }
    }

    @Override
    public void fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        long n = StridedCopy.checkBounds(dst, dstOffset, dstStrides, shape, elemSize, "fill destination");
        if (n == 0) return;
        long[][] c = StridedCopy.coalesce(shape, dstStrides, dstStrides);
        fillDim(dst, dstOffset, c[2], c[0], elemSize, pattern, c[0].length - 1);
    }

    private static void fillDim(MemorySegment dst, long off, long[] ds, long[] shape, int e, long p, int dim) {
        if (dim == 0) {
            if (ds[0] == e && (e == 1 || isRepeatedByte(p, e))) {
                dst.asSlice(off, shape[0] * e).fill((byte) p);
                return;
            }
            for (long i = 0; i < shape[0]; i++) put(dst, off + i * ds[0], e, p);
            return;
        }
        for (long i = 0; i < shape[dim]; i++) fillDim(dst, off + i * ds[dim], ds, shape, e, p, dim - 1);
    }

    private static boolean isRepeatedByte(long p, int e) {
        long b = p & 0xff;
        // Bytes beyond the 8th are zero (see put); a shift by >= 64 would wrap around in Java.
        for (int i = 1; i < e; i++) if ((i < 8 ? (p >>> (8 * i)) & 0xff : 0) != b) return false;
        return true;
    }

    static void put(MemorySegment dst, long off, int e, long p) {
        switch (e) {
            case 1 -> dst.set(Layouts.B, off, (byte) p);
            case 2 -> dst.set(Layouts.S, off, (short) p);
            case 4 -> dst.set(Layouts.I, off, (int) p);
            case 8 -> dst.set(Layouts.L, off, p);
            default -> {
                for (int i = 0; i < e; i++) dst.set(Layouts.B, off + i, i < 8 ? (byte) (p >>> (8 * i)) : 0);
            }
        }
    }

    @Override
    public String name() {
        return "java";
    }
}
