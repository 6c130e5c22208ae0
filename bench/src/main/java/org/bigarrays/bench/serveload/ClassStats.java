package org.bigarrays.bench.serveload;

import java.util.Arrays;

/**
 * What one request class did in one measured window: answers 200 (with their latencies and
 * body bytes), 503s, other statuses, and failures (timeouts, broken connections). Not
 * thread-safe: each client keeps its own, merged at the end.
 */
final class ClassStats {
    private long[] latenciesNanos = new long[64];
    int ok;
    int busy;
    int otherStatus;
    int failed;
    long bytes;

    void ok(long nanos, long bodyBytes) {
        if (ok == latenciesNanos.length) latenciesNanos = Arrays.copyOf(latenciesNanos, ok * 2);
        latenciesNanos[ok++] = nanos;
        bytes += bodyBytes;
    }

    void merge(ClassStats o) {
        for (int i = 0; i < o.ok; i++) ok(o.latenciesNanos[i], 0);
        bytes += o.bytes;
        busy += o.busy;
        otherStatus += o.otherStatus;
        failed += o.failed;
    }

    int errors() {
        return otherStatus + failed;
    }

    /** The {@code q}-quantile (nearest rank) of the 200s' latencies in milliseconds; NaN with none. */
    double percentileMillis(double q) {
        if (ok == 0) return Double.NaN;
        long[] s = Arrays.copyOf(latenciesNanos, ok);
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * ok);
        return s[Math.max(0, rank - 1)] / 1e6;
    }
}
