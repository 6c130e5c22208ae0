package org.bigarrays.array;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory for the results of {@link BigArray#read(org.bigarrays.core.Box)}: blocks recycled from a
 * pool, each handed out in its own automatic arena whose cleanup (run once the garbage collector
 * finds the result and all its slices unreachable) gives the block back. A recycled block is
 * neither zeroed nor faulted again: a new {@code long[]} of 128 MiB was zeroed by the JVM (and
 * its fresh heap pages faulted) before the read wrote every byte once more, which made
 * {@code read(box)} 0.23–0.51× {@code read(box, into)}. The read writes every byte of the result
 * (chunk data, or the fill value for missing chunks and outside the volume), so its prior
 * contents never show.
 *
 * <p>The garbage collector decides when a result is free, and is made to account for this memory
 * as the JDK does for direct buffers: memory out at once is capped ({@link #LENT_CAP}); a request
 * past the cap asks for a collection ({@code System.gc()}) and waits briefly for the blocks of
 * dropped results. A read loop's heap barely grows, so without that the collector would not run
 * and dropped results would pile up. If nothing came back (the results are still held), the
 * result is a Java array instead, and no collection is asked for again until one has freed
 * memory or a second has passed. Idle blocks are freed after 2 s unused or past
 * {@link BufferPool#DEFAULT_MAX_KEPT_BYTES}, as chunk buffers are.
 */
final class ResultMemory {
    /** Below this a Java array costs about as little as a pooled block and its arena. */
    static final long MIN_BYTES = 64L << 10;

    /**
     * Pooled result memory out at once, at most, before a collection is asked for: with as much
     * kept idle, a process reading big results holds about what G1's heap held for them as arrays.
     */
    static final long LENT_CAP = BufferPool.DEFAULT_MAX_KEPT_BYTES;

    private static final long GC_WAIT_NANOS = 100_000_000L;
    private static final long GC_BACKOFF_NANOS = 1_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ResultMemory.class);
    private static final BufferPool POOL = new BufferPool(64);
    private static final AtomicLong LENT = new AtomicLong();
    private static final Object RETURNED = new Object();
    private static volatile boolean unavailable;
    private static volatile long noGcBefore = System.nanoTime();

    private ResultMemory() {}

    /**
     * {@code bytes} of memory (64-byte aligned, contents undefined) that the garbage collector
     * frees, or null when a Java array should hold the result instead (small, results still held
     * past the cap, or without native access).
     */
    static MemorySegment allocate(long bytes) {
        if (bytes < MIN_BYTES || bytes > LENT_CAP || unavailable || !reserve(bytes)) return null;
        Lease lease = null;
        try {
            lease = POOL.lease(bytes);
            Lease owned = lease;
            // Restricted (native access): the segment's arena runs the cleanup when unreachable.
            return lease.segment().reinterpret(bytes, Arena.ofAuto(), s -> giveBack(owned, bytes));
        } catch (IllegalCallerException e) {
            LOG.debug("pooled result memory unavailable (no native access), results are Java arrays: {}", e.toString());
            unavailable = true;
        } catch (OutOfMemoryError e) {
            LOG.debug("no off-heap memory for a pooled result of {} bytes, using a Java array", bytes);
        }
        LENT.addAndGet(-bytes);
        if (lease != null) lease.close();
        return null;
    }

    /** Count {@code bytes} as lent if they fit the cap, after a collection if need be. */
    private static boolean reserve(long bytes) {
        if (tryReserve(bytes)) return true;
        long now = System.nanoTime();
        if (now - noGcBefore < 0) return false;
        long before = LENT.get();
        System.gc(); // the blocks of dropped results come back through their arenas' cleanups
        long deadline = System.nanoTime() + GC_WAIT_NANOS;
        synchronized (RETURNED) {
            while (!tryReserve(bytes)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (LENT.get() >= before) noGcBefore = System.nanoTime() + GC_BACKOFF_NANOS; // results held: do not collect for nothing
                    return false;
                }
                try {
                    RETURNED.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean tryReserve(long bytes) {
        long lent;
        do {
            lent = LENT.get();
            if (lent + bytes > LENT_CAP) return false;
        } while (!LENT.compareAndSet(lent, lent + bytes));
        return true;
    }

    private static void giveBack(Lease lease, long bytes) {
        lease.close();
        LENT.addAndGet(-bytes);
        noGcBefore = System.nanoTime();
        synchronized (RETURNED) {
            RETURNED.notifyAll();
        }
    }

    /** Pooled result memory out now (tests). */
    static long lent() {
        return LENT.get();
    }
}
