package org.bigarrays.kvstore.gcs;

import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.JdkHttp;
import org.bigarrays.kvstore.remote.RemoteReads;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.bigarrays.kvstore.remote.Retrier;
import org.bigarrays.kvstore.remote.TransientFailure;

/**
 * Keys as objects in a Google Cloud Storage bucket, {@code gs://bucket/prefix/}, over the GCS
 * JSON API and the JDK HTTP client (HTTP/2, one shared connection pool): media GET with
 * {@code Range} ({@code alt=media}), simple media upload ({@code uploadType=media}, atomic: an
 * object appears whole or not at all), DELETE, metadata GET for {@link #exists}, paginated
 * object listing. Endpoint: {@code ?endpoint=}, else env {@code STORAGE_EMULATOR_HOST}, else
 * {@code https://storage.googleapis.com}. Auth: see {@link GcsAuth}. 404 is missing, 401/403
 * an error, and so is a 404 saying the bucket does not exist; retries as for every remote store
 * ({@link Retrier}). Generations are GCS object generations; conditions travel as
 * {@code ifGenerationMatch} / {@code ifGenerationNotMatch} (0: absent), and reads check the
 * answer's generation again. Batched reads run concurrently ({@link RemoteReads#readMany}).
 */
public final class GcsStore implements KeyValueStore {
    public static final String DEFAULT_ENDPOINT = "https://storage.googleapis.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String endpoint;
    private final String bucket;
    private final String prefix;
    private final String uri;
    private final Retrier retrier;
    // Set once an anonymous request was refused and a fallback token (ADC file, metadata) worked.
    private volatile boolean needsToken;

    public GcsStore(String endpoint, String bucket, String prefix, String uri, RemoteSettings settings) {
        this.endpoint = endpoint.replaceAll("/+$", "");
        this.bucket = bucket;
        this.prefix = prefix.replaceAll("^/+|/+$", "");
        this.uri = uri;
        this.retrier = new Retrier(uri, settings);
    }

    /** Open {@code gs://bucket/prefix/[?endpoint=..&attempts=..&timeoutMs=..&maxInFlight=..]}. */
    public static GcsStore open(URI uri) {
        String bucket = uri.getAuthority();
        if (bucket == null || bucket.isEmpty()) throw new InvalidInputException("GCS URL " + uri + " has no bucket: expected gs://bucket/path");
        String endpoint = KeyValueStores.queryParam(uri, "endpoint");
        if (endpoint == null) endpoint = System.getenv("STORAGE_EMULATOR_HOST");
        if (endpoint == null) endpoint = DEFAULT_ENDPOINT;
        if (!endpoint.matches("^https?://.+")) endpoint = "http://" + endpoint; // the emulator convention: host:port
        return new GcsStore(endpoint, bucket, uri.getPath() == null ? "" : uri.getPath(), uri.toString(), RemoteSettings.from(uri));
    }

    public Retrier retrier() {
        return retrier;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String object(String key) {
        return Keys.join(prefix, Keys.check(key));
    }

    private URI objectUri(String key, String query) {
        return URI.create(endpoint + "/storage/v1/b/" + enc(bucket) + "/o/" + enc(object(key)) + query);
    }

    /**
     * One attempt, with the bearer token if there is one; after a 401/403 without a configured
     * token, ask the metadata server once and, if it gives a token, try again with it.
     */
    private HttpResponse<byte[]> send(Function<HttpRequest.Builder, HttpRequest.Builder> build) throws TransientFailure {
        return send(build, req -> JdkHttp.attempt(req, retrier.settings().attemptTimeout()));
    }

    /** One request sent by {@code attempt} (see {@link #send(Function)}). */
    private <T> HttpResponse<T> send(Function<HttpRequest.Builder, HttpRequest.Builder> build, Attempt<T> attempt) throws TransientFailure {
        String token = GcsAuth.configuredToken();
        if (token == null && needsToken) token = GcsAuth.fallbackToken();
        HttpResponse<T> r = attempt.send(authorized(build, token));
        if ((r.statusCode() == 401 || r.statusCode() == 403) && token == null) {
            String fallback = GcsAuth.fallbackToken();
            if (fallback != null) {
                r = attempt.send(authorized(build, fallback));
                if (r.statusCode() != 401 && r.statusCode() != 403) needsToken = true; // from now on, token first
            }
        }
        return r;
    }

    @FunctionalInterface
    private interface Attempt<T> {
        HttpResponse<T> send(HttpRequest request) throws TransientFailure;
    }

    private static HttpRequest authorized(Function<HttpRequest.Builder, HttpRequest.Builder> build, String token) {
        HttpRequest.Builder b = build.apply(HttpRequest.newBuilder());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.build();
    }

    private StorageException failure(String key, String op, HttpResponse<byte[]> r) {
        return failure(key, op, r.statusCode(), r.body());
    }

    private StorageException failure(String key, String op, int s, byte[] body) {
        String why = s == 401 || s == 403
                ? "access denied (HTTP " + s + "); for a private bucket set GCS_OAUTH_TOKEN (e.g. $(gcloud auth print-access-token)),"
                        + " GOOGLE_APPLICATION_CREDENTIALS, or run on Google Cloud"
                : "unexpected HTTP " + s;
        return new StorageException(uri, key, op, why + " " + JdkHttp.snippet(body));
    }

    /**
     * A 404's meaning: "missing", or, when GCS says the bucket does not exist, an error (a vanished
     * bucket must never read as fill).
     */
    private boolean missing(String key, String op, HttpResponse<byte[]> r) {
        return missing(key, op, r.statusCode(), r.body());
    }

    private boolean missing(String key, String op, int status, byte[] bytes) {
        if (status != 404) return false;
        String body = new String(bytes == null ? new byte[0] : bytes, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        if (body.contains("bucket does not exist")) {
            throw new StorageException(uri, key, op, "bucket '" + bucket + "' does not exist (HTTP 404)");
        }
        return true;
    }

    /** A GCS generation is a positive decimal number; "absent" is generation 0. Null: not one. */
    private static String gcsGeneration(String g) {
        if (g.equals(Generation.NO_VALUE)) return "0";
        return g.matches("[1-9][0-9]{0,18}") ? g : null;
    }

    /** The read conditions as GCS preconditions, where GCS can evaluate them. */
    private static String preconditions(ReadOptions o) {
        StringBuilder q = new StringBuilder();
        String m = o.ifEqual() == null ? null : gcsGeneration(o.ifEqual());
        if (m != null) q.append("&ifGenerationMatch=").append(m);
        String n = o.ifNotEqual() == null || o.ifNotEqual().equals(Generation.NO_VALUE) ? null : gcsGeneration(o.ifNotEqual());
        if (n != null) q.append("&ifGenerationNotMatch=").append(n);
        return q.toString();
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return RemoteReads.checked(readOnce(key, options, null), options, uri, key);
    }

    @Override
    public ReadResult read(String key, ReadOptions options, BodySink sink) {
        return RemoteReads.checked(readOnce(key, options, sink), options, uri, key);
    }

    @Override
    public List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        return RemoteReads.readMany(keys, k -> read(k, options), retrier.budget());
    }

    private ReadResult readOnce(String key, ReadOptions options, BodySink sinkAsked) {
        ByteRange range = options.range();
        String conditions = preconditions(options);
        boolean empty = !range.isAll() && !range.isSuffix() && range.start() == range.end();
        // Nothing to transfer: the metadata tell existence and generation.
        URI u = objectUri(key, empty ? "?fields=generation" + conditions : "?alt=media" + conditions);
        String rangeHeader = empty ? null : JdkHttp.rangeHeader(range);
        BufferPool pool = empty ? null : options.buffers();
        BodySink sink = empty ? null : sinkAsked; // JdkHttp delivers only a body that is what was asked for
        return retrier.call(key, "read", () -> {
            // A found body goes to the sink if it takes it, else straight into a lease of the pool when there is one.
            HttpResponse<JdkHttp.Body> r = send(b -> {
                b.uri(u).GET().header("Accept-Encoding", "identity");
                if (rangeHeader != null) b.header("Range", rangeHeader);
                return b;
            }, req -> JdkHttp.attempt(req, retrier.settings().attemptTimeout(), pool, sink));
            JdkHttp.Body body = r.body();
            int s = r.statusCode();
            boolean handedOn = false;
            try {
                if (missing(key, "read", s, body.bytes())) return ReadResult.MISSING;
                if (s == 304) return ReadResult.conditionNotMet(options.ifNotEqual());
                if (s == 412) return ReadResult.conditionNotMet(Generation.UNKNOWN);
                if (empty) {
                    if (s != 200) throw failure(key, "read", s, body.bytes());
                    return RemoteReads.value(new byte[0], json(key, body.bytes()).path("generation").asText(Generation.UNKNOWN), options.buffers());
                }
                String gen = r.headers().firstValue("x-goog-generation").orElse(Generation.UNKNOWN);
                if (s == 416) return RemoteReads.value(new byte[0], gen, options.buffers());
                if (s != 200 && s != 206) throw failure(key, "read", s, body.bytes());
                if (body.delivered()) return ReadResult.delivered(gen);
                MemorySegment value = body.segment();
                if (s == 200 && rangeHeader != null) { // the server ignored the range
                    long[] rr = range.resolve(value.byteSize());
                    value = value.asSlice(rr[0], rr[1] - rr[0]);
                }
                handedOn = true;
                if (body.lease() != null) return ReadResult.leased(value, gen, body.lease());
                return pool == null ? ReadResult.of(value, gen) : RemoteReads.value(value.toArray(ValueLayout.JAVA_BYTE), gen, pool);
            } finally {
                if (!handedOn && body.lease() != null) body.lease().close();
            }
        });
    }

    private JsonNode json(String key, byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new FormatException("GCS response for " + uri + " key '" + key + "' is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * A simple media upload; a conditional one carries {@code ifGenerationMatch} (0: only if
     * absent), which GCS checks atomically with the write (412 if it fails). An upload retried
     * after a lost answer may meet its own first attempt and get 412: then the stored object's
     * MD5 is compared with the bytes to tell "we wrote it" from "someone else did".
     */
    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        String cond = options.ifEqual() == null ? null : gcsGeneration(options.ifEqual());
        if (options.ifEqual() != null && cond == null) return WriteResult.conditionNotMet(Generation.UNKNOWN); // not a GCS generation: never matches
        byte[] bytes = value.toArray(ValueLayout.JAVA_BYTE);
        URI u = URI.create(endpoint + "/upload/storage/v1/b/" + enc(bucket) + "/o?uploadType=media&name=" + enc(object(key))
                + (cond == null ? "" : "&ifGenerationMatch=" + cond)
                + (options.contentEncoding() == null ? "" : "&contentEncoding=" + enc(options.contentEncoding())));
        int[] tries = {0};
        WriteResult w = retrier.call(key, "write", () -> {
            tries[0]++;
            HttpResponse<byte[]> r = send(b -> b.uri(u).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
            if (r.statusCode() == 412) return tries[0] > 1 ? null : WriteResult.conditionNotMet(Generation.UNKNOWN);
            if (missing(key, "write", r)) throw new StorageException(uri, key, "write", "HTTP 404 " + JdkHttp.snippet(r.body()));
            if (r.statusCode() != 200) throw failure(key, "write", r);
            return WriteResult.written(json(key, r.body()).path("generation").asText(Generation.UNKNOWN));
        });
        if (w != null) return w;
        // 412 on a retry: did our earlier attempt land? (Asked outside the attempt: no nested permit.)
        JsonNode meta = metadata(key);
        String md5;
        try {
            md5 = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return meta != null && md5.equals(meta.path("md5Hash").asText())
                ? WriteResult.written(meta.path("generation").asText(Generation.UNKNOWN))
                : WriteResult.conditionNotMet(Generation.UNKNOWN);
    }

    /** The object's metadata (name, generation, md5Hash), or null if it is absent. */
    private JsonNode metadata(String key) {
        URI u = objectUri(key, "?fields=" + enc("name,generation,md5Hash"));
        return retrier.call(key, "exists", () -> {
            HttpResponse<byte[]> r = send(b -> b.uri(u).GET());
            if (missing(key, "exists", r)) return null;
            if (r.statusCode() == 200) return json(key, r.body());
            throw failure(key, "exists", r);
        });
    }

    @Override
    public boolean delete(String key) {
        URI u = objectUri(key, "");
        return retrier.call(key, "delete", () -> {
            HttpResponse<byte[]> r = send(b -> b.uri(u).DELETE());
            if (missing(key, "delete", r)) return false;
            if (r.statusCode() == 204 || r.statusCode() == 200) return true;
            throw failure(key, "delete", r);
        });
    }

    @Override
    public boolean exists(String key) {
        return metadata(key) != null;
    }

    @Override
    public List<String> list(String keyPrefix) {
        if (!Keys.isListablePrefix(keyPrefix)) return List.of();
        String strip = prefix.isEmpty() ? "" : prefix + "/";
        String full = strip + keyPrefix;
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            URI u = URI.create(endpoint + "/storage/v1/b/" + enc(bucket) + "/o?prefix=" + enc(full)
                    + "&fields=" + enc("items(name),nextPageToken") + (token == null ? "" : "&pageToken=" + enc(token)));
            JsonNode page = retrier.call(keyPrefix, "list", () -> {
                HttpResponse<byte[]> r = send(b -> b.uri(u).GET());
                if (missing(keyPrefix, "list", r) || r.statusCode() != 200) throw failure(keyPrefix, "list", r);
                return json(keyPrefix, r.body());
            });
            for (JsonNode item : page.path("items")) out.add(item.path("name").asText().substring(strip.length()));
            token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
        } while (token != null);
        Collections.sort(out);
        return out;
    }

    @Override
    public String uri() {
        return uri;
    }
}
