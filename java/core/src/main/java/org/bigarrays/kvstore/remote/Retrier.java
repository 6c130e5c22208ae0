package org.bigarrays.kvstore.remote;

import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a remote request with bounded retries and a cap on requests in flight: one per store.
 * An attempt either returns, throws {@link TransientFailure} (retried after an exponential
 * backoff with full jitter, up to {@link RemoteSettings#maxAttempts()} tries in all), or throws
 * an unchecked exception (not retried: 404 handling, 401/403, bad requests). The in-flight
 * permit is held only while an attempt runs, not while backing off.
 */
public final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private final String storeUri;
    private final RemoteSettings settings;
    private final Semaphore inFlight;
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
        this.inFlight = new Semaphore(settings.maxInFlight());
    }

    public RemoteSettings settings() {
        return settings;
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
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(storeUri, key, operation, "interrupted", e);
            }
            try {
                attempts.incrementAndGet();
                return attempt.run();
            } catch (TransientFailure f) {
                last = f;
                LOG.debug("{} {} key '{}': attempt {}/{} failed: {}", operation, storeUri, key, i, settings.maxAttempts(), f.getMessage());
            } finally {
                inFlight.release();
            }
        }
        throw new StorageException(storeUri, key, operation,
                "gave up after " + settings.maxAttempts() + " attempts; last error: " + last.getMessage(), last.getCause());
    }

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
