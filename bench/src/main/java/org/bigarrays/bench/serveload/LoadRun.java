package org.bigarrays.bench.serveload;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

/**
 * Closed-loop clients: each of N threads sends a request, reads its whole body, and sends the
 * next, for a warm-up and then a measured window. Only requests that complete inside the window
 * count; throughput is their number (and body bytes) over the window. A cutout whose body is
 * not exactly its box's bytes, or a batch whose .npz is not longer than its boxes' bytes, counts
 * as failed. After a 503 a client waits
 * {@link #BUSY_PAUSE} (not the server's 1 s Retry-After, so the busy rate shows) and goes on.
 */
final class LoadRun {
    static final Duration BUSY_PAUSE = Duration.ofMillis(100);
    /** The outcome of a 200 whose body is not as long as the request's box: counted as failed. */
    private static final long WRONG_LENGTH = Long.MIN_VALUE + 1;

    /** One phase's outcome by request class, over {@code seconds} of measurement. */
    record Result(Map<RequestClass, ClassStats> byClass, double seconds) {}

    /** One request's effect, timed by the client loop. */
    @FunctionalInterface
    interface Action {
        /** Does {@code req}; returns the body bytes of a success, or a negative HTTP status, or throws. */
        long run(Workload.Request req, int client) throws Exception;
    }

    private LoadRun() {}

    /** Requests over HTTP to {@code layer} (ending in '/'), with one shared HTTP/1.1 client. */
    static Result http(URI layer, Workload w, int clients, Duration warmup, Duration window, Duration timeout, long seed) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        try (client) {
            return run(w, clients, warmup, window, seed, (req, c) -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(layer.resolve(req.target())).timeout(timeout);
                if (req.body() != null) b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(req.body()));
                HttpResponse<InputStream> res = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                long n = 0;
                try (InputStream in = res.body()) {
                    byte[] buf = new byte[64 << 10];
                    for (int k; (k = in.read(buf)) >= 0; ) n += k;
                }
                if (res.statusCode() != 200) return -res.statusCode();
                boolean rightLength = req.expectedBytes() < 0 || (req.cls() == RequestClass.BATCH ? n > req.expectedBytes() : n == req.expectedBytes());
                return rightLength ? n : WRONG_LENGTH;
            });
        }
    }

    /** In-process reads of the cutout classes' boxes into per-client buffers (the cutout limit). */
    static Result inProcess(BigArray array, Workload w, int clients, Duration warmup, Duration window, long seed) {
        long max = 0;
        for (RequestClass c : w.classes()) max = Math.max(max, (long) c.edge() * c.edge() * c.edge() * array.channels() * array.dataType().size());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] buffers = new MemorySegment[clients];
            for (int i = 0; i < clients; i++) buffers[i] = arena.allocate(max, 64);
            return run(w, clients, warmup, window, seed, (req, c) -> {
                long n = 0;
                for (Box b : req.boxes()) {
                    long bytes = b.volume() * array.channels() * array.dataType().size();
                    NdView into = NdView.wrap(buffers[c].asSlice(0, bytes), array.dataType(), new long[] {b.min(0), b.min(1), b.min(2), 0},
                            new long[] {b.size(0), b.size(1), b.size(2), array.channels()});
                    array.read(b, into);
                    n += bytes;
                }
                return n;
            });
        }
    }

    private static Result run(Workload w, int clients, Duration warmup, Duration window, long seed, Action action) {
        long start = System.nanoTime() + warmup.toNanos();
        long end = start + window.toNanos();
        List<Map<RequestClass, ClassStats>> perClient = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Map<RequestClass, ClassStats> mine = new EnumMap<>(RequestClass.class);
            for (RequestClass c : w.classes()) mine.put(c, new ClassStats());
            perClient.add(mine);
            int client = i;
            threads.add(Thread.ofPlatform().name("load-client-" + i).start(() -> {
                Random r = new Random(seed * 1000 + client);
                while (System.nanoTime() < end) {
                    Workload.Request req = w.next(r);
                    long t0 = System.nanoTime();
                    long outcome;
                    try {
                        outcome = action.run(req, client);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception | OutOfMemoryError e) {
                        outcome = Long.MIN_VALUE;
                    }
                    long t1 = System.nanoTime();
                    boolean counted = t1 >= start && t1 < end;
                    ClassStats s = mine.get(req.cls());
                    if (outcome >= 0) {
                        if (counted) s.ok(t1 - t0, outcome);
                    } else if (outcome == -503) {
                        if (counted) s.busy++;
                        pause();
                    } else if (outcome == Long.MIN_VALUE || outcome == WRONG_LENGTH) {
                        if (counted) s.failed++;
                        pause();
                    } else if (counted) {
                        s.otherStatus++;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        Map<RequestClass, ClassStats> all = new EnumMap<>(RequestClass.class);
        for (RequestClass c : w.classes()) all.put(c, new ClassStats());
        for (Map<RequestClass, ClassStats> m : perClient) m.forEach((c, s) -> all.get(c).merge(s));
        return new Result(all, window.toNanos() / 1e9);
    }

    private static void pause() {
        try {
            Thread.sleep(BUSY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
