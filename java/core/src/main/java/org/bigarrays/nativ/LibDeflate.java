package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * gzip through the system's libdeflate, when it is loaded and not switched off (see
 * {@link NativeLibrary#LIBDEFLATE}); callers use {@code java.util.zip} when {@link #available()}
 * is false. Thread-safe.
 */
public final class LibDeflate {
    /** The level used for writing: 6, zlib's default, so sizes are comparable with CloudVolume's. */
    public static final int LEVEL = LibDeflateBinding.LEVEL;

    private LibDeflate() {}

    /** Whether libdeflate is loaded and switched on. */
    public static boolean available() {
        return LibDeflateBinding.available();
    }

    /**
     * Gunzip {@code in} into {@code out}; returns the bytes produced.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data or when it inflates past {@code out}
     */
    public static long decompress(MemorySegment in, MemorySegment out, String key) {
        return LibDeflateBinding.decompress(in, out, key);
    }

    /** Gzip {@code in} at level {@link #LEVEL}. */
    public static MemorySegment compress(MemorySegment in) {
        return LibDeflateBinding.compress(in);
    }
}
