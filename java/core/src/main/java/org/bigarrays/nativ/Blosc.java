package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * Blosc 1 buffers (BigArrays.jl's {@code blosclz} encoding) through the system's libblosc (see
 * {@link NativeLibrary#BLOSC}). There is no Java twin: when the library is off or missing, every
 * call raises a {@link org.bigarrays.FormatException} saying so and naming the fix. Thread-safe.
 */
public final class Blosc {
    private Blosc() {}

    /** Whether libblosc is loaded and switched on. */
    public static boolean available() {
        return BloscBinding.available();
    }

    /**
     * Decompress a blosc buffer into {@code out}; returns the bytes produced.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data
     */
    public static long decompress(MemorySegment in, MemorySegment out, String key) {
        return BloscBinding.decompress(in, out, key);
    }

    /** Compress with blosclz, byte shuffle over {@code typeSize}, level 5 (Blosc.jl's defaults). */
    public static MemorySegment compress(MemorySegment in, int typeSize) {
        return BloscBinding.compress(in, typeSize);
    }

    /**
     * Compress with compressor {@code cname} at {@code clevel} (0..9), {@code shuffle} 0 none,
     * 1 byte, 2 bit, over {@code typeSize}-byte elements, in blocks of {@code blockSize} bytes
     * (0: blosc chooses).
     */
    public static MemorySegment compress(MemorySegment in, int typeSize, String cname, int clevel, int shuffle, long blockSize) {
        return BloscBinding.compress(in, typeSize, cname, clevel, shuffle, blockSize);
    }

    /** The compressors the loaded libblosc was built with (blosclz, lz4, lz4hc, snappy, zlib, zstd). */
    public static java.util.List<String> compressors() {
        return BloscBinding.compressors();
    }
}
