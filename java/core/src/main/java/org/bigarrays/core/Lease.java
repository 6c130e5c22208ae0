package org.bigarrays.core;

import java.lang.foreign.MemorySegment;

/**
 * A buffer borrowed from a {@link BufferPool}: {@link #segment()} until {@link #close()}, which
 * gives it back (once; later closes do nothing). Not thread-safe: one owner at a time; ownership
 * moves by handing the lease on, never by sharing it.
 */
public final class Lease implements AutoCloseable {
    private final BufferPool pool;
    private final MemorySegment whole;
    private MemorySegment segment;

    Lease(BufferPool pool, MemorySegment whole, long bytes) {
        this.pool = pool;
        this.whole = whole;
        this.segment = whole.asSlice(0, bytes);
    }

    /** The leased memory, exactly as many bytes as were asked for. */
    public MemorySegment segment() {
        MemorySegment s = segment;
        if (s == null) throw new IllegalStateException("buffer lease already closed");
        return s;
    }

    @Override
    public void close() {
        if (segment == null) return;
        segment = null;
        pool.giveBack(whole);
    }
}
