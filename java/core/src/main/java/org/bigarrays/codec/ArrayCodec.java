package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;

/**
 * An array ↔ bytes stage (raw, compressed_segmentation, jpeg, png) of a {@link CodecPipeline}:
 * turns a dense chunk (Fortran order, {@link ChunkLayout}) into the bytes of one
 * {@link Encoding} and back. Implementations are immutable and thread-safe.
 */
public interface ArrayCodec {
    /** The encoding this codec writes. */
    Encoding encoding();

    /**
     * Decode all of {@code encoded} into the first {@code layout.byteSize()} bytes of {@code into};
     * never writes past them.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when the bytes are malformed,
     *     describe another shape, or are followed by trailing bytes
     */
    void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key);

    /** Encode a dense chunk ({@code layout.byteSize()} bytes). */
    MemorySegment encode(MemorySegment chunk, ChunkLayout layout);

    /**
     * The most bytes a valid encoding of {@code layout} can take: the buffer a transport
     * decompressor gets before this codec decodes (more is corruption).
     */
    long maxEncodedSize(ChunkLayout layout);

    /**
     * Refuse data types / channel counts this encoding cannot store.
     * @throws org.bigarrays.InvalidInputException naming the encoding, type and channels
     */
    void check(ChunkLayout layout);
}
