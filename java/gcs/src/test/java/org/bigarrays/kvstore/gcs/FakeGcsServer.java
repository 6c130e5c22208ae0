package org.bigarrays.kvstore.gcs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The subset of the GCS JSON API that {@link GcsStore} uses, in memory, on 127.0.0.1: media
 * download with Range, metadata GET, simple media upload, DELETE, and listing with small pages
 * (so pagination is exercised). Objects have generations; {@code ifGenerationMatch} (0: only if
 * absent) on upload is checked atomically with the write, and {@code ifGenerationMatch} /
 * {@code ifGenerationNotMatch} on GET answer 412 / 304, as GCS does. Buckets exist only if
 * named at construction or created; others answer 404 "The specified bucket does not exist." If a token is set, requests without {@code Bearer <token>} get 401.
 */
public final class FakeGcsServer implements AutoCloseable {
    static final int PAGE = 300;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<String, ConcurrentSkipListMap<String, Obj>> buckets = new java.util.concurrent.ConcurrentHashMap<>();
    /** The contentEncoding each object was last uploaded with ("" for none), by bucket/name. */
    final Map<String, String> contentEncodings = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    volatile String requiredToken;
    /** Token endpoint: verifies grants and hands out {@link #requiredToken}. */
    volatile java.security.PublicKey serviceAccountKey;
    volatile String refreshToken;
    final AtomicLong tokenRequests = new AtomicLong();
    final AtomicLong unauthorized = new AtomicLong();

    /** An object: its bytes and its generation (a server-wide counter, as GCS's are unique and increasing). */
    private record Obj(byte[] bytes, long generation) {}

    /** A server holding the empty buckets {@code bucketNames}; others do not exist (404). */
    public FakeGcsServer(String... bucketNames) throws IOException {
        for (String b : bucketNames) createBucket(b);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void createBucket(String name) {
        buckets.putIfAbsent(name, new ConcurrentSkipListMap<>());
    }

    /** The bucket, or null after answering 404 as GCS does for a bucket that does not exist. */
    private ConcurrentSkipListMap<String, Obj> bucket(HttpExchange ex, String name) throws IOException {
        ConcurrentSkipListMap<String, Obj> b = buckets.get(name);
        if (b == null) json(ex, 404, "{\"error\":{\"code\":404,\"message\":\"The specified bucket does not exist.\"}}");
        return b;
    }

    private static void preconditionFailed(HttpExchange ex) throws IOException {
        json(ex, 412, "{\"error\":{\"code\":412,\"message\":\"At least one of the pre-conditions you specified did not hold.\"}}");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0) q.put(kv.substring(0, i), URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestURI().getPath().equals("/token")) {
                token(ex);
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                json(ex, 401, "{\"error\":{\"code\":401,\"message\":\"Anonymous caller does not have storage.objects.get access\"}}");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String method = ex.getRequestMethod();
            String[] parts = path.split("/", -1); // "", storage|upload, v1 | storage, ...
            if (method.equals("POST") && path.matches("/upload/storage/v1/b/[^/]+/o") && "media".equals(q.get("uploadType"))) {
                var bucket = bucket(ex, URLDecoder.decode(parts[5], StandardCharsets.UTF_8));
                if (bucket == null) return;
                byte[] body = ex.getRequestBody().readAllBytes();
                contentEncodings.put(URLDecoder.decode(parts[5], StandardCharsets.UTF_8) + "/" + q.get("name"), q.getOrDefault("contentEncoding", ""));
                String ifMatch = q.get("ifGenerationMatch"); // "0": only if absent
                Obj fresh = new Obj(body, generation.incrementAndGet());
                // The check and the replace in one atomic step, as GCS does.
                Obj stored = bucket.compute(q.get("name"), (k, old) ->
                        ifMatch == null || Long.parseLong(ifMatch) == (old == null ? 0 : old.generation) ? fresh : old);
                if (stored != fresh) {
                    preconditionFailed(ex);
                    return;
                }
                json(ex, 200, "{\"name\":" + JSON.writeValueAsString(q.get("name")) + ",\"size\":\"" + body.length
                        + "\",\"generation\":\"" + fresh.generation + "\",\"md5Hash\":\"" + md5(body) + "\"}");
                return;
            }
            if (path.matches("/storage/v1/b/[^/]+/o")) { // list
                var bucket = bucket(ex, URLDecoder.decode(parts[4], StandardCharsets.UTF_8));
                if (bucket == null) return;
                String prefix = q.getOrDefault("prefix", "");
                String after = q.get("pageToken");
                ObjectNode out = JSON.createObjectNode();
                ArrayNode items = out.putArray("items");
                String last = null;
                for (String k : bucket.tailMap(after == null ? prefix : after, after == null).keySet()) {
                    if (!k.startsWith(prefix)) break;
                    if (items.size() == PAGE) {
                        out.put("nextPageToken", last);
                        break;
                    }
                    items.addObject().put("name", k);
                    last = k;
                }
                json(ex, 200, JSON.writeValueAsString(out));
                return;
            }
            if (path.matches("/storage/v1/b/[^/]+/o/[^/]+")) {
                var bucket = bucket(ex, URLDecoder.decode(parts[4], StandardCharsets.UTF_8));
                if (bucket == null) return;
                String name = URLDecoder.decode(parts[6], StandardCharsets.UTF_8);
                Obj o = bucket.get(name);
                if (method.equals("DELETE")) {
                    if (bucket.remove(name) == null) json(ex, 404, "{\"error\":{\"code\":404,\"message\":\"No such object: " + name + "\"}}");
                    else ex.sendResponseHeaders(204, -1);
                    return;
                }
                if (o == null) {
                    json(ex, 404, "{\"error\":{\"code\":404,\"message\":\"No such object: " + name + "\"}}");
                    return;
                }
                String ifMatch = q.get("ifGenerationMatch");
                String ifNotMatch = q.get("ifGenerationNotMatch");
                if (ifMatch != null && Long.parseLong(ifMatch) != o.generation) {
                    preconditionFailed(ex);
                    return;
                }
                if (ifNotMatch != null && Long.parseLong(ifNotMatch) == o.generation) {
                    ex.sendResponseHeaders(304, -1); // GCS answers a failed ifGenerationNotMatch on GET with 304
                    return;
                }
                ex.getResponseHeaders().set("x-goog-generation", Long.toString(o.generation));
                byte[] v = o.bytes;
                if (!"media".equals(q.get("alt"))) {
                    json(ex, 200, "{\"name\":" + JSON.writeValueAsString(name) + ",\"generation\":\"" + o.generation
                            + "\",\"md5Hash\":\"" + md5(v) + "\"}");
                    return;
                }
                String range = ex.getRequestHeaders().getFirst("Range");
                if (range == null) {
                    send(ex, 200, v);
                    return;
                }
                String spec = range.substring("bytes=".length());
                int start, end;
                if (spec.startsWith("-")) {
                    start = Math.max(0, v.length - Integer.parseInt(spec.substring(1)));
                    end = v.length;
                } else {
                    String[] se = spec.split("-", -1);
                    start = Integer.parseInt(se[0]);
                    end = se[1].isEmpty() ? v.length : Math.min(v.length, Integer.parseInt(se[1]) + 1);
                }
                if (start >= v.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (end - 1) + "/" + v.length);
                send(ex, 206, java.util.Arrays.copyOfRange(v, start, end));
                return;
            }
            json(ex, 400, "{\"error\":{\"code\":400,\"message\":\"unsupported by the fake: " + method + " " + path + "\"}}");
        }
    }

    /** OAuth token endpoint: a refresh-token grant, or an RS256 JWT grant signed by the service account key. */
    private void token(HttpExchange ex) throws IOException {
        tokenRequests.incrementAndGet();
        Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        boolean ok = false;
        if ("refresh_token".equals(form.get("grant_type"))) {
            ok = refreshToken != null && refreshToken.equals(form.get("refresh_token"));
        } else if ("urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) && serviceAccountKey != null) {
            String[] parts = form.getOrDefault("assertion", "").split("\\.");
            try {
                java.security.Signature sig = java.security.Signature.getInstance("SHA256withRSA");
                sig.initVerify(serviceAccountKey);
                sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                ok = sig.verify(java.util.Base64.getUrlDecoder().decode(parts[2]))
                        && new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).contains("devstorage");
            } catch (Exception e) {
                ok = false;
            }
        }
        if (ok) json(ex, 200, "{\"access_token\":\"" + requiredToken + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
        else json(ex, 400, "{\"error\":\"invalid_grant\"}");
    }

    private static String md5(byte[] b) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    private static void json(HttpExchange ex, int code, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, code, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
