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
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.JdkHttp;
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
 * an error; retries as for every remote store ({@link Retrier}).
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
        String token = GcsAuth.configuredToken();
        if (token == null && needsToken) token = GcsAuth.fallbackToken();
        HttpResponse<byte[]> r = JdkHttp.attempt(authorized(build, token), retrier.settings().attemptTimeout());
        if ((r.statusCode() == 401 || r.statusCode() == 403) && token == null) {
            String fallback = GcsAuth.fallbackToken();
            if (fallback != null) {
                r = JdkHttp.attempt(authorized(build, fallback), retrier.settings().attemptTimeout());
                if (r.statusCode() != 401 && r.statusCode() != 403) needsToken = true; // from now on, token first
            }
        }
        return r;
    }

    private static HttpRequest authorized(Function<HttpRequest.Builder, HttpRequest.Builder> build, String token) {
        HttpRequest.Builder b = build.apply(HttpRequest.newBuilder());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.build();
    }

    private StorageException failure(String key, String op, HttpResponse<byte[]> r) {
        int s = r.statusCode();
        String why = s == 401 || s == 403
                ? "access denied (HTTP " + s + "); for a private bucket set GCS_OAUTH_TOKEN (e.g. $(gcloud auth print-access-token)),"
                        + " GOOGLE_APPLICATION_CREDENTIALS, or run on Google Cloud"
                : "unexpected HTTP " + s;
        return new StorageException(uri, key, op, why + " " + JdkHttp.snippet(r.body()));
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        // TODO(kvstore helper): conditions sent to the server (If-Match / If-None-Match / generation), leased buffers.
        if (options.ifEqual() != null || options.ifNotEqual() != null) throw new UnsupportedOperationException("TODO(kvstore helper): conditional reads");
        return readRange(key, options.range());
    }

    private ReadResult readRange(String key, ByteRange range) {
        if (!range.isAll() && !range.isSuffix() && range.start() == range.end()) {
            return exists(key) ? ReadResult.of(new byte[0]) : ReadResult.MISSING;
        }
        URI u = objectUri(key, "?alt=media");
        String rangeHeader = JdkHttp.rangeHeader(range);
        return retrier.call(key, "read", () -> {
            HttpResponse<byte[]> r = send(b -> {
                b.uri(u).GET().header("Accept-Encoding", "identity");
                if (rangeHeader != null) b.header("Range", rangeHeader);
                return b;
            });
            int s = r.statusCode();
            if (s == 404) return ReadResult.MISSING;
            if (s == 416) return ReadResult.of(new byte[0]);
            if (s != 200 && s != 206) throw failure(key, "read", r);
            byte[] body = r.body();
            if (s == 200 && rangeHeader != null) {
                long[] rr = range.resolve(body.length);
                body = java.util.Arrays.copyOfRange(body, (int) rr[0], (int) rr[1]);
            }
            String gen = r.headers().firstValue("x-goog-generation").orElse(r.headers().firstValue("ETag").orElse(""));
            return ReadResult.of(MemorySegment.ofArray(body), gen);
        });
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        // TODO(kvstore helper): conditional PUT.
        if (options.conditional()) throw new UnsupportedOperationException("TODO(kvstore helper): conditional writes");
        writeUnconditional(key, value);
        return WriteResult.written(Generation.UNKNOWN);
    }

    private void writeUnconditional(String key, MemorySegment value) {
        byte[] bytes = value.toArray(ValueLayout.JAVA_BYTE);
        URI u = URI.create(endpoint + "/upload/storage/v1/b/" + enc(bucket) + "/o?uploadType=media&name=" + enc(object(key)));
        retrier.call(key, "write", () -> {
            HttpResponse<byte[]> r = send(b -> b.uri(u).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
            if (r.statusCode() != 200) throw failure(key, "write", r);
            return null;
        });
    }

    @Override
    public boolean delete(String key) {
        URI u = objectUri(key, "");
        return retrier.call(key, "delete", () -> {
            HttpResponse<byte[]> r = send(b -> b.uri(u).DELETE());
            if (r.statusCode() == 404) return false;
            if (r.statusCode() == 204 || r.statusCode() == 200) return true;
            throw failure(key, "delete", r);
        });
    }

    @Override
    public boolean exists(String key) {
        URI u = objectUri(key, "?fields=name");
        return retrier.call(key, "exists", () -> {
            HttpResponse<byte[]> r = send(b -> b.uri(u).GET());
            if (r.statusCode() == 404) return false;
            if (r.statusCode() == 200) return true;
            throw failure(key, "exists", r);
        });
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
                if (r.statusCode() != 200) throw failure(keyPrefix, "list", r);
                try {
                    return JSON.readTree(r.body());
                } catch (IOException e) {
                    throw new FormatException("GCS list response for " + uri + " is not JSON: " + e.getMessage(), e);
                }
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
