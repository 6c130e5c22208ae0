package org.bigarrays.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reusable off-heap buffers handed out as {@link Lease}s, so a cutout of thousands of chunks does
 * not allocate (and zero) a fresh buffer for each. Whoever takes a lease closes it; closing gives
 * the buffer back. Buffers live in automatic arenas: a lease that is never closed is collected,
 * not leaked. Thread-safe.
 *
 * <p>Buffers come in size classes (see {@link #capacityFor}) and a request is served only from
 * its own class: with one list for all sizes, the small buffers of stored
 * (compressed) chunks took the big decode buffers first-fit, and every decode then allocated and
 * zeroed a fresh chunk-sized buffer.
 */
public final class BufferPool {
    static final long MIN_BYTES = 4096;

    private static final int CLASSES = 64 * 4;

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<MemorySegment>[] free = new ConcurrentLinkedDeque[CLASSES];
    // Counted here, not with the deques' size() (which walks every node); approximate under races, which is fine for a cap.
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicLong idleBytes = new AtomicLong();
    private final int maxKept;
    private final long maxKeptBytes;

    /** Idle memory a pool keeps at most unless told otherwise: enough for a few dozen big chunks. */
    public static final long DEFAULT_MAX_KEPT_BYTES = 256L << 20;

    /** A pool that keeps at most {@code maxKept} idle buffers, of {@link #DEFAULT_MAX_KEPT_BYTES} in all. */
    public BufferPool(int maxKept) {
        this(maxKept, DEFAULT_MAX_KEPT_BYTES);
    }

    /** A pool that keeps at most {@code maxKept} idle buffers of at most {@code maxKeptBytes} bytes in all. */
    public BufferPool(int maxKept, long maxKeptBytes) {
        this.maxKept = Math.max(0, maxKept);
        this.maxKeptBytes = Math.max(0, maxKeptBytes);
        for (int i = 0; i < CLASSES; i++) free[i] = new ConcurrentLinkedDeque<>();
    }

    /** A pool that keeps nothing: every lease is fresh memory. */
    public static BufferPool unpooled() {
        return new BufferPool(0);
    }

    /** A lease on {@code bytes} bytes (64-byte aligned, contents undefined). */
    public Lease lease(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative buffer size " + bytes);
        long capacity = capacityFor(bytes);
        int c = classOf(capacity);
        MemorySegment s = c < 0 ? null : free[c].pollFirst();
        if (s != null) {
            idle.decrementAndGet();
            idleBytes.addAndGet(-capacity);
            return new Lease(this, s, bytes);
        }
        return new Lease(this, Arena.ofAuto().allocate(capacity, 64), bytes);
    }

    /**
     * The size class of a request: at least {@value #MIN_BYTES}, rounded up to a quarter of its
     * power of two (4, 5, 6, 7 or 8 × 2^(k-2)), so a buffer is at most 25% larger than asked.
     */
    static long capacityFor(long bytes) {
        long b = Math.max(bytes, MIN_BYTES);
        long step = Long.highestOneBit(b - 1) >> 2;
        long rounded = (b + step - 1) / step * step;
        return rounded < b ? b : rounded; // overflow near Long.MAX_VALUE: no class, exactly what was asked for
    }

    /** The list of buffers of {@code capacity} (a {@link #capacityFor} value), or -1 for a size no class has. */
    private static int classOf(long capacity) {
        int k = 63 - Long.numberOfLeadingZeros(capacity);
        long m = capacity >>> (k - 2); // 4..7
        return capacity == m << (k - 2) ? k * 4 + (int) (m - 4) : -1;
    }

    /** Bytes of idle buffers kept now. */
    long idleBytes() {
        return idleBytes.get();
    }

    void giveBack(MemorySegment whole) {
        long size = whole.byteSize();
        int c = classOf(size);
        if (c < 0) return;
        if (idle.incrementAndGet() > maxKept) {
            idle.decrementAndGet();
            return;
        }
        if (idleBytes.addAndGet(size) > maxKeptBytes) {
            idleBytes.addAndGet(-size);
            idle.decrementAndGet();
            return;
        }
        free[c].addFirst(whole);
    }
}
