package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;

/**
 * {@code ba_cpso_*} of libbigarrays through FFM (critical downcalls: heap segments go to C
 * without copying). The encoder writes into a buffer of {@code ba_cpso_encode_bound} bytes.
 */
final class CompressoBinding {
    private static final int BA_OK = 0, BA_CORRUPT_INPUT = 3, BA_NO_MEMORY = 5;

    private static final MethodHandle DECODE, ENCODE, BOUND;

    static {
        MethodHandle d = null, e = null, b = null;
        SymbolLookup lib = NativeLibrary.BIGARRAYS.symbols().orElse(null);
        if (lib != null) {
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            d = lib.find("ba_cpso_decode").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG), critical)).orElse(null);
            e = lib.find("ba_cpso_encode").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), critical)).orElse(null);
            b = lib.find("ba_cpso_encode_bound").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(JAVA_LONG,
                    ADDRESS, JAVA_INT), critical)).orElse(null);
        }
        DECODE = d;
        ENCODE = b == null ? null : e;
        BOUND = b;
    }

    private CompressoBinding() {}

    static boolean available() {
        return DECODE != null;
    }

    static boolean encodeAvailable() {
        return ENCODE != null;
    }

    static void decode(MemorySegment in, long[] shape, int width, MemorySegment out, String key) {
        check(shape);
        if (out.isReadOnly()) throw new IllegalArgumentException("compresso: the output buffer is read-only");
        int r;
        try {
            r = (int) DECODE.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), width, out, out.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
        switch (r) {
            case BA_OK -> { }
            case BA_CORRUPT_INPUT -> throw new CorruptChunkException(key, "compresso data is malformed");
            case BA_NO_MEMORY -> throw new OutOfMemoryError("ba_cpso_decode: no memory for its scratch arrays");
            default -> throw new IllegalArgumentException("ba_cpso_decode: result " + r + " for shape " + Arrays.toString(shape)
                    + ", " + width + "-byte labels, " + in.byteSize() + " bytes in, " + out.byteSize() + " bytes out");
        }
    }

    static MemorySegment encode(MemorySegment in, long[] shape, int width) {
        check(shape);
        long bound;
        try {
            bound = (long) BOUND.invokeExact(MemorySegment.ofArray(shape), width);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (bound < 0) throw new InvalidInputException("compresso cannot store a chunk of " + Arrays.toString(shape) + " with " + width + "-byte labels");
        MemorySegment out = bound > Integer.MAX_VALUE - 64 ? Arena.ofAuto().allocate(bound, 8) : MemorySegment.ofArray(new byte[(int) bound]);
        long[] written = new long[1];
        int r;
        try {
            r = (int) ENCODE.invokeExact(in, in.byteSize(), MemorySegment.ofArray(shape), width, out, out.byteSize(), MemorySegment.ofArray(written));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        switch (r) {
            case BA_OK -> { }
            case BA_NO_MEMORY -> throw new OutOfMemoryError("ba_cpso_encode: no memory for its scratch arrays");
            default -> throw new IllegalArgumentException("ba_cpso_encode: result " + r + " for " + in.byteSize() + " bytes, shape "
                    + Arrays.toString(shape) + ", " + width + "-byte labels");
        }
        long n = written[0];
        // An exact-size copy: the encoded chunk may be kept (a cache, a shard being built).
        return n > Integer.MAX_VALUE - 64 ? out.asSlice(0, n) : MemorySegment.ofArray(out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
    }

    private static void check(long[] shape) {
        if (shape.length != 3) throw new IllegalArgumentException("compresso: shape needs 3 entries, found " + Arrays.toString(shape));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
