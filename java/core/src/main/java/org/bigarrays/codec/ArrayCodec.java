package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;

/**
 * The array → bytes stage of a {@link CodecPipeline} (raw, compressed_segmentation, compresso,
 * jpeg, png, jxl): turns a dense chunk (Fortran order, {@link ChunkLayout}) into bytes and back.
 * A pipeline has exactly one. Implementations are immutable and thread-safe.
 */
public interface ArrayCodec {
    /** The format's name, for messages (precomputed's {@code encoding} value). */
    String name();

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
     * The most bytes a valid encoding of {@code layout} can take: the capacity a bytes stage
     * decodes into before this stage decodes (more is corruption).
     */
    long maxEncodedSize(ChunkLayout layout);

    /**
     * Refuse data types / channel counts this stage cannot store.
     * @throws org.bigarrays.InvalidInputException naming the encoding, type and channels
     */
    void check(ChunkLayout layout);
}
