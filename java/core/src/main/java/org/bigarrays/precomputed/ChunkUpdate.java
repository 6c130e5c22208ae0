package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.bigarrays.kvstore.KeyUpdate;

/**
 * One chunk's change in a batched write ({@link ScaleChunkStore#update}): its new encoded bytes
 * (null: the chunk is removed, it reads as the fill value), or a patch of its stored bytes applied
 * inside the conditional read-modify-write of the chunk or of its shard.
 *
 * @param cell the grid cell
 * @param value the new encoded bytes of a put; null removes the chunk (and is null for a patch)
 * @param patch the change of the stored bytes; null for a put
 */
public record ChunkUpdate(long[] cell, MemorySegment value, KeyUpdate.Patch patch) {
    public ChunkUpdate {
        Objects.requireNonNull(cell, "cell");
        if (patch != null && value != null) throw new IllegalArgumentException("a chunk patch has no value of its own");
    }

    /** Replace the chunk by {@code encoded} (null: remove it). */
    public static ChunkUpdate put(long[] cell, MemorySegment encoded) {
        return new ChunkUpdate(cell, encoded, null);
    }

    /** Change the chunk's stored bytes by {@code patch}. */
    public static ChunkUpdate patch(long[] cell, KeyUpdate.Patch patch) {
        return new ChunkUpdate(cell, null, Objects.requireNonNull(patch, "patch"));
    }
}
