package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a hostile or careless client meets it: links out of a layer, repeated and unknown
 * query parameters, HEAD, values of 1 and 5 GiB (sparse files), clients that never read, strictly
 * sequential clients at the slot limit, idle connections, oversized request lines, and the
 * metrics that count all of it.
 */
class ServerHardeningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static String url;
    static Path layerDir;

    /** uint8, 256×256×64, raw chunks 64³, written with a pattern. */
    @BeforeAll
    static void layer() {
        layerDir = dir.resolve("em");
        url = layerDir.toUri().toString();
        Info info = Info.builder(DataType.UINT8, new long[] {256, 256, 64}, new long[] {64, 64, 64}).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults())) {
            NdView v = a.read(a.bounds());
            long[] s = v.shape();
            for (long z = 0; z < s[2]; z++) for (long y = 0; y < s[1]; y++) for (long x = 0; x < s[0]; x++) v.set(new long[] {x, y, z, 0}, (x + 3 * y + 7 * z) & 0xff);
            a.write(v);
        }
    }

    static HttpResponse<byte[]> get(URI base, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String error(HttpResponse<byte[]> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode n = JSON.readTree(r.body());
        assertEquals(status, n.path("status").asInt());
        return n.path("error").asText();
    }

    @Test
    void nothingOutsideTheLayersRealRootIsServedSymbolicLinksIncluded(@TempDir Path outside) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret"), "root:x:0:0");
        Files.createDirectories(outside.resolve("d"));
        Files.writeString(outside.resolve("d").resolve("x"), "outside");
        Files.createSymbolicLink(layerDir.resolve("pw"), secret);
        Files.createSymbolicLink(layerDir.resolve("linked"), outside.resolve("d"));
        Files.createSymbolicLink(layerDir.resolve("alias"), layerDir.resolve("info")); // a link that stays inside is fine
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(0).start()) {
            String m = error(get(s.baseUrl(), "/em/pw"), 404);
            assertTrue(!m.contains(outside.toString()), "the message does not say where the link points: " + m);
            error(get(s.baseUrl(), "/em/linked/x"), 404);
            error(get(s.baseUrl(), "/em/pw", "Range", "bytes=0-"), 404);
            HttpResponse<byte[]> alias = get(s.baseUrl(), "/em/alias");
            assertEquals(200, alias.statusCode());
            assertArrayEquals(Files.readAllBytes(layerDir.resolve("info")), alias.body());
            // The index names layers; it shows no store path or URL.
            String index = new String(get(s.baseUrl(), "/").body(), StandardCharsets.UTF_8);
            assertTrue(index.contains("\"em\"") && !index.contains(layerDir.toString()) && !index.contains("file:"), index);
        } finally {
            for (String l : List.of("pw", "linked", "alias")) Files.deleteIfExists(layerDir.resolve(l));
        }
    }

    @Test
    void repeatedOrUnknownQueryParametersAre400NamingThem() throws Exception {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(0).start()) {
            String twice = error(get(s.baseUrl(), "/em/cutout?box=0,0,0:8,8,8&box=0,0,0:9,9,9"), 400);
            assertTrue(twice.contains("'box'") && twice.contains("more than once"), twice);
            String unknown = error(get(s.baseUrl(), "/em/cutout?box=0,0,0:8,8,8&mpi=1&zz=2"), 400);
            assertTrue(unknown.contains("'mpi'") && unknown.contains("'zz'"), unknown);
            String onKey = error(get(s.baseUrl(), "/em/info?v=2"), 400);
            assertTrue(onKey.contains("'v'"), onKey);
            assertEquals(200, get(s.baseUrl(), "/em/cutout?box=0,0,0:8,8,8&mip=0&format=raw").statusCode());
        }
    }

    /** A store that counts the reads of keys other than info. */
    static final class Counting {
        final AtomicInteger reads = new AtomicInteger();

        KeyValueStore open(URI uri) {
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public ReadResult read(String key, ReadOptions o) {
                    if (!key.equals("info")) reads.incrementAndGet();
                    return super.read(key, o);
                }
            };
        }
    }

    @Test
    void headAnswersACutoutsHeadersWithoutReadingAChunk() throws Exception {
        Counting c = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open, 0);
             LayerServer s = LayerServer.builder().context(ctx).layer(LayerSpec.parse(url)).start()) {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/cutout?box=0,0,0:200,100,50"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, r.statusCode());
            long header = NpyHeader.of(DataType.UINT8, new long[] {200, 100, 50, 1}).length;
            assertEquals(header + 200 * 100 * 50, r.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertEquals("200,100,50,1", r.headers().firstValue("X-BigArrays-Shape").orElse(null));
            assertEquals(0, c.reads.get(), "HEAD read no chunk");
            HttpResponse<byte[]> got = get(s.baseUrl(), "/em/cutout?box=0,0,0:200,100,50");
            assertEquals(header + 200 * 100 * 50, got.body().length);
            assertTrue(c.reads.get() > 0);
        }
    }

    private static void sparse(Path p, long size, byte[] head, byte[] tail) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            f.seek(0);
            f.write(head);
            f.seek(size - tail.length);
            f.write(tail);
        }
    }

    /** Reads a body through, counting its bytes; returns {count, first 8 bytes as long, last byte}. */
    private static long[] drain(InputStream in, byte[] last8) throws Exception {
        byte[] buf = new byte[1 << 20];
        long n = 0;
        long first = 0;
        for (int k; (k = in.read(buf)) >= 0; ) {
            for (int i = 0; i < k && n + i < 8; i++) first = first << 8 | (buf[i] & 0xff);
            if (k >= 8) System.arraycopy(buf, k - 8, last8, 0, 8);
            n += k;
        }
        return new long[] {n, first};
    }

    @Test
    void valuesOfOneAndFiveGibStreamWithRangesAndHead() throws Exception {
        long g1 = 1L << 30;
        long g5 = 5L << 30;
        byte[] head = "HEADHEAD".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "TAILTAIL".getBytes(StandardCharsets.US_ASCII);
        Path shards = Files.createDirectories(layerDir.resolve("big"));
        sparse(shards.resolve("one"), g1, head, tail);
        sparse(shards.resolve("five"), g5, head, tail);
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(0).start()) {
            // 1 GiB whole: every byte arrives.
            HttpResponse<InputStream> one = HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/big/one")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, one.statusCode());
            assertEquals(g1, one.headers().firstValueAsLong("Content-Length").orElse(-1));
            byte[] last = new byte[8];
            long[] got;
            try (InputStream in = one.body()) {
                got = drain(in, last);
            }
            assertEquals(g1, got[0]);
            assertEquals(0x4845414448454144L, got[1], "HEADHEAD first");
            assertArrayEquals(tail, last);
            // 1 GiB as Range: bytes=0- (what shard readers send): 206 with the size.
            HttpResponse<InputStream> open = HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/big/one")).header("Range", "bytes=0-").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(206, open.statusCode());
            assertEquals("bytes 0-" + (g1 - 1) + "/" + g1, open.headers().firstValue("Content-Range").orElse(null));
            try (InputStream in = open.body()) {
                assertEquals(g1, drain(in, last)[0]);
            }
            // 5 GiB: HEAD, an open range's headers and first bytes, and the tail.
            HttpResponse<Void> h = HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/big/five")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, h.statusCode());
            assertEquals(g5, h.headers().firstValueAsLong("Content-Length").orElse(-1));
            HttpResponse<InputStream> five = HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/big/five")).header("Range", "bytes=0-").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(206, five.statusCode());
            assertEquals(g5, five.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertEquals("bytes 0-" + (g5 - 1) + "/" + g5, five.headers().firstValue("Content-Range").orElse(null));
            try (InputStream in = five.body()) {
                assertArrayEquals(head, in.readNBytes(8));
                assertEquals(32L << 20, in.skip(32L << 20)); // reading on works; the rest is dropped with the connection
            }
            HttpResponse<byte[]> end = get(s.baseUrl(), "/em/big/five", "Range", "bytes=" + (g5 - 8) + "-");
            assertEquals(206, end.statusCode());
            assertEquals("bytes " + (g5 - 8) + "-" + (g5 - 1) + "/" + g5, end.headers().firstValue("Content-Range").orElse(null));
            assertArrayEquals(tail, end.body());
            HttpResponse<byte[]> beyond = get(s.baseUrl(), "/em/big/five", "Range", "bytes=" + g5 + "-");
            assertEquals(416, beyond.statusCode());
            assertEquals("bytes */" + g5, beyond.headers().firstValue("Content-Range").orElse(null));
        } finally {
            Files.deleteIfExists(shards.resolve("one"));
            Files.deleteIfExists(shards.resolve("five"));
        }
    }

    /** Sends a GET and never reads the answer. */
    private static Socket neverReads(URI base, String path) throws Exception {
        Socket sock = new Socket();
        sock.setReceiveBufferSize(4096);
        sock.connect(new InetSocketAddress("127.0.0.1", base.getPort()));
        OutputStream o = sock.getOutputStream();
        o.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        o.flush();
        return sock;
    }

    @Test
    void aClientThatStopsReadingLosesItsSlotAfterTheWriteTimeout() throws Exception {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(16L << 20).maxConcurrentCutouts(1).maxQueuedCutouts(0)
                .queueWait(Duration.ZERO).writeTimeout(Duration.ofSeconds(1)).start()) {
            // 64 MiB, mostly outside the volume (fill value): far more than socket buffers hold.
            try (Socket stuck = neverReads(s.baseUrl(), "/em/cutout?box=0,0,0:1024,1024,64&format=raw")) {
                awaitMetric(s, "bigarrays_cutouts_in_flight", 1);
                long deadline = System.nanoTime() + 10_000_000_000L;
                boolean sawBusy = false;
                int status;
                do {
                    status = get(s.baseUrl(), "/em/cutout?box=0,0,0:8,8,8").statusCode();
                    if (status == 503) sawBusy = true;
                    if (status != 200) Thread.sleep(100);
                } while (status != 200 && System.nanoTime() < deadline);
                assertTrue(sawBusy, "the stuck client held the only slot at first");
                assertEquals(200, status, "the slot came back after the write timeout while the stuck client stayed connected");
                assertTrue(metric(s, "bigarrays_busy_rejections_total{route=\"cutout\"}") >= 1);
            }
        }
    }

    @Test
    void sequentialClientsWithinTheLimitNeverSee503() throws Exception {
        int clients = 4;
        int each = 40;
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(16L << 20).maxConcurrentCutouts(clients).maxQueuedCutouts(0)
                .queueWait(Duration.ZERO).start()) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<int[]>> fs = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    HttpClient own = HttpClient.newHttpClient(); // one connection per client, reused
                    Callable<int[]> task = () -> {
                        int ok = 0;
                        int busy = 0;
                        for (int i = 0; i < each; i++) {
                            int st = own.send(HttpRequest.newBuilder(s.baseUrl().resolve("/em/cutout?box=0,0,0:64,64," + (1 + i % 64))).build(),
                                    HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                            if (st == 200) ok++;
                            else if (st == 503) busy++;
                        }
                        return new int[] {ok, busy};
                    };
                    fs.add(pool.submit(task));
                }
                int busy = 0;
                int ok = 0;
                for (Future<int[]> f : fs) {
                    int[] r = f.get();
                    ok += r[0];
                    busy += r[1];
                }
                assertEquals(0, busy, "503s to sequential clients within the limit");
                assertEquals(clients * each, ok);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAndOversizedRequestLinesRefused() throws Exception {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(0).idleTimeout(Duration.ofMillis(500))
                .maxHeaderBytes(2048).start();
             Socket idle = new Socket("127.0.0.1", s.port())) {
            idle.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            assertEquals(-1, idle.getInputStream().read(), "closed by the server");
            assertTrue(System.nanoTime() - t0 < 9_000_000_000L);
            String longQuery = "/em/cutout?box=" + "0".repeat(4000);
            assertEquals(414, get(s.baseUrl(), longQuery).statusCode());
            assertEquals(431, get(s.baseUrl(), "/em/info", "X-Big", "y".repeat(4000)).statusCode());
            assertEquals(200, get(s.baseUrl(), "/em/info").statusCode());
        }
    }

    /** The value of one sample line of /metrics (0 when absent). */
    static double metric(LayerServer s, String sample) throws Exception {
        String text = new String(get(s.baseUrl(), "/metrics").body(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** Waits until a sample reaches {@code expected} (requests are counted once complete, just after the client has them). */
    static void awaitMetric(LayerServer s, String sample, double expected) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        double v;
        while ((v = metric(s, sample)) != expected && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(expected, v, sample);
    }

    @Test
    void metricsAndHealthCountWhatHappened() throws Exception {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(16L << 20).start()) {
            JsonNode health = JSON.readTree(get(s.baseUrl(), "/healthz").body());
            assertEquals("ok", health.path("status").asText());
            for (int i = 0; i < 3; i++) assertEquals(200, get(s.baseUrl(), "/em/info").statusCode());
            HttpResponse<byte[]> cut = get(s.baseUrl(), "/em/cutout?box=0,0,0:100,100,10&format=raw");
            assertEquals(200, cut.statusCode());
            HttpResponse<byte[]> again = get(s.baseUrl(), "/em/cutout?box=0,0,0:100,100,10&format=raw");
            assertEquals(200, again.statusCode());
            HttpResponse<byte[]> bad = get(s.baseUrl(), "/em/cutout?box=1,2:3,4");
            error(bad, 400);
            error(get(s.baseUrl(), "/em/nothing"), 404);
            awaitMetric(s, "bigarrays_http_requests_total{route=\"key\",status=\"200\"}", 3);
            awaitMetric(s, "bigarrays_http_requests_total{route=\"cutout\",status=\"200\"}", 2);
            awaitMetric(s, "bigarrays_http_requests_total{route=\"cutout\",status=\"400\"}", 1);
            awaitMetric(s, "bigarrays_http_requests_total{route=\"key\",status=\"404\"}", 1);
            awaitMetric(s, "bigarrays_http_requests_total{route=\"healthz\",status=\"200\"}", 1);
            awaitMetric(s, "bigarrays_http_request_duration_seconds_count{route=\"cutout\"}", 3);
            awaitMetric(s, "bigarrays_http_response_bytes_total{route=\"cutout\"}", 2 * 100 * 100 * 10 + bad.body().length);
            // Two cutouts of the same four chunks: decoded once, then served from the cache.
            assertEquals(4, metric(s, "bigarrays_chunk_cache_misses_total"));
            assertEquals(4, metric(s, "bigarrays_chunk_cache_hits_total"));
            assertEquals(4 * 64 * 64 * 64, metric(s, "bigarrays_chunk_cache_bytes"));
            assertEquals(0, metric(s, "bigarrays_cutouts_in_flight"));
            assertEquals(0, metric(s, "bigarrays_cutouts_queued"));
            assertEquals(0, metric(s, "bigarrays_store_errors_total{layer=\"em\"}"));
        }
    }

    @Test
    void valuesInOtherStoresStreamInRangesSizedByProbes() throws Exception {
        // A wrapped store is not a FileStore: values go through ranged reads (StoreValue).
        byte[] value = new byte[(9 << 20) + 123];
        for (int i = 0; i < value.length; i++) value[i] = (byte) (i * 31 + (i >> 13));
        Path shards = Files.createDirectories(layerDir.resolve("remote"));
        Files.write(shards.resolve("v"), value);
        Counting c = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open, 0);
             LayerServer s = LayerServer.builder().context(ctx).layer(LayerSpec.parse(url)).start()) {
            HttpResponse<byte[]> whole = get(s.baseUrl(), "/em/remote/v");
            assertEquals(200, whole.statusCode());
            assertEquals(value.length, whole.headers().firstValueAsLong("Content-Length").orElse(-1));
            assertArrayEquals(value, whole.body());
            HttpResponse<byte[]> open = get(s.baseUrl(), "/em/remote/v", "Range", "bytes=1000-");
            assertEquals(206, open.statusCode());
            assertEquals("bytes 1000-" + (value.length - 1) + "/" + value.length, open.headers().firstValue("Content-Range").orElse(null));
            assertArrayEquals(java.util.Arrays.copyOfRange(value, 1000, value.length), open.body());
            HttpResponse<byte[]> small = get(s.baseUrl(), "/em/remote/v", "Range", "bytes=5-9");
            assertEquals("bytes 5-9/" + value.length, small.headers().firstValue("Content-Range").orElse(null));
            assertArrayEquals(java.util.Arrays.copyOfRange(value, 5, 10), small.body());
            // A value shorter than one block (a chunk) costs one store request, not a sizing read and a second one.
            Files.write(shards.resolve("small"), java.util.Arrays.copyOf(value, 70_000));
            int before = c.reads.get();
            HttpResponse<byte[]> chunk = get(s.baseUrl(), "/em/remote/small");
            assertEquals(200, chunk.statusCode());
            assertArrayEquals(java.util.Arrays.copyOf(value, 70_000), chunk.body());
            assertEquals(1, c.reads.get() - before, "store reads for one small value");
        } finally {
            Files.deleteIfExists(shards.resolve("v"));
            Files.deleteIfExists(shards.resolve("small"));
        }
    }

    @Test
    void closeLetsAResponseInFlightFinishThenRefusesConnections() throws Exception {
        LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(16L << 20).shutdownGrace(Duration.ofSeconds(20)).start();
        int port = s.port();
        Thread closer = null;
        try (Socket sock = new Socket("127.0.0.1", port)) {
            OutputStream o = sock.getOutputStream();
            o.write("GET /em/cutout?box=0,0,0:1024,1024,64&format=raw HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = sock.getInputStream();
            byte[] buf = new byte[1 << 16];
            long got = in.read(buf); // the response has begun
            assertTrue(got > 0);
            closer = new Thread(s::close);
            closer.start();
            Thread.sleep(300); // close() is now waiting on this response
            assertTrue(closer.isAlive(), "close waits for the response in flight");
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int n; System.nanoTime() < deadline && (n = in.read(buf)) >= 0; ) got += n;
            assertTrue(got > 64L << 20, "the whole 64 MiB response arrived: " + got);
        } finally {
            if (closer != null) closer.join(30_000);
            s.close();
        }
        try (Socket again = new Socket()) {
            again.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            again.setSoTimeout(2000);
            again.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, again.getInputStream().read(), "nothing answers after close");
        } catch (java.net.ConnectException refused) {
            // refused outright: also right
        }
    }
}
