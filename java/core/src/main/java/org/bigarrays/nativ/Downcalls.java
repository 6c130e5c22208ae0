package org.bigarrays.nativ;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Makes downcall handles from one loaded library's symbols: what a binding's link step gets from
 * {@link NativeLibrary#link}. A missing symbol throws {@link java.util.NoSuchElementException},
 * which {@code link} turns into one warning.
 */
final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private final SymbolLookup symbols;

    Downcalls(SymbolLookup symbols) {
        this.symbols = symbols;
    }

    /**
     * A short call that neither blocks nor calls back: {@linkplain Linker.Option#critical(boolean)
     * critical} with heap access, so heap and off-heap segments reach C without a copy.
     */
    MethodHandle critical(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbols.findOrThrow(name), fd, CRITICAL);
    }

    /** Any other call (allocations, calls that keep pointers: those get native segments only). */
    MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbols.findOrThrow(name), fd);
    }

    /**
     * What to throw for the {@code Throwable} that {@code invokeExact} declares: runtime exceptions
     * and errors as they are (an {@code Error} is thrown here), anything else wrapped.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
