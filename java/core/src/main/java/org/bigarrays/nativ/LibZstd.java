package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * zstd through the system's libzstd, when it is loaded and not switched off (see
 * {@link NativeLibrary#LIBZSTD}); callers use zstd-jni when {@link #available()} is false.
 * Heap and off-heap segments alike, without copies. Thread-safe.
 */
public final class LibZstd {
    /** The level used for writing: 3, zstd's default. */
    public static final int LEVEL = LibZstdBinding.LEVEL;

    private LibZstd() {}

    /** Whether libzstd is loaded and switched on. */
    public static boolean available() {
        return LibZstdBinding.available();
    }

    /**
     * Decompress the zstd frame(s) {@code in} into {@code out}; returns the bytes produced.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data (checksum
     *     included) or when it decompresses past {@code out}
     */
    public static long decompress(MemorySegment in, MemorySegment out, String key) {
        return LibZstdBinding.decompress(in, out, key);
    }

    /** The most bytes {@link #compress} can produce for {@code n} input bytes. */
    public static long compressBound(long n) {
        return LibZstdBinding.compressBound(n);
    }

    /**
     * Compress {@code in} at level {@link #LEVEL} with a content checksum, as one frame, into
     * {@code out} (at least {@link #compressBound} bytes); returns the frame's size.
     */
    public static long compress(MemorySegment in, MemorySegment out) {
        return LibZstdBinding.compress(in, out, LEVEL);
    }

    /**
     * {@link #compress(MemorySegment, MemorySegment)} at {@code level} (checked by the caller:
     * see {@code ZstdCodec.checkLevel}).
     */
    public static long compress(MemorySegment in, MemorySegment out, int level) {
        return LibZstdBinding.compress(in, out, level);
    }
}
