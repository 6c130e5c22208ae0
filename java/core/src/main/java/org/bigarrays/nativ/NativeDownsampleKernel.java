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
 * {@code ba_downsample} of libbigarrays through FFM: one critical downcall per block of work
 * (heap and off-heap segments go to C without copying). Arguments are checked here first (for
 * the messages) and again in C. Absent when the library does not load, is switched off, or is
 * an older build without the symbol: {@link JavaDownsampleKernel} is used then.
 */
final class NativeDownsampleKernel implements DownsampleKernel {
    private static final MethodHandle DOWNSAMPLE;
    static final boolean AVAILABLE;

    static {
        MethodHandle h = null;
        SymbolLookup lib = NativeLibrary.BIGARRAYS.symbols().orElse(null);
        if (lib != null) {
            h = lib.find("ba_downsample").map(s -> Linker.nativeLinker().downcallHandle(s, FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG),
                    Linker.Option.critical(true))).orElse(null);
        }
        DOWNSAMPLE = h;
        AVAILABLE = h != null;
    }

    @Override
    public void downsample(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                           long[] factor, long[] phase, MemorySegment out) {
        if (DownsampleChecks.check(in, inShape, dtype, method, factor, phase, out) == null) return;
        int rc = raw(in, inShape, dtype, method, sparse, fill, factor, phase, out);
        switch (rc) {
            case CsegBinding.BA_OK -> { }
            case CsegBinding.BA_NO_MEMORY -> throw new OutOfMemoryError("ba_downsample: no memory for one block of " + Arrays.toString(factor));
            case CsegBinding.BA_OUT_OF_BOUNDS -> throw new IndexOutOfBoundsException("native downsample of " + Arrays.toString(inShape) + ": outside a buffer");
            default -> throw new IllegalArgumentException("native downsample of " + Arrays.toString(inShape) + " by " + Arrays.toString(factor)
                    + " phase " + Arrays.toString(phase) + ": bad argument (code " + rc + ")");
        }
    }

    /** The downcall alone, without the Java-side checks (tests use it to prove C checks too). */
    static int raw(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                   long[] factor, long[] phase, MemorySegment out) {
        try {
            return (int) DOWNSAMPLE.invokeExact(in, in.byteSize(), MemorySegment.ofArray(inShape), dtype, method, sparse ? 1 : 0, fill,
                    MemorySegment.ofArray(factor), MemorySegment.ofArray(phase), out, out.byteSize());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String name() {
        return "native";
    }
}
