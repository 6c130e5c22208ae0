package org.bigarrays.kvstore;

import java.util.concurrent.ThreadLocalRandom;
import org.bigarrays.BigArraysException;

/**
 * How often a conditional read-modify-write is tried before it fails with a
 * {@link org.bigarrays.ConflictException}, and the jittered exponential backoff between tries
 * (uniform in {@code [0, min(maxBackoffMillis, firstBackoffMillis · 2^try)]}, so writers that
 * collided do not collide again in lock step). The one policy of every conditional rewrite: a
 * chunk of its own or a shard file.
 */
public record ConflictRetry(int attempts, long firstBackoffMillis, long maxBackoffMillis) {
    /** 10 attempts, backoff from up to 2 ms growing to up to 200 ms (about a second in all at worst). */
    public static final ConflictRetry DEFAULT = new ConflictRetry(10, 2, 200);

    public ConflictRetry {
        if (attempts < 1 || firstBackoffMillis < 0 || maxBackoffMillis < firstBackoffMillis) {
            throw new IllegalArgumentException("bad conflict retry: attempts " + attempts + ", backoff " + firstBackoffMillis + ".." + maxBackoffMillis + " ms");
        }
    }

    /** Sleep before try {@code attempt} (1 = the first retry). */
    public void backoff(int attempt) {
        long cap = Math.min(maxBackoffMillis, firstBackoffMillis << Math.min(20, attempt - 1));
        if (cap <= 0) return;
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BigArraysException("interrupted while retrying a conflicting write", e);
        }
    }
}
