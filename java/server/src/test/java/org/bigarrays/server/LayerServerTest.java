package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on 127.0.0.1: keys, gzip chunks, ranges, CORS, cutouts equal to BigArray.read, each error status. */
class LayerServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static String emUrl;
    static String rawUrl;
    static String zstdUrl;
    static LayerServer server;

    /** uint16, 100×80×40, chunks 32×32×16, two mips, gzip chunks under plain keys. */
    static String layer(String name, Compression c) {
        String url = dir.resolve(name).toUri().toString();
        Info info = Info.builder(DataType.UINT16, new long[] {100, 80, 40}, new long[] {32, 32, 16}).mips(2).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withCompression(c))) {
            for (int m = 0; m < 2; m++) {
                BigArray am = a.mip(m);
                NdView v = am.read(am.bounds());
                long[] s = v.shape();
                for (long z = 0; z < s[2]; z++) for (long y = 0; y < s[1]; y++) for (long x = 0; x < s[0]; x++) {
                    v.set(new long[] {x, y, z, 0}, (x * 7 + y * 131 + z * 1009 + m) & 0xffff);
                }
                am.write(v);
            }
        }
        return url;
    }

    @BeforeAll
    static void start() {
        emUrl = layer("em", Compression.GZIP);
        rawUrl = layer("rawlayer", Compression.NONE);
        zstdUrl = layer("zs", Compression.ZSTD);
        server = LayerServer.builder().layer(LayerSpec.parse(emUrl)).layer(LayerSpec.parse("raw=" + rawUrl)).layer(LayerSpec.parse(zstdUrl))
                .cacheBytes(8L << 20).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUrl().resolve(path));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    static byte[] gunzip(byte[] b) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    static JsonNode error(HttpResponse<byte[]> r, int status) throws IOException {
        assertEquals(status, r.statusCode(), new String(r.body()));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode n = JSON.readTree(r.body());
        assertEquals(status, n.path("status").asInt());
        String m = n.path("error").asText();
        assertFalse(m.isEmpty());
        assertFalse(m.contains("\n") || m.contains("\tat ") || m.contains("at org."), "a stack trace leaked: " + m);
        return n;
    }

    @Test
    void servesTheInfoWithCorsHeaders() throws Exception {
        HttpResponse<byte[]> r = get("/em/info");
        assertEquals(200, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        try (BigArray a = BigArray.open(emUrl)) {
            assertEquals(JSON.readTree(a.info().toJson()), JSON.readTree(r.body()));
        }
        JsonNode index = JSON.readTree(get("/").body());
        assertEquals("precomputed://" + server.baseUrl() + "em", index.path("layers").path("em").path("source").asText());
        assertTrue(index.path("layers").has("raw"));
    }

    @Test
    void answersCorsPreflightsAllowingRange() throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(server.baseUrl().resolve("/em/info"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://example.org")
                .header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "range").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(204, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(r.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Range"));
        assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));
        String exposed = r.headers().firstValue("Access-Control-Expose-Headers").orElse("");
        assertTrue(exposed.contains("Content-Range") && exposed.contains("Content-Encoding"), exposed);
    }

    @Test
    void sendsGzipChunksUnderThePlainKeyWithContentEncoding() throws Exception {
        try (BigArray a = BigArray.open(emUrl)) {
            Box chunk = Box.parse("32,0,16:64,32,32");
            String key = a.info().scale(0).key() + "/" + ChunkKeys.of(chunk);
            // Written by BigArrays on local disk as CloudFiles names it: <key>.gz only; asked for as <key>.
            Path stored = Path.of(URI.create(emUrl)).resolve(key);
            assertTrue(Files.exists(stored.resolveSibling(stored.getFileName() + ".gz")), "stored as <key>.gz");
            assertFalse(Files.exists(stored), "no plain name beside <key>.gz");
            HttpResponse<byte[]> r = get("/em/" + key);
            assertEquals(200, r.statusCode());
            assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null));
            assertArrayEquals(bytes(a.read(chunk)), gunzip(r.body()));
        }
        try (BigArray a = BigArray.open(rawUrl)) {
            Box chunk = Box.parse("0,0,0:32,32,16");
            HttpResponse<byte[]> r = get("/raw/" + a.info().scale(0).key() + "/" + ChunkKeys.of(chunk));
            assertEquals(200, r.statusCode());
            assertNull(r.headers().firstValue("Content-Encoding").orElse(null), "a raw chunk is sent as it is");
            assertArrayEquals(bytes(a.read(chunk)), r.body());
        }
    }

    @Test
    void sendsZstdChunksDecompressedForClientsThatCannotInflateThem() throws Exception {
        try (BigArray a = BigArray.open(zstdUrl)) {
            Box chunk = Box.parse("96,64,32:100,80,40"); // an edge chunk
            String key = a.info().scale(0).key() + "/" + ChunkKeys.of(chunk);
            Path file = Path.of(URI.create(zstdUrl)).resolve(key);
            assertFalse(Files.exists(file), "a zstd chunk has CloudFiles' name <key>.zstd only");
            byte[] stored = Files.readAllBytes(file.resolveSibling(file.getFileName() + ".zstd"));
            assertEquals((byte) 0x28, stored[0], "stored as a zstd frame");
            HttpResponse<byte[]> r = get("/zs/" + key);
            assertEquals(200, r.statusCode());
            assertNull(r.headers().firstValue("Content-Encoding").orElse(null));
            assertArrayEquals(bytes(a.read(chunk)), r.body());
        }
    }

    @Test
    void mapsALegacyGzKeyToThePlainKey(@TempDir Path other) throws Exception {
        String url = layer("legacy", Compression.NONE);
        try (BigArray a = BigArray.open(url)) {
            Box chunk = Box.parse("64,32,0:96,64,16");
            Path file = Path.of(URI.create(url)).resolve(a.info().scale(0).key()).resolve(ChunkKeys.of(chunk));
            byte[] raw = Files.readAllBytes(file);
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(raw);
            }
            Files.write(file.resolveSibling(file.getFileName() + ".gz"), gz.toByteArray());
            Files.delete(file);
            try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).start()) {
                HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(s.layerUrl("legacy").resolve(a.info().scale(0).key() + "/" + ChunkKeys.of(chunk))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null));
                assertArrayEquals(raw, gunzip(r.body()));
            }
        }
    }

    @Test
    void answersByteRangesWith206() throws Exception {
        byte[] whole = get("/raw/info").body();
        HttpResponse<byte[]> r = get("/raw/info", "Range", "bytes=2-9");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 2-9/" + whole.length, r.headers().firstValue("Content-Range").orElse(null), "the total size when it is known");
        assertArrayEquals(Arrays.copyOfRange(whole, 2, 10), r.body());
        HttpResponse<byte[]> open = get("/raw/info", "Range", "bytes=5-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(whole, 5, whole.length), open.body());
        error(get("/raw/info", "Range", "bytes=100000-100010"), 416);
    }

    @Test
    void cutoutsEqualBigArrayRead() throws Exception {
        try (BigArray a = BigArray.open(emUrl)) {
            for (String b : List.of("0,0,0:100,80,40", "5,7,3:61,33,29", "90,70,30:110,90,50")) {
                Box box = Box.parse(b);
                NdView expected = a.read(box);
                HttpResponse<byte[]> npy = get("/em/cutout?box=" + b + "&format=npy");
                assertEquals(200, npy.statusCode(), new String(npy.body()));
                byte[] header = NpyHeader.of(DataType.UINT16, expected.shape());
                assertArrayEquals(header, Arrays.copyOf(npy.body(), header.length));
                assertArrayEquals(bytes(expected), Arrays.copyOfRange(npy.body(), header.length, npy.body().length));
                HttpResponse<byte[]> raw = get("/em/cutout?box=" + b + "&format=raw");
                assertArrayEquals(bytes(expected), raw.body());
            }
            Box box = Box.parse("3,4,5:40,30,20");
            HttpResponse<byte[]> r = get("/em/cutout?box=3,4,5:40,30,20&mip=1&format=raw");
            assertArrayEquals(bytes(a.mip(1).read(box)), r.body());
        }
        assertTrue(server.context().chunkCache().stats().hits() > 0);
    }

    @Test
    void badRequestsGetJsonErrorsWithTheirStatus() throws Exception {
        error(get("/em/cutout?box=1,2:3,4"), 400);
        error(get("/em/cutout?box=a,b,c:d,e,f"), 400);
        error(get("/em/cutout?box=5,5,5:5,6,6"), 400);
        error(get("/em/cutout"), 400);
        error(get("/em/cutout?box=0,0,0:1,1,1&mip=7"), 400);
        error(get("/em/cutout?box=0,0,0:1,1,1&format=tiff"), 400);
        error(get("/em/cutout?box=0,0,0:1,1,1&colour=red"), 400);
        assertTrue(error(get("/nosuch/info"), 404).path("error").asText().contains("nosuch"));
        error(get("/em/no/such/key"), 404);
        error(get("/em/cutout?box=0,0,0:100000,100000,100000"), 413);
        error(get("/em/cutout?box=0,0,0:4000000000,4000000000,4000000000"), 413);
        error(HTTP.send(HttpRequest.newBuilder(server.baseUrl().resolve("/em/info")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofByteArray()), 405);
    }

    /** A store whose chunk reads fail, or wait on a latch, on demand. */
    static final class Faulty {
        volatile boolean fail;
        volatile CountDownLatch hold;
        final CountDownLatch entered = new CountDownLatch(1);

        KeyValueStore open(URI uri) {
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public ReadResult read(String key, ReadOptions o) {
                    if (!key.equals("info")) {
                        if (fail) throw new StorageException(uri.toString(), key, "read", "HTTP 500 from the bucket");
                        CountDownLatch h = hold;
                        if (h != null) {
                            entered.countDown();
                            try {
                                h.await(20, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                    return super.read(key, o);
                }
            };
        }
    }

    @Test
    void aFailingStoreIs502AndTooManyCutoutsAre503() throws Exception {
        Faulty f = new Faulty();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(f::open, 0);
             LayerServer s = LayerServer.builder().context(ctx).layer(LayerSpec.parse(emUrl)).maxConcurrentCutouts(1)
                     .queueWait(java.time.Duration.ZERO).start()) {
            URI base = s.baseUrl();
            f.fail = true;
            JsonNode e = error(HTTP.send(HttpRequest.newBuilder(base.resolve("/em/cutout?box=0,0,0:10,10,10")).build(), HttpResponse.BodyHandlers.ofByteArray()), 502);
            assertTrue(e.path("error").asText().contains("HTTP 500 from the bucket"), e.toString());
            error(HTTP.send(HttpRequest.newBuilder(base.resolve("/em/" + s.layers().get("em").info().scale(0).key() + "/0-32_0-32_0-16")).build(), HttpResponse.BodyHandlers.ofByteArray()), 502);
            f.fail = false;
            f.hold = new CountDownLatch(1);
            var first = HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/em/cutout?box=0,0,0:10,10,10")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(f.entered.await(10, TimeUnit.SECONDS), "the first cutout reached the store");
            HttpResponse<byte[]> busy = HTTP.send(HttpRequest.newBuilder(base.resolve("/em/cutout?box=0,0,0:10,10,10")).build(), HttpResponse.BodyHandlers.ofByteArray());
            error(busy, 503);
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
            f.hold.countDown();
            f.hold = null;
            assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void layerNamesComeFromTheUrlOrNameEquals() {
        assertEquals(new LayerSpec("em", "s3://bucket/data/em/"), LayerSpec.parse("s3://bucket/data/em/"));
        assertEquals(new LayerSpec("seg", "gs://b/x"), LayerSpec.parse("seg=gs://b/x"));
        assertEquals("img", LayerSpec.parse("/data/img").name());
        // Every URL form is named alike: Neuroglancer's precomputed:// prefix, file:// with or without a trailing slash.
        for (String form : java.util.List.of("precomputed://gs://b/img", "file:///data/img", "file:///data/img/", "precomputed://file:///data/img",
                "gs://b/img/|neuroglancer-precomputed:", "s3://b/img?endpoint=http://127.0.0.1:9000")) {
            assertEquals("img", LayerSpec.parse(form).name(), form);
        }
        assertThrows(InvalidInputException.class, () -> LayerSpec.parse("file:///"));
        assertThrows(InvalidInputException.class, () -> LayerServer.builder().layer(LayerSpec.parse("/a/em")).layer(LayerSpec.parse("/b/em")));
        assertThrows(InvalidInputException.class, () -> LayerServer.builder().layer(LayerSpec.parse(dir.resolve("nothing").toString())).start());
    }
}
