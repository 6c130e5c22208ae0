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
 * <p>The garbage collector still decides when a result is free, and memory out at once is capped
 * ({@link #LENT_CAP}): past it results are Java arrays, whose allocation makes the collector run
 * and so return the blocks of results already dropped. Idle blocks are freed after 2 s unused or
 * past {@link BufferPool#DEFAULT_MAX_KEPT_BYTES}, as chunk buffers are.
 */
final class ResultMemory {
    /** Below this a Java array costs about as little as a pooled block and its arena. */
    static final long MIN_BYTES = 64L << 10;

    /** Pooled result memory out at once, at most: a quarter of the heap's limit, at least 256 MiB. */
    static final long LENT_CAP = Math.max(256L << 20, Runtime.getRuntime().maxMemory() / 4);

    private static final Logger LOG = LoggerFactory.getLogger(ResultMemory.class);
    private static final BufferPool POOL = new BufferPool(64);
    private static final AtomicLong LENT = new AtomicLong();
    private static volatile boolean unavailable;

    private ResultMemory() {}

    /**
     * {@code bytes} of memory (64-byte aligned, contents undefined) that the garbage collector
     * frees, or null when a Java array should hold the result instead (small, over the cap, or
     * without native access).
     */
    static MemorySegment allocate(long bytes) {
        if (bytes < MIN_BYTES || unavailable) return null;
        if (LENT.addAndGet(bytes) > LENT_CAP) {
            LENT.addAndGet(-bytes);
            return null;
        }
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

    private static void giveBack(Lease lease, long bytes) {
        LENT.addAndGet(-bytes);
        lease.close();
    }

    /** Pooled result memory out now (tests). */
    static long lent() {
        return LENT.get();
    }
}
