package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.kvstore.Generation;

/**
 * One chunk as an array ({@link #layout()}: Fortran order, channel slowest), or its absence,
 * with the generation it was read at (for conditional writes). It owns the memory its data
 * lives in (a leased buffer, or the leased bytes it was decoded in place from): close it when
 * done, after which {@link #data()} must not be used. Not thread-safe: one owner at a time.
 */
public final class DecodedChunk implements AutoCloseable {
    private final ChunkLayout layout;
    private final MemorySegment data;
    private final String generation;
    private final AutoCloseable owned;
    private final boolean storedPlain;
    private boolean closed;

    /** @param storedPlain whether {@code data} is the stored bytes themselves (the codec's verdict) */
    DecodedChunk(ChunkLayout layout, MemorySegment data, String generation, AutoCloseable owned, boolean storedPlain) {
        this.layout = layout;
        this.data = data;
        this.generation = generation;
        this.owned = owned;
        this.storedPlain = storedPlain;
    }

    /** A chunk that is not stored (read as the fill value), at {@code generation}. */
    static DecodedChunk missing(ChunkLayout layout, String generation) {
        return new DecodedChunk(layout, null, generation, null, false);
    }

    /**
     * Whether the chunk was stored as the chunk array itself, so that reading it cost no decode
     * (the codec's verdict: {@link ChunkCodec#decodeInPlace}); false when missing.
     */
    public boolean storedPlain() {
        return storedPlain;
    }

    public boolean found() {
        return data != null;
    }

    public ChunkLayout layout() {
        return layout;
    }

    /** The chunk array ({@code layout().byteSize()} bytes); throws when the chunk is missing or closed. */
    public MemorySegment data() {
        if (closed) throw new IllegalStateException("chunk already closed");
        if (data == null) throw new IllegalStateException("chunk is missing: no data");
        return data;
    }

    /** The stored version this was read at ({@link Generation#NO_VALUE} when missing). */
    public String generation() {
        return generation;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
