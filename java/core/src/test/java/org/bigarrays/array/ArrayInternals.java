package org.bigarrays.array;

import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Tests' way to the chunk layer under a {@link BigArray} (its stores, codec, keys), which the
 * public API does not expose: a test-only accessor in the array package.
 */
public final class ArrayInternals {
    private ArrayInternals() {}

    /** The chunk store of {@code a}'s scale. */
    public static ScaleChunkStore chunks(BigArray a) {
        return a.chunks();
    }
}
