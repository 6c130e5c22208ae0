package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * The C kernels of {@code libbigarrays} through FFM: one downcall per copy (per chunk), never
 * per row. Calls are {@linkplain Linker.Option#critical(boolean) critical} with heap access, so
 * heap segments (chunk bytes read into a {@code byte[]}) and off-heap segments both go to C
 * without copying; a copy is short enough (one chunk) that holding off the GC for it is fine.
 *
 * <p>Arguments are checked here first (for the messages, see {@link StridedCopy#checkBounds})
 * and again in C, which refuses any box that leaves a buffer. Only usable when
 * {@link NativeLibrary#isLoaded()} of {@link NativeLibrary#BIGARRAYS}.
 */
public final class NativeKernels implements Kernels {
    private static final MethodHandle COPY;
    private static final MethodHandle FILL;
    private static final MethodHandle GATHER;

    static {
        SymbolLookup lib = NativeLibrary.BIGARRAYS.symbols()
                .orElseThrow(() -> new IllegalStateException("native kernels: " + NativeLibrary.BIGARRAYS.status()));
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        COPY = linker.downcallHandle(lib.findOrThrow("ba_copy"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_LONG), critical);
        GATHER = linker.downcallHandle(lib.findOrThrow("ba_gather"), FunctionDescriptor.of(JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG), critical);
        FILL = linker.downcallHandle(lib.findOrThrow("ba_fill"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG), critical);
    }

    /** Result codes of bigarrays.h. */
    static final int BA_OK = 0;
    static final int BA_OUT_OF_BOUNDS = 1;
    static final int BA_BAD_ARGUMENT = 2;

    @Override
    public void copy(MemorySegment src, long srcOffset, long[] srcStrides,
                     MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        long n = StridedCopy.checkCopy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
        if (n == 0) return;
        checkWritable(dst);
        int rc = rawCopy(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape, elemSize);
        if (rc != BA_OK) throw failure(rc, "copy", shape, srcStrides, dstStrides);
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
        int rc = rawGather(srcs, srcOffsets, srcStrides, extents, dst, dstOffset, dstStrides, shape, elemSize);
        if (rc != BA_OK) throw failure(rc, "gather of " + srcs.length + " sources", shape, extents, dstStrides);
    }

    /** The gather downcall alone (off-heap sources), without the Java-side checks. */
    static int rawGather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                         MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        int n = srcs.length;
        int rank = shape.length;
        long[] addresses = new long[n];
        long[] sizes = new long[n];
        long[] strides = new long[n * rank];
        for (int k = 0; k < n; k++) {
            addresses[k] = srcs[k].address();
            sizes[k] = srcs[k].byteSize();
            System.arraycopy(srcStrides[k], 0, strides, k * rank, Math.min(rank, srcStrides[k].length));
        }
        try {
            return (int) GATHER.invokeExact(n, MemorySegment.ofArray(addresses), MemorySegment.ofArray(sizes),
                    MemorySegment.ofArray(srcOffsets), MemorySegment.ofArray(strides), MemorySegment.ofArray(extents),
                    dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), rank, (long) elemSize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public void fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        long n = StridedCopy.checkBounds(dst, dstOffset, dstStrides, shape, elemSize, "fill destination");
        if (n == 0) return;
        checkWritable(dst);
        int rc = rawFill(dst, dstOffset, dstStrides, shape, elemSize, pattern);
        if (rc != BA_OK) throw failure(rc, "fill", shape, dstStrides, dstStrides);
    }

    /** The downcall alone, without the Java-side checks (tests use it to prove C checks too). */
    static int rawCopy(MemorySegment src, long srcOffset, long[] srcStrides,
                       MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        try {
            return (int) COPY.invokeExact(src, src.byteSize(), srcOffset, MemorySegment.ofArray(srcStrides),
                    dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), shape.length, (long) elemSize);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The fill downcall alone, without the Java-side checks. */
    static int rawFill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        try {
            return (int) FILL.invokeExact(dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), shape.length, (long) elemSize, pattern);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void checkWritable(MemorySegment dst) {
        // C cannot see Java's read-only flag; refuse here as MemorySegment.copy would.
        if (dst.isReadOnly()) throw new IllegalArgumentException("copy destination is a read-only segment");
    }

    private static RuntimeException failure(int rc, String what, long[] shape, long[] a, long[] b) {
        String detail = what + " of box " + Arrays.toString(shape) + " with strides " + Arrays.toString(a)
                + " / " + Arrays.toString(b);
        return rc == BA_OUT_OF_BOUNDS
                ? new IndexOutOfBoundsException("native " + detail + ": outside a buffer")
                : new IllegalArgumentException("native " + detail + ": bad argument (code " + rc + ")");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @Override
    public String name() {
        return "native";
    }
}
