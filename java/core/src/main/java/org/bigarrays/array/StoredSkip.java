package org.bigarrays.array;

import java.lang.foreign.MemorySegment;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.NdView;
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
    private static final long SPARSE_READ_MAX_CHUNKS = 256;

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
     * when {@code storeFillChunks} or a fill value other than 0 (every chunk is written then), or
     * a listing is incomplete.
     */
    static StoredSkip of(BigArray[] scales, int from, int to, boolean storeFillChunks, long fillBits) {
        if (storeFillChunks || fillBits != 0) return NONE; // writers store every chunk then (FillCheck)
        StoredChunks[] s = new StoredChunks[scales.length];
        for (int m = from; m <= to; m++) {
            s[m] = scales[m].chunks().stored();
            if (!s[m].complete()) return NONE;
        }
        return new StoredSkip(scales, s);
    }

    /**
     * Whether {@code a} is known to store at most an eighth of its chunks: a job then does best
     * with small tasks, most of which find nothing stored and are skipped, rather than big ones
     * that almost always hold some chunk and run over mostly fill.
     */
    static boolean sparse(BigArray a, boolean storeFillChunks, long fillBits) {
        if (storeFillChunks || fillBits != 0) return false;
        StoredChunks s = a.chunks().stored();
        return s.complete() && s.count() * 8 <= a.grid().allCells().count();
    }

    /** Whether {@code scales[m]} is known to store no chunk under {@code box} (false when unknown). */
    boolean nothingStored(int m, Box box) {
        return stored != null && stored[m] != null && !stored[m].anyIn(scales[m].grid().cellRange(box));
    }

    /**
     * {@code scales[m].read(box)}, reading only the chunks stored under it when they are few:
     * the result is pre-filled once and each stored chunk is read into its place, so the missing
     * ones (most of a sparse layer) cost no lookups and no per-chunk fill. Falls back to a plain
     * read when the listing is unknown or the box is well filled.
     * @param a {@code scales[m]} (also when nothing is listed)
     * @param fillBits the fill value's bit pattern in the array's type
     */
    NdView read(BigArray a, int m, Box box, long fillBits) {
        if (stored == null || stored[m] == null) return a.read(box);
        CellRange cells = a.grid().cellRange(box);
        long n = stored[m].countIn(cells);
        // Per-chunk reads run one after the other: only worth it while they are a small part of the box.
        if (n > SPARSE_READ_MAX_CHUNKS || n * 8 > cells.count()) return a.read(box);
        long bytes = box.size(0) * box.size(1) * box.size(2) * a.channels() * (long) a.dataType().size();
        if (bytes > (Integer.MAX_VALUE - 8L) * Long.BYTES) return a.read(box);
        // Heap memory, as BigArray.read(box) uses: the collector sees what it manages.
        NdView out = NdView.wrap(MemorySegment.ofArray(new long[(int) Math.ceilDiv(bytes, Long.BYTES)]).asSlice(0, bytes), a.dataType(),
                new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), a.channels()});
        if (fillBits != 0) out.fillBits(fillBits); // a new Java array is zeroed
        for (long[] cell : stored[m].cellsIn(cells)) {
            Box part = a.grid().cellBox(cell).intersect(box);
            a.read(part, out.subView(part));
        }
        return out;
    }
}
