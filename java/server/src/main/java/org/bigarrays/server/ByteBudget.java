package org.bigarrays.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bytes that plain key reads may hold in memory at once, shared by all of them: each block of a
 * value read from the store and not yet written to its client holds its size here. A read that
 * cannot get its bytes within {@code maxWaitNanos} is refused (503). Counted in KiB so that any
 * budget fits a semaphore's int permits.
 */
final class ByteBudget {
    private final long bytes;
    private final Semaphore kib;
    private final long maxWaitNanos;

    ByteBudget(long bytes, long maxWaitNanos) {
        this.bytes = bytes;
        this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes >> 10)), true);
        this.maxWaitNanos = maxWaitNanos;
    }

    /** The bytes of the budget. */
    long bytes() {
        return bytes;
    }

    /**
     * Take {@code n} bytes (at most the whole budget), to give back with {@link #release}.
     * @return the units taken, to pass to release
     * @throws HttpError 503 when they did not free up in time
     */
    int acquire(long n) {
        int units = units(n);
        try {
            if (kib.tryAcquire(units, maxWaitNanos, TimeUnit.NANOSECONDS)) return units;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new HttpError(503, "busy: key reads hold the whole read budget of " + bytes + " bytes; retry after the time in Retry-After");
    }

    void release(int units) {
        kib.release(units);
    }

    /** Bytes taken now (approximate under concurrent changes). */
    long inUse() {
        long total = Math.min(Integer.MAX_VALUE, Math.max(1, bytes >> 10));
        return (total - kib.availablePermits()) << 10;
    }

    private int units(long n) {
        long total = Math.min(Integer.MAX_VALUE, Math.max(1, bytes >> 10));
        return (int) Math.max(1, Math.min(total, (n + 1023) >> 10));
    }
}
