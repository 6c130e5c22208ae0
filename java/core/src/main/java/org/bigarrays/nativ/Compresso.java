package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * The {@code compresso} codec in C (libbigarrays), the twin of
 * {@code org.bigarrays.codec.CompressoFormat} (same checks, byte-exact encoder): used by
 * {@code CompressoCodec} when {@link #available()}. Thread-safe.
 */
public final class Compresso {
    private Compresso() {}

    /** Whether the C decoder can be used. */
    public static boolean available() {
        return CompressoBinding.available();
    }

    /** Whether the C encoder can be used. */
    public static boolean encodeAvailable() {
        return CompressoBinding.encodeAvailable();
    }

    /**
     * Decode a chunk of {@code shape} [x, y, z] with {@code width}-byte labels into {@code out}.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on malformed data
     */
    public static void decode(MemorySegment encoded, long[] shape, int width, MemorySegment out, String key) {
        CompressoBinding.decode(encoded, shape, width, out, key);
    }

    /** Encode a dense chunk (Fortran order) as {@code compresso.compress} does by default. */
    public static MemorySegment encode(MemorySegment chunk, long[] shape, int width) {
        return CompressoBinding.encode(chunk, shape, width);
    }
}
