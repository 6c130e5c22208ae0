package org.bigarrays.kvstore.remote;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.IoBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a remote request with bounded retries, each attempt under a permit of an {@link IoBudget}:
 * the one the calling thread holds (a chunk task's or a shard read's, from its context's budget:
 * then a request and its retries count once, there), else one of the store's own budget of
 * {@link RemoteSettings#maxInFlight()} requests, held only while an attempt runs, not while
 * backing off. An attempt either returns, throws {@link TransientFailure} (retried after an
 * exponential backoff with full jitter, up to {@link RemoteSettings#maxAttempts()} tries in all),
 * or throws an unchecked exception (not retried: 404 handling, 401/403, bad requests).
 */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private final String storeUri;
    private final RemoteSettings settings;
    private final IoBudget budget;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    /** One attempt at a request. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws TransientFailure;
    }

    public Retrier(String storeUri, RemoteSettings settings) {
        this.storeUri = storeUri;
        this.settings = settings;
        this.budget = IoBudget.of(settings.maxInFlight(), IoBudget.DEFAULT_BYTES);
    }

    public RemoteSettings settings() {
        return settings;
    }

    /** The store's own budget: what its requests and batched reads take permits of when the caller holds none. */
    public IoBudget budget() {
        return budget;
    }

    /** Attempts made so far (first tries and retries). */
    public long attempts() {
        return attempts.get();
    }

    /** Retries made so far. */
    public long retries() {
        return retries.get();
    }

    /**
     * Run {@code attempt} until it succeeds, fails for good, or runs out of tries.
     * @throws StorageException after the last try, naming the store, key, operation and the last error
     */
    public <T> T call(String key, String operation, Attempt<T> attempt) {
        TransientFailure last = null;
        for (int i = 1; i <= settings.maxAttempts(); i++) {
            if (i > 1) {
                retries.incrementAndGet();
                sleep(backoff(i - 1), key, operation);
            }
            int n = i;
            Object outcome = budget.call(0, () -> {
                try {
                    attempts.incrementAndGet();
                    return new Done<>(attempt.run());
                } catch (TransientFailure f) {
                    LOG.debug("{} {} key '{}': attempt {}/{} failed: {}", operation, storeUri, key, n, settings.maxAttempts(), f.getMessage());
                    return f;
                }
            });
            if (outcome instanceof Done<?> d) {
                @SuppressWarnings("unchecked")
                T value = (T) d.value();
                return value;
            }
            last = (TransientFailure) outcome;
        }
        throw new StorageException(storeUri, key, operation,
                "gave up after " + settings.maxAttempts() + " attempts; last error: " + last.getMessage(), last.getCause());
    }

    private record Done<T>(T value) {}

    /** Full jitter: uniform in [0, min(max, base * 2^(retry-1))]. */
    private long backoff(int retry) {
        long base = settings.baseBackoff().toMillis();
        long cap = Math.min(RemoteSettings.MAX_BACKOFF.toMillis(), base << Math.min(retry - 1, 20));
        return ThreadLocalRandom.current().nextLong(cap + 1);
    }

    private void sleep(long millis, String key, String operation) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(storeUri, key, operation, "interrupted while backing off", e);
        }
    }

    /** Whether an HTTP status is worth retrying: 408, 429 and 5xx. */
    public static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || status >= 500;
    }
}
