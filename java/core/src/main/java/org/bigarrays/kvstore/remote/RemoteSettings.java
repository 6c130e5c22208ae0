package org.bigarrays.kvstore.remote;

import java.net.URI;
import java.time.Duration;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStores;

/**
 * Tuning shared by the remote stores, read from URL query parameters (with system-property
 * fallbacks {@code bigarrays.remote.<name>}):
 * {@code attempts} (tries per request, default 6), {@code timeoutMs} (per attempt, default
 * 30000), {@code maxInFlight} (concurrent requests per store, default 128),
 * {@code backoffMs} (first retry delay, default 100; doubles, with full jitter, up to 5 s).
 *
 * @param maxAttempts tries per request, ≥ 1
 * @param attemptTimeout limit on one attempt, headers and body together
 * @param maxInFlight cap on concurrent requests (and so on buffered response bodies)
 * @param baseBackoff delay before the first retry
 */
public record RemoteSettings(int maxAttempts, Duration attemptTimeout, int maxInFlight, Duration baseBackoff) {
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    public RemoteSettings {
        if (maxAttempts < 1) throw new InvalidInputException("attempts must be ≥ 1, found " + maxAttempts);
        if (maxInFlight < 1) throw new InvalidInputException("maxInFlight must be ≥ 1, found " + maxInFlight);
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) throw new InvalidInputException("timeoutMs must be > 0, found " + attemptTimeout.toMillis());
    }

    public static RemoteSettings defaults() {
        return new RemoteSettings(6, Duration.ofSeconds(30), 128, Duration.ofMillis(100));
    }

    /** Settings from {@code uri}'s query, falling back to system properties, then defaults. */
    public static RemoteSettings from(URI uri) {
        RemoteSettings d = defaults();
        return new RemoteSettings(
                intParam(uri, "attempts", d.maxAttempts),
                Duration.ofMillis(intParam(uri, "timeoutMs", (int) d.attemptTimeout.toMillis())),
                intParam(uri, "maxInFlight", d.maxInFlight),
                Duration.ofMillis(intParam(uri, "backoffMs", (int) d.baseBackoff.toMillis())));
    }

    private static int intParam(URI uri, String name, int dflt) {
        String v = KeyValueStores.queryParam(uri, name);
        if (v == null) v = System.getProperty("bigarrays.remote." + name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("URL parameter " + name + ": expected an integer, found '" + v + "' in " + uri);
        }
    }
}
