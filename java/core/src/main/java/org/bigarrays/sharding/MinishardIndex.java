package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bigarrays.CorruptChunkException;

/**
 * A decoded minishard index: chunk ids (sorted ascending as unsigned 64-bit numbers) and each
 * chunk's absolute byte range {@code [start, end)} in the shard file. Immutable.
 */
public final class MinishardIndex {
    /** A minishard with no chunks. */
    public static final MinishardIndex EMPTY = new MinishardIndex(new long[0], new long[0], new long[0]);

    private final long[] ids;
    private final long[] starts;
    private final long[] ends;

    private MinishardIndex(long[] ids, long[] starts, long[] ends) {
        this.ids = ids;
        this.starts = starts;
        this.ends = ends;
    }

    public int size() {
        return ids.length;
    }

    /** Position of {@code chunkId}, or a negative number when absent. */
    public int find(long chunkId) {
        int lo = 0;
        int hi = ids.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(ids[mid], chunkId);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    public long id(int i) {
        return ids[i];
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    /**
     * Decode the {@code [3][n]} uint64 LE array (id deltas, start deltas, sizes) into absolute
     * file offsets; the first start is relative to {@code dataStart} (the end of the shard index).
     * Checks every range against {@code fileSize} (unknown: -1) and rejects duplicate ids.
     * @param where the shard file and chunk, for messages
     */
    public static MinishardIndex decode(byte[] bytes, long dataStart, long fileSize, String where) {
        return decode(MemorySegment.ofArray(bytes), dataStart, fileSize, where);
    }

    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@link #decode(byte[], long, long, String)} over a segment. */
    public static MinishardIndex decode(MemorySegment bytes, long dataStart, long fileSize, String where) {
        if (bytes.byteSize() % 24 != 0) {
            throw new CorruptChunkException(where, "invalid minishard index length " + bytes.byteSize() + " (must be a multiple of 24)");
        }
        if (bytes.byteSize() / 24 > Integer.MAX_VALUE - 8) {
            throw new CorruptChunkException(where, "minishard index of " + bytes.byteSize() + " bytes is too large");
        }
        int n = (int) (bytes.byteSize() / 24);
        long[] ids = new long[n];
        long[] starts = new long[n];
        long[] ends = new long[n];
        long id = 0;
        long pos = dataStart;
        for (int i = 0; i < n; i++) {
            id += bytes.get(LE, 8L * i);
            long startDelta = bytes.get(LE, 8L * (n + i));
            long size = bytes.get(LE, 8L * (2L * n + i));
            long start = pos + startDelta;
            long end = start + size;
            // Unsigned wrap-around anywhere means the index points outside any real file.
            if (startDelta < 0 || size < 0 || start < pos || end < start) {
                throw new CorruptChunkException(where, "chunk " + Long.toUnsignedString(id) + " byte range overflows (start delta "
                        + Long.toUnsignedString(startDelta) + ", size " + Long.toUnsignedString(size) + ")");
            }
            if (fileSize >= 0 && end > fileSize) {
                throw new CorruptChunkException(where, "chunk " + Long.toUnsignedString(id) + " byte range [" + start + ", " + end
                        + ") is beyond the end of the shard file (" + fileSize + " bytes)");
            }
            ids[i] = id;
            starts[i] = start;
            ends[i] = end;
            pos = end;
        }
        // Sort by id (writers emit ascending ids; tolerate any order) and reject duplicates,
        // which would make a chunk's content ambiguous.
        Integer[] order = new Integer[n];
        boolean sorted = true;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (i > 0 && Long.compareUnsigned(ids[i - 1], ids[i]) >= 0) sorted = false;
        }
        if (!sorted) {
            Arrays.sort(order, (x, y) -> Long.compareUnsigned(ids[x], ids[y]));
            long[] si = new long[n], ss = new long[n], se = new long[n];
            for (int i = 0; i < n; i++) {
                si[i] = ids[order[i]];
                ss[i] = starts[order[i]];
                se[i] = ends[order[i]];
            }
            for (int i = 1; i < n; i++) {
                if (si[i] == si[i - 1]) {
                    throw new CorruptChunkException(where, "chunk " + Long.toUnsignedString(si[i]) + " occurs more than once in the minishard index");
                }
            }
            return new MinishardIndex(si, ss, se);
        }
        return new MinishardIndex(ids, starts, ends);
    }

    /**
     * Encode entries (ids ascending, ranges relative to the end of the shard index, each chunk
     * after the previous one) as the raw {@code [3][n]} array.
     */
    public static byte[] encode(long[] ids, long[] relStarts, long[] relEnds) {
        int n = ids.length;
        ByteBuffer b = ByteBuffer.allocate(24 * n).order(ByteOrder.LITTLE_ENDIAN);
        long prevId = 0;
        long prevEnd = 0;
        for (int i = 0; i < n; i++) {
            b.putLong(8 * i, ids[i] - prevId);
            b.putLong(8 * (n + i), relStarts[i] - prevEnd);
            b.putLong(8 * (2 * n + i), relEnds[i] - relStarts[i]);
            prevId = ids[i];
            prevEnd = relEnds[i];
        }
        return b.array();
    }
}
