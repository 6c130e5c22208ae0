package org.bigarrays.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reusable off-heap buffers handed out as {@link Lease}s, so a cutout of thousands of chunks does
 * not allocate (and zero) a fresh buffer for each. Whoever takes a lease closes it; closing gives
 * the buffer back. Buffers live in automatic arenas: a lease that is never closed is collected,
 * not leaked. Thread-safe.
 */
public final class BufferPool {
    private final ConcurrentLinkedDeque<MemorySegment> free = new ConcurrentLinkedDeque<>();
    // The deque's size() walks every node: count idle buffers here instead (approximate under races, which is fine for a cap).
    private final AtomicInteger idle = new AtomicInteger();
    private final int maxKept;

    /** A pool that keeps at most {@code maxKept} idle buffers. */
    public BufferPool(int maxKept) {
        this.maxKept = Math.max(0, maxKept);
    }

    /** A pool that keeps nothing: every lease is fresh memory. */
    public static BufferPool unpooled() {
        return new BufferPool(0);
    }

    /** A lease on {@code bytes} bytes (64-byte aligned, contents undefined). */
    public Lease lease(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative buffer size " + bytes);
        // Look at each idle buffer once; keep those too small (edge chunks) for later requests.
        for (int i = idle.get(); i > 0; i--) {
            MemorySegment s = free.pollFirst();
            if (s == null) break;
            if (s.byteSize() >= bytes) {
                idle.decrementAndGet();
                return new Lease(this, s, bytes);
            }
            free.addLast(s);
        }
        return new Lease(this, Arena.ofAuto().allocate(Math.max(bytes, 64), 64), bytes);
    }

    void giveBack(MemorySegment whole) {
        if (idle.incrementAndGet() <= maxKept) {
            free.addFirst(whole);
        } else {
            idle.decrementAndGet();
        }
    }
}
