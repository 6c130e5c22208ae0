package org.bigarrays.array;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * {@code long[]} results the JVM does not zero first, for reads that write every element anyway
 * ({@link BigArray#read(org.bigarrays.core.Box)}): {@code jdk.internal.misc.Unsafe.allocateUninitializedArray}
 * when {@code java.base} exports {@code jdk.internal.misc} to this code
 * ({@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, or {@code =org.bigarrays.core} on
 * the module path), else a plain {@code new long[n]}. Either way a heap array the garbage collector
 * accounts for. Only the JIT-compiled (C2) call skips the zeroing: the interpreter's and C1's
 * fallback zero the array, which is still correct.
 */
final class UninitializedLongs {
    private UninitializedLongs() {}

    /** {@code (Class, int) -> Object} bound to the Unsafe instance; null without the export. */
    private static final MethodHandle ALLOCATE = find();

    /**
     * Tests set this to see what an uninitialized array could hold: every new array is filled
     * with {@link #POISON}, so a voxel the read forgot to write shows as garbage, not as a lucky 0.
     */
    static volatile boolean poisonForTests;

    static final long POISON = 0xA5A5_5A5A_C3C3_3C3CL;

    private static MethodHandle find() {
        try {
            Class<?> unsafe = Class.forName("jdk.internal.misc.Unsafe");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Object instance = lookup.findStatic(unsafe, "getUnsafe", MethodType.methodType(unsafe)).invoke();
            MethodHandle allocate = lookup.findVirtual(unsafe, "allocateUninitializedArray",
                    MethodType.methodType(Object.class, Class.class, int.class)).bindTo(instance);
            // One call to be sure it works here, so a failure falls back now, not in a read.
            if (((long[]) (Object) allocate.invokeExact((Class<?>) long.class, 1)).length != 1) return null;
            return allocate;
        } catch (Throwable notExported) { // IllegalAccessException without the export; anything else: the same fallback
            return null;
        }
    }

    /** Whether arrays come without the JVM's zeroing (the export is in place). */
    static boolean uninitialized() {
        return ALLOCATE != null;
    }

    /**
     * A {@code long[n]} whose contents are unspecified (zero without the export): the caller
     * writes every element it exposes.
     */
    static long[] allocate(int n) {
        long[] a;
        if (ALLOCATE == null) {
            a = new long[n];
        } else {
            try {
                a = (long[]) (Object) ALLOCATE.invokeExact((Class<?>) long.class, n);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable impossible) { // the method declares no checked exception
                throw new IllegalStateException(impossible);
            }
        }
        if (poisonForTests) Arrays.fill(a, POISON);
        return a;
    }
}
