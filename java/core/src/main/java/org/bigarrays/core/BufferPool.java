package org.bigarrays.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reusable off-heap buffers handed out as {@link Lease}s, so a cutout of thousands of chunks does
 * not allocate (and zero) a fresh buffer for each. Whoever takes a lease closes it; closing gives
 * the buffer back. Thread-safe.
 *
 * <p>Buffers come in size classes (see {@link #capacityFor}) and a request is served only from
 * its own class: with one list for all sizes, the small buffers of stored
 * (compressed) chunks took the big decode buffers first-fit, and every decode then allocated and
 * zeroed a fresh chunk-sized buffer.
 *
 * <p>Each buffer has its own shared arena, closed (its memory freed at once) when the pool drops
 * it: over the caps, idle longer than {@link #IDLE_NANOS} (2 s), or when the pool is closed. With
 * automatic arenas a dropped buffer stayed resident until a garbage collection, which the small
 * heap of a cutout loop rarely needs, so a process kept hundreds of MB it no longer used. A lease
 * that is never closed is still freed, by a {@link Cleaner}, once it is unreachable.
 */
public final class BufferPool implements AutoCloseable {
    static final long MIN_BYTES = 4096;

    /** Idle buffers unused for this long are freed (checked on the pool's next use). */
    static final long IDLE_NANOS = 2_000_000_000L;

    private final long idleNanos;

    private static final int CLASSES = 64 * 4;
    private static final Cleaner CLEANER = Cleaner.create();

    /** An idle buffer and when it was given back. */
    private record Idle(Buffer buffer, long since) {}

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<Idle>[] free = new ConcurrentLinkedDeque[CLASSES];
    // Counted here, not with the deques' size() (which walks every node); approximate under races, which is fine for a cap.
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicLong idleBytes = new AtomicLong();
    private final AtomicLong nextTrim = new AtomicLong(System.nanoTime());
    private final int maxKept;
    private final long maxKeptBytes;
    private volatile boolean closed;

    /** Idle memory a pool keeps at most unless told otherwise: enough for a few dozen big chunks. */
    public static final long DEFAULT_MAX_KEPT_BYTES = 256L << 20;

    /** A pool that keeps at most {@code maxKept} idle buffers, of {@link #DEFAULT_MAX_KEPT_BYTES} in all. */
    public BufferPool(int maxKept) {
        this(maxKept, DEFAULT_MAX_KEPT_BYTES);
    }

    /** A pool that keeps at most {@code maxKept} idle buffers of at most {@code maxKeptBytes} bytes in all. */
    public BufferPool(int maxKept, long maxKeptBytes) {
        this(maxKept, maxKeptBytes, IDLE_NANOS);
    }

    BufferPool(int maxKept, long maxKeptBytes, long idleNanos) {
        this.idleNanos = idleNanos;
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
        Idle i = c < 0 ? null : free[c].pollFirst();
        Buffer b;
        if (i != null) {
            idle.decrementAndGet();
            idleBytes.addAndGet(-capacity);
            b = i.buffer();
        } else {
            b = Buffer.allocate(capacity);
        }
        trimIfDue();
        return new Lease(this, b, bytes, CLEANER);
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

    void giveBack(Buffer b) {
        long size = b.segment().byteSize();
        int c = classOf(size);
        if (c < 0 || closed) {
            b.free();
            return;
        }
        if (idle.incrementAndGet() > maxKept) {
            idle.decrementAndGet();
            b.free();
            return;
        }
        if (idleBytes.addAndGet(size) > maxKeptBytes) {
            idleBytes.addAndGet(-size);
            idle.decrementAndGet();
            b.free();
            return;
        }
        free[c].addFirst(new Idle(b, System.nanoTime()));
        if (closed) freeIdle(Long.MAX_VALUE); // closed meanwhile: do not keep it
        trimIfDue();
    }

    // At most twice per idle limit, by whichever thread gets there first.
    private void trimIfDue() {
        long now = System.nanoTime();
        long due = nextTrim.get();
        if (now - due < 0 || !nextTrim.compareAndSet(due, now + idleNanos / 2)) return;
        freeIdle(now - idleNanos);
    }

    /** Free the idle buffers given back before {@code before} (oldest last in each list). */
    private void freeIdle(long before) {
        for (ConcurrentLinkedDeque<Idle> list : free) {
            Idle last;
            while ((last = list.peekLast()) != null && (before == Long.MAX_VALUE || last.since() - before < 0)) {
                if (!list.removeLastOccurrence(last)) continue; // taken meanwhile
                idle.decrementAndGet();
                idleBytes.addAndGet(-last.buffer().segment().byteSize());
                last.buffer().free();
            }
        }
    }

    /** Frees the idle buffers now; leases still out are freed when they are closed. */
    @Override
    public void close() {
        closed = true;
        freeIdle(Long.MAX_VALUE);
    }

    /** A buffer's memory and the arena that frees it. */
    record Buffer(Arena arena, MemorySegment segment) {
        static Buffer allocate(long capacity) {
            Arena a = Arena.ofShared();
            try {
                return new Buffer(a, a.allocate(capacity, 64));
            } catch (RuntimeException | Error e) {
                a.close();
                throw e;
            }
        }

        /** Frees the memory; a buffer still in use by a native call stays (and is then leaked, never freed twice). */
        void free() {
            try {
                arena.close();
            } catch (IllegalStateException e) {
                // already closed, or acquired by a call in progress: nothing safe to do
            }
        }
    }
}
