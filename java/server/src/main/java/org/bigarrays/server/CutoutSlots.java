package org.bigarrays.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fair admission of cutouts: {@code slots} run at once; up to {@code maxQueued} more wait, in
 * arrival order, at most {@code maxWaitNanos} each; anything beyond is refused (503 with
 * Retry-After). A slot is given back when its response is done or failed (a client that stops
 * reading fails its write after the write timeout), and just before the last byte of a
 * response goes out, so a client that sends its next request as soon as it has the last byte
 * finds the slot free.
 */
final class CutoutSlots {
    private final int slots;
    private final Semaphore permits;
    private final int maxQueued;
    private final long maxWaitNanos;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    CutoutSlots(int slots, int maxQueued, long maxWaitNanos) {
        this.slots = slots;
        this.permits = new Semaphore(slots, true);
        this.maxQueued = maxQueued;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** One held slot; closing it (any number of times) gives it back once. */
    final class Slot implements AutoCloseable {
        private final AtomicBoolean held = new AtomicBoolean(true);

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                inFlight.decrementAndGet();
                permits.release();
            }
        }
    }

    /**
     * A slot, after waiting in line if all are taken.
     * @throws HttpError 503 when the line is full or the wait ran out
     */
    Slot acquire() {
        // tryAcquire(0, ...) honours the queue of a fair semaphore; tryAcquire() would jump it.
        boolean got;
        try {
            got = permits.tryAcquire(0, TimeUnit.NANOSECONDS);
            if (!got) {
                if (queued.incrementAndGet() > maxQueued) {
                    queued.decrementAndGet();
                    throw busy("and " + maxQueued + " waiting");
                }
                try {
                    got = permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
                } finally {
                    queued.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy("(shutting down)");
        }
        if (!got) throw busy("for " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms");
        inFlight.incrementAndGet();
        return new Slot();
    }

    private HttpError busy(String detail) {
        return new HttpError(503, "busy: " + slots + " cutouts in flight " + detail + "; retry after the time in Retry-After");
    }

    int inFlight() {
        return inFlight.get();
    }

    int queued() {
        return queued.get();
    }
}
