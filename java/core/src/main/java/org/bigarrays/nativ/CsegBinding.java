package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;

/**
 * {@code ba_cseg_*} of libbigarrays through FFM. Critical downcalls: heap and off-heap segments
 * go to C without copying. The encoder writes into a buffer this class sizes: first the size
 * of the input plus the block headers (enough for segmentation, whose blocks hold few labels),
 * and only when C reports {@code BA_INSUFFICIENT_SPACE} the full {@code ba_cseg_encode_bound}.
 */
final class CsegBinding {
    static final int BA_OK = 0, BA_OUT_OF_BOUNDS = 1, BA_BAD_ARGUMENT = 2, BA_CORRUPT_INPUT = 3,
            BA_INSUFFICIENT_SPACE = 4, BA_NO_MEMORY = 5, BA_TOO_LARGE = 6;

    private static final MethodHandle DECODE, ENCODE, BOUND;

    static {
        MethodHandle d = null, e = null, b = null;
        SymbolLookup lib = NativeLibrary.BIGARRAYS.symbols().orElse(null);
        if (lib != null) {
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            d = linker.downcallHandle(lib.findOrThrow("ba_cseg_decode"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG), critical);
            e = linker.downcallHandle(lib.findOrThrow("ba_cseg_encode"), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), critical);
            b = linker.downcallHandle(lib.findOrThrow("ba_cseg_encode_bound"), FunctionDescriptor.of(JAVA_LONG,
                    ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), critical);
        }
        DECODE = d;
        ENCODE = e;
        BOUND = b;
    }

    private CsegBinding() {}

    static boolean available() {
        return DECODE != null;
    }

    static void decode(MemorySegment in, long[] shape, int channels, int[] block, int wpv, MemorySegment out, String key) {
        check(shape, block);
        if (out.isReadOnly()) throw new IllegalArgumentException("compressed_segmentation: the output buffer is read-only");
        int r;
        try {
            r = (int) DECODE.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), channels, MemorySegment.ofArray(block), wpv,
                    out, out.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        switch (r) {
            case BA_OK -> { }
            case BA_CORRUPT_INPUT -> throw new CorruptChunkException(key, "compressed_segmentation data is malformed (an offset, bit width or index is out of range)");
            case BA_INSUFFICIENT_SPACE -> throw new IllegalArgumentException("compressed_segmentation: output buffer of " + out.byteSize()
                    + " bytes is smaller than the chunk " + Arrays.toString(shape) + " x " + channels);
            default -> throw new IllegalArgumentException("ba_cseg_decode: result " + r + " for shape " + Arrays.toString(shape)
                    + ", block " + Arrays.toString(block) + ", " + channels + " channels, " + wpv + " words per value");
        }
    }

    static MemorySegment encode(MemorySegment in, long[] shape, int channels, int[] block, int wpv) {
        check(shape, block);
        long blocks = 1;
        for (int d = 0; d < 3; d++) blocks *= (shape[d] + block[d] - 1) / block[d];
        long guess = in.byteSize() + 8 * blocks * channels + 4L * channels + 64;
        MemorySegment out = allocate(guess);
        long[] written = new long[1];
        int r = encodeInto(in, shape, channels, block, wpv, out, written);
        if (r == BA_INSUFFICIENT_SPACE) {
            long bound;
            try {
                bound = (long) BOUND.invokeExact(MemorySegment.ofArray(shape), channels, MemorySegment.ofArray(block), wpv);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            out = allocate(bound);
            r = encodeInto(in, shape, channels, block, wpv, out, written);
        }
        switch (r) {
            case BA_OK -> { }
            case BA_TOO_LARGE -> throw new FormatException("compressed_segmentation: a table offset exceeds 24 bits; use a smaller chunk size");
            case BA_NO_MEMORY -> throw new OutOfMemoryError("ba_cseg_encode: no memory for its scratch tables");
            default -> throw new IllegalArgumentException("ba_cseg_encode: result " + r + " for " + in.byteSize() + " bytes, shape "
                    + Arrays.toString(shape) + ", block " + Arrays.toString(block) + ", " + channels + " channels, " + wpv + " words per value");
        }
        long n = written[0];
        if (n == out.byteSize()) return out;
        // An exact-size copy: the encoded chunk may be kept (a cache, a shard being built).
        return n > Integer.MAX_VALUE - 64 ? out.asSlice(0, n) : MemorySegment.ofArray(out.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    private static int encodeInto(MemorySegment in, long[] shape, int channels, int[] block, int wpv, MemorySegment out, long[] written) {
        try {
            return (int) ENCODE.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), channels, MemorySegment.ofArray(block), wpv,
                    out, out.byteSize(), MemorySegment.ofArray(written));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment allocate(long n) {
        return n > Integer.MAX_VALUE - 64 ? Arena.ofAuto().allocate(n, 8) : MemorySegment.ofArray(new byte[(int) n]);
    }

    private static void check(long[] shape, int[] block) {
        if (shape.length != 3 || block.length != 3) {
            throw new IllegalArgumentException("compressed_segmentation: shape and block need 3 entries, found "
                    + Arrays.toString(shape) + " and " + Arrays.toString(block));
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
