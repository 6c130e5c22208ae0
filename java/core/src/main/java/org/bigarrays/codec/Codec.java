package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;

/**
 * Turns one chunk's stored bytes into the chunk array and back, for one {@code encoding} of the
 * precomputed format. Implementations are immutable and thread-safe; built once per scale.
 * Transport compression (gzip, zstd, lz4 around the encoded bytes) is handled outside, by
 * {@link Compression}.
 */
public interface Codec {
    /** The info's {@code encoding} name. */
    String encoding();

    /**
     * Decode {@code encoded} into {@code into} (at least {@code layout.byteSize()} bytes, Fortran
     * order).
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when the bytes are malformed
     */
    void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key);

    /**
     * Where the encoded bytes already are the chunk array (raw), return them after checking;
     * otherwise null, and the caller decodes into a buffer. Saves a copy per chunk.
     */
    default MemorySegment decodeInPlace(MemorySegment encoded, ChunkLayout layout, String key) {
        return null;
    }

    /** Encode a dense chunk (Fortran order, {@code layout.byteSize()} bytes). */
    MemorySegment encode(MemorySegment chunk, ChunkLayout layout);
}
