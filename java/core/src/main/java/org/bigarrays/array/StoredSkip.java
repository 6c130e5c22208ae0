package org.bigarrays.array;

import org.bigarrays.core.Box;
import org.bigarrays.precomputed.StoredChunks;

/**
 * Planning follows what is stored: which planned boxes of a job can be skipped because no chunk
 * is stored where they read (their output would be all fill, which writers leave out) nor where
 * they write (so nothing stale stays behind). Built from one listing per scale
 * ({@link StoredChunks}) before the work starts; when fill chunks are to be stored, or a
 * listing is incomplete (an unreadable shard index), nothing is skipped.
 */
final class StoredSkip {
    private static final StoredSkip NONE = new StoredSkip(null, null);

    private final BigArray[] scales;
    private final StoredChunks[] stored; // null: skip nothing

    private StoredSkip(BigArray[] scales, StoredChunks[] stored) {
        this.scales = scales;
        this.stored = stored;
    }

    /** Skips nothing. */
    static StoredSkip none() {
        return NONE;
    }

    /**
     * The listings of {@code scales[from..to]} (entries outside stay unlisted), or {@link #none()}
     * when {@code storeFillChunks} (every chunk must be written) or a listing is incomplete.
     */
    static StoredSkip of(BigArray[] scales, int from, int to, boolean storeFillChunks) {
        if (storeFillChunks) return NONE;
        StoredChunks[] s = new StoredChunks[scales.length];
        for (int m = from; m <= to; m++) {
            s[m] = scales[m].chunks().stored();
            if (!s[m].complete()) return NONE;
        }
        return new StoredSkip(scales, s);
    }

    /** Whether {@code scales[m]} is known to store no chunk under {@code box} (false when unknown). */
    boolean nothingStored(int m, Box box) {
        return stored != null && stored[m] != null && !stored[m].anyIn(scales[m].grid().cellRange(box));
    }
}
