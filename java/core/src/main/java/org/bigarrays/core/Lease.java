package org.bigarrays.core;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * A buffer borrowed from a {@link BufferPool}: {@link #segment()} until {@link #close()}, which
 * gives it back (once; later closes do nothing). Not thread-safe: one owner at a time; ownership
 * moves by handing the lease on, never by sharing it. A lease dropped without closing frees its
 * buffer when it is collected (it is not given back: the pool cannot tell whether it is still used).
 */
public final class Lease implements AutoCloseable {
    private final BufferPool pool;
    private final BufferPool.Buffer buffer;
    private final Dropped dropped;
    private final Cleaner.Cleanable cleanable;
    private MemorySegment segment;

    Lease(BufferPool pool, BufferPool.Buffer buffer, long bytes, Cleaner cleaner) {
        this.pool = pool;
        this.buffer = buffer;
        this.segment = buffer.segment().asSlice(0, bytes);
        this.dropped = new Dropped(buffer);
        this.cleanable = cleaner.register(this, dropped);
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
        dropped.closedFirst = true;
        cleanable.clean(); // deregisters; the action sees the lease was closed and frees nothing
        pool.giveBack(buffer);
    }

    /** What the cleaner does for a lease that was never closed. Holds no reference to the lease. */
    private static final class Dropped implements Runnable {
        private final BufferPool.Buffer buffer;
        private volatile boolean closedFirst;

        Dropped(BufferPool.Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void run() {
            if (!closedFirst) buffer.free();
        }
    }
}
