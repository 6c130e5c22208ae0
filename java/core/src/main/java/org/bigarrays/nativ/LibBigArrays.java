package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libbigarrays ({@code native/include/bigarrays.h}) through FFM: every downcall into our own
 * library, and nothing else. Each method is one critical call (heap and off-heap segments reach C
 * without a copy; png's calls, which take milliseconds, are plain ones when every segment is off-heap) that passes every segment with its byte size and returns C's {@code ba_result}
 * as an int ({@link NativeResult#of}); C checks every bound itself, so these calls are safe
 * without the callers' Java-side checks (tests call them directly to prove it).
 *
 * <p>Each function is linked on its first call, in its own holder class: a downcall handle costs
 * milliseconds to make, and a short run (one CLI cutout) needs one or two. Only usable when
 * {@link NativeLibrary#BIGARRAYS} is loaded (which checks the ABI version, so every symbol exists).
 * Thread-safe, as every function of bigarrays.h.
 */
final class LibBigArrays {
    private LibBigArrays() {}

    private static MethodHandle link(String name, FunctionDescriptor fd) {
        NativeLibrary.Linked<MethodHandle> linked = NativeLibrary.BIGARRAYS.link(name, "the libbigarrays.so of this build (mvn package)",
                d -> d.critical(name, fd));
        if (linked.handles() == null) throw new IllegalStateException(linked.error());
        return linked.handles();
    }

    /** A plain (not critical) handle: for calls long enough that holding safepoints would stall other threads. */
    private static MethodHandle linkPlain(String name, FunctionDescriptor fd) {
        NativeLibrary.Linked<MethodHandle> linked = NativeLibrary.BIGARRAYS.link(name, "the libbigarrays.so of this build (mvn package)",
                d -> d.plain(name, fd));
        if (linked.handles() == null) throw new IllegalStateException(linked.error());
        return linked.handles();
    }

    private static final class Copy {
        static final MethodHandle H = link("ba_copy", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
    }

    private static final class Gather {
        static final MethodHandle H = link("ba_gather", FunctionDescriptor.of(JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
    }

    private static final class Fill {
        static final MethodHandle H = link("ba_fill", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    private static final class CsegDecode {
        static final MethodHandle H = link("ba_cseg_decode", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class CsegDecodeBox {
        static final MethodHandle H = link("ba_cseg_decode_box", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    }

    private static final class CsegEncode {
        static final MethodHandle H = link("ba_cseg_encode", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        static final MethodHandle BOUND = link("ba_cseg_encode_bound", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }

    private static final class CpsoDecode {
        static final MethodHandle H = link("ba_cpso_decode", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class CpsoEncode {
        static final MethodHandle H = link("ba_cpso_encode", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        static final MethodHandle BOUND = link("ba_cpso_encode_bound", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }

    private static final class Png {
        static final FunctionDescriptor DECODE_FD = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG);
        static final FunctionDescriptor ENCODE_FD = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
        static final MethodHandle AVAILABLE = link("ba_png_available", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle LIBRARY = link("ba_png_library", FunctionDescriptor.of(ADDRESS));
        static final MethodHandle DECODE = link("ba_png_decode", DECODE_FD);
        static final MethodHandle ENCODE = link("ba_png_encode", ENCODE_FD);
        // A png call takes milliseconds: a critical call that long holds every safepoint (and so every
        // other thread at its next one) until it returns, longer still when the machine is loaded.
        // Off-heap segments go through these plain handles instead; heap ones need the critical ones.
        static final MethodHandle DECODE_PLAIN = linkPlain("ba_png_decode", DECODE_FD);
        static final MethodHandle ENCODE_PLAIN = linkPlain("ba_png_encode", ENCODE_FD);
    }

    /** Its own holder: a libbigarrays older than ba_png_decode_libdeflate still links {@link Png}. */
    private static final class PngLibdeflate {
        static final FunctionDescriptor DECODE_FD = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG);
        static final MethodHandle AVAILABLE = link("ba_png_libdeflate_available", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle DECODE = link("ba_png_decode_libdeflate", DECODE_FD);
        static final MethodHandle DECODE_PLAIN = linkPlain("ba_png_decode_libdeflate", DECODE_FD); // see Png
    }

    private static final class Downsample {
        static final MethodHandle H = link("ba_downsample", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** {@code ba_copy}: the box {@code shape} from {@code src} to {@code dst}. */
    static int copy(MemorySegment src, long srcOffset, long[] srcStrides,
                    MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        try {
            return (int) Copy.H.invokeExact(src, src.byteSize(), srcOffset, MemorySegment.ofArray(srcStrides),
                    dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), shape.length, (long) elemSize);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * {@code ba_gather}: one output slab from sources side by side along dimension 0. The sources
     * must be off-heap: C gets their addresses in an array, which a heap segment cannot be put in.
     */
    static int gather(MemorySegment[] srcs, long[] srcOffsets, long[][] srcStrides, long[] extents,
                      MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize) {
        int n = srcs.length;
        int rank = shape.length;
        long[] addresses = new long[n];
        long[] sizes = new long[n];
        long[] strides = new long[n * rank];
        for (int k = 0; k < n; k++) {
            if (!srcs[k].isNative()) throw new IllegalArgumentException("ba_gather: source " + k + " is a heap segment");
            addresses[k] = srcs[k].address();
            sizes[k] = srcs[k].byteSize();
            System.arraycopy(srcStrides[k], 0, strides, k * rank, Math.min(rank, srcStrides[k].length));
        }
        try {
            return (int) Gather.H.invokeExact(n, MemorySegment.ofArray(addresses), MemorySegment.ofArray(sizes),
                    MemorySegment.ofArray(srcOffsets), MemorySegment.ofArray(strides), MemorySegment.ofArray(extents),
                    dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), rank, (long) elemSize);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_fill}: every element of the box set to {@code pattern}'s low bytes. */
    static int fill(MemorySegment dst, long dstOffset, long[] dstStrides, long[] shape, int elemSize, long pattern) {
        try {
            return (int) Fill.H.invokeExact(dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides),
                    MemorySegment.ofArray(shape), shape.length, (long) elemSize, pattern);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cseg_decode}: a compressed_segmentation chunk (channel-offset header included) into {@code out}. */
    static int csegDecode(MemorySegment in, long[] shape, int channels, int[] block, int wordsPerValue, MemorySegment out) {
        try {
            return (int) CsegDecode.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), channels,
                    MemorySegment.ofArray(block), wordsPerValue, out, out.byteSize());
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * {@code ba_cseg_decode_box}: the sub-box {@code boxMin}, {@code boxShape} of a
     * compressed_segmentation chunk straight into {@code dst} at {@code dstOffset} with byte
     * strides {@code dstStrides} [x, y, z, channel].
     */
    static int csegDecodeBox(MemorySegment in, long[] shape, int channels, int[] block, int wordsPerValue, long[] boxMin, long[] boxShape,
                             MemorySegment dst, long dstOffset, long[] dstStrides) {
        try {
            return (int) CsegDecodeBox.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), channels,
                    MemorySegment.ofArray(block), wordsPerValue, MemorySegment.ofArray(boxMin), MemorySegment.ofArray(boxShape),
                    dst, dst.byteSize(), dstOffset, MemorySegment.ofArray(dstStrides));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cseg_encode}: the bytes written go to {@code written[0]}. */
    static int csegEncode(MemorySegment in, long[] shape, int channels, int[] block, int wordsPerValue, MemorySegment out, long[] written) {
        try {
            return (int) CsegEncode.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), channels,
                    MemorySegment.ofArray(block), wordsPerValue, out, out.byteSize(), MemorySegment.ofArray(written));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cseg_encode_bound}: the most bytes {@link #csegEncode} writes, into {@code bound[0]}. */
    static int csegEncodeBound(long[] shape, int channels, int[] block, int wordsPerValue, long[] bound) {
        try {
            return (int) CsegEncode.BOUND.invokeExact(MemorySegment.ofArray(shape), channels, MemorySegment.ofArray(block), wordsPerValue,
                    MemorySegment.ofArray(bound));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cpso_decode}: a compresso chunk into {@code out}. */
    static int cpsoDecode(MemorySegment in, long[] shape, int width, MemorySegment out) {
        try {
            return (int) CpsoDecode.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), width, out, out.byteSize());
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cpso_encode}: the bytes written go to {@code written[0]}. */
    static int cpsoEncode(MemorySegment in, long[] shape, int width, MemorySegment out, long[] written) {
        try {
            return (int) CpsoEncode.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), width, out, out.byteSize(),
                    MemorySegment.ofArray(written));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_cpso_encode_bound}: the most bytes {@link #cpsoEncode} writes, into {@code bound[0]}. */
    static int cpsoEncodeBound(long[] shape, int width, long[] bound) {
        try {
            return (int) CpsoEncode.BOUND.invokeExact(MemorySegment.ofArray(shape), width, MemorySegment.ofArray(bound));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_downsample}: one mip from the mip below ({@code dtype} and {@code method} as in {@link DownsampleKernel}). */
    static int downsample(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                          long[] factor, long[] phase, MemorySegment out) {
        try {
            return (int) Downsample.H.invokeExact(in, in.byteSize(), MemorySegment.ofArray(inShape), dtype, method, sparse ? 1 : 0, fill,
                    MemorySegment.ofArray(factor), MemorySegment.ofArray(phase), out, out.byteSize());
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_png_available}: 1 when libbigarrays could load libspng.so.0. */
    static int pngAvailable() {
        try {
            return (int) Png.AVAILABLE.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_png_library}: libspng's version, or null when it is not loaded. */
    static String pngLibrary() {
        try {
            MemorySegment s = (MemorySegment) Png.LIBRARY.invokeExact();
            return s.address() == 0 ? null : s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_png_decode}: a png into the planar chunk {@code out}; C's one-line reason goes to {@code err} (NUL-terminated). */
    static int pngDecode(MemorySegment in, int width, int height, int channels, int bitDepth, boolean checkCrc, MemorySegment out, byte[] err) {
        int crc = checkCrc ? 1 : 0;
        return withReason(in, out, err, Png.DECODE, Png.DECODE_PLAIN,
                (h, e, n) -> (int) h.invokeExact(in, in.byteSize(), width, height, channels, bitDepth, crc, out, out.byteSize(), e, n));
    }

    /** A png decode downcall given its handle and the reason buffer it writes. */
    @FunctionalInterface
    private interface ReasonCall {
        int invoke(MethodHandle h, MemorySegment reason, long reasonBytes) throws Throwable;
    }

    /**
     * {@code call} through {@code critical} when {@code in} or {@code out} is on the heap (which
     * only critical calls take), else through {@code plain} (see {@link Png}), its reason copied
     * into {@code err} on failure.
     */
    private static int withReason(MemorySegment in, MemorySegment out, byte[] err, MethodHandle critical, MethodHandle plain, ReasonCall call) {
        try {
            if (!in.isNative() || !out.isNative()) return call.invoke(critical, MemorySegment.ofArray(err), err.length);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment e = a.allocate(err.length);
                int rc = call.invoke(plain, e, err.length);
                if (rc != 0) MemorySegment.copy(e, JAVA_BYTE, 0, err, 0, err.length);
                return rc;
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_png_libdeflate_available}: 1 when libbigarrays could load libdeflate.so.0 for png. */
    static int pngLibdeflateAvailable() {
        try {
            return (int) PngLibdeflate.AVAILABLE.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** {@code ba_png_decode_libdeflate}: {@link #pngDecode} for a non-interlaced png, the image inflated at once (CRCs unchecked). */
    static int pngDecodeLibdeflate(MemorySegment in, int width, int height, int channels, int bitDepth, MemorySegment out, byte[] err) {
        return withReason(in, out, err, PngLibdeflate.DECODE, PngLibdeflate.DECODE_PLAIN,
                (h, e, n) -> (int) h.invokeExact(in, in.byteSize(), width, height, channels, bitDepth, out, out.byteSize(), e, n));
    }

    /** {@code ba_png_encode}: the planar chunk {@code in} as a png into {@code out}; the bytes written go to {@code written[0]}. */
    static int pngEncode(MemorySegment in, int width, int height, int channels, int bitDepth, int level, MemorySegment out, long[] written) {
        try {
            if (!in.isNative() || !out.isNative()) {
                return (int) Png.ENCODE.invokeExact(in, in.byteSize(), width, height, channels, bitDepth, level, out, out.byteSize(),
                        MemorySegment.ofArray(written));
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment w = a.allocate(JAVA_LONG);
                int rc = (int) Png.ENCODE_PLAIN.invokeExact(in, in.byteSize(), width, height, channels, bitDepth, level, out, out.byteSize(), w);
                written[0] = w.get(JAVA_LONG, 0);
                return rc;
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
