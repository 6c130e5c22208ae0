package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bigarrays.kvstore.BodySink;

/**
 * Takes the body of one ranged read of a run of chunks adjacent in a shard file and hands each
 * chunk's bytes to that chunk's own sink, at their offsets in the chunk: the run's bytes reach
 * their destinations without a buffer of the run. Takes the body only if it is exactly the run
 * and every chunk's sink takes its chunk; a retried attempt begins every sink again (see
 * {@link BodySink}).
 */
final class RunSink implements BodySink {
    private final long start;          // the run's first byte in the shard file
    private final long[] from;         // each chunk's range in the run, file order
    private final long[] to;
    private final BodySink[] sinks;

    /** {@code run} in file order, adjacent; {@code sinks} one per chunk of it. */
    RunSink(List<ShardFile.Entry> run, List<BodySink> sinks) {
        this.start = run.getFirst().start();
        int n = run.size();
        this.from = new long[n];
        this.to = new long[n];
        this.sinks = sinks.toArray(new BodySink[0]);
        for (int i = 0; i < n; i++) {
            from[i] = run.get(i).start() - start;
            to[i] = run.get(i).end() - start;
        }
    }

    @Override
    public boolean begin(long length) {
        if (length != to[to.length - 1]) return false;
        for (int i = 0; i < sinks.length; i++) {
            if (!sinks[i].begin(to[i] - from[i])) return false;
        }
        return true;
    }

    @Override
    public void accept(long offset, MemorySegment bytes) {
        long end = offset + bytes.byteSize();
        if (offset < 0 || end > to[to.length - 1]) throw new IllegalArgumentException("bytes [" + offset + ", " + end + ") past the run's " + to[to.length - 1]);
        int i = first(offset);
        for (; i < sinks.length && from[i] < end; i++) {
            long lo = Math.max(offset, from[i]);
            long hi = Math.min(end, to[i]);
            if (lo < hi) sinks[i].accept(lo - from[i], bytes.asSlice(lo - offset, hi - lo));
        }
    }

    /** The first chunk that ends after {@code offset}. */
    private int first(long offset) {
        int lo = 0, hi = to.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (to[mid] <= offset) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
