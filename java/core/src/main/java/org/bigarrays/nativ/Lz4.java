package org.bigarrays.nativ;

import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Which lz4-java implementation the LZ4 frame codec uses. lz4-java brings its own JNI library;
 * with native code off ({@code BIGARRAYS_NATIVE=0}, or {@code BIGARRAYS_NATIVE_LZ4=0} /
 * {@code -Dbigarrays.native.lz4=false}) its pure-Java "safe" instances are used instead, which
 * read and write the same bytes.
 */
public final class Lz4 {
    private static final boolean NATIVE = NativeLibrary.enabled("lz4");

    private Lz4() {}

    /** The LZ4 block compressors and decompressors to use. */
    public static LZ4Factory factory() {
        return NATIVE ? LZ4Factory.fastestInstance() : LZ4Factory.safeInstance();
    }

    /** The xxHash implementation for frame checksums. */
    public static XXHashFactory xxhash() {
        return NATIVE ? XXHashFactory.fastestInstance() : XXHashFactory.safeInstance();
    }

    /** Whether lz4-java may use its JNI library (it still falls back to Java when that does not load). */
    public static boolean nativeAllowed() {
        return NATIVE;
    }

    static String status() {
        return NATIVE ? "lz4-java " + factory() + " (JNI allowed)" : "lz4-java pure-Java safe instance, " + NativeLibrary.disabledStatus("lz4");
    }
}
