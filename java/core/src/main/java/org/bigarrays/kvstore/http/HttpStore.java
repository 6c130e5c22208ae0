package org.bigarrays.kvstore.http;

import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.JdkHttp;
import org.bigarrays.kvstore.remote.RemoteReads;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.bigarrays.kvstore.remote.Retrier;

/**
 * A read-only store over plain {@code http://} or {@code https://} (public datasets served by a
 * web server or a bucket's public URL): key {@code k} is {@code <base>/k}. GET with a
 * {@code Range} header for partial reads, HEAD for {@link #exists}. Generations are the server's
 * ETags; conditional reads send them as {@code If-Match} / {@code If-None-Match} and check the
 * answer's ETag again (servers without ETags cannot serve conditional reads: an error). Batched
 * reads run concurrently ({@link RemoteReads#readMany}). Whole-value reads accept
 * {@code Content-Encoding: gzip} and return the decoded bytes; range reads ask for the identity
 * encoding, since a range of gzip bytes means nothing. Writing, deleting and listing are not
 * possible over plain HTTP and throw {@link InvalidInputException}.
 */
final class HttpStore implements KeyValueStore {
    private final URI base; // ends in '/'
    private final String uri;
    private final Retrier retrier;

    public HttpStore(URI base, RemoteSettings settings) {
        this.base = base;
        this.uri = base.toString();
        this.retrier = new Retrier(uri, settings);
    }

    /** Open {@code http(s)://host/path/}; retry settings may come as query parameters (see {@link RemoteSettings}). */
    public static HttpStore open(URI uri) {
        RemoteSettings settings = RemoteSettings.from(uri);
        // Our own parameters are not the server's business: strip them, keep any others (signed URLs).
        String q = uri.getRawQuery();
        String kept = null;
        if (q != null) {
            StringBuilder sb = new StringBuilder();
            for (String kv : q.split("&")) {
                String name = kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv;
                if (List.of("attempts", "timeoutMs", "maxInFlight", "backoffMs").contains(name)) continue;
                if (!sb.isEmpty()) sb.append('&');
                sb.append(kv);
            }
            kept = sb.isEmpty() ? null : sb.toString();
        }
        URI base = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "/" : uri.getRawPath())
                + (kept == null ? "" : "?" + kept));
        return new HttpStore(base, settings);
    }

    public Retrier retrier() {
        return retrier;
    }

    private URI target(String key) {
        StringBuilder path = new StringBuilder(base.getRawPath());
        String[] parts = Keys.check(key).split("/");
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) path.append('/');
            path.append(URLEncoder.encode(parts[i], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        String q = base.getRawQuery() == null ? "" : "?" + base.getRawQuery();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + q);
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return RemoteReads.checked(readOnce(key, options, null), options, uri, key);
    }

    /** A body sent as it is stored (no Content-Encoding) and as asked for goes to {@code sink} as it arrives (see {@link JdkHttp#attempt(HttpRequest, java.time.Duration, org.bigarrays.core.BufferPool, BodySink)}). */
    @Override
    public ReadResult read(String key, ReadOptions options, BodySink sink) {
        return RemoteReads.checked(readOnce(key, options, sink), options, uri, key);
    }

    @Override
    public List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        return RemoteReads.readMany(keys, k -> read(k, options), retrier.budget());
    }

    /**
     * The conditions as HTTP preconditions, where they are ETags (quoted) or "absent": If-Match
     * and If-None-Match. Servers answer 412 or 304 when they fail; {@link RemoteReads#checked}
     * checks the answer again, for servers that ignore them.
     */
    private static void preconditions(HttpRequest.Builder b, ReadOptions o) {
        String ifMatch = null;
        String ifNoneMatch = null;
        if (o.ifEqual() != null) {
            if (o.ifEqual().equals(Generation.NO_VALUE)) ifNoneMatch = "*";
            else if (isEtag(o.ifEqual())) ifMatch = o.ifEqual();
        }
        if (o.ifNotEqual() != null) {
            if (o.ifNotEqual().equals(Generation.NO_VALUE)) {
                if (ifMatch == null) ifMatch = "*";
            } else if (isEtag(o.ifNotEqual()) && ifNoneMatch == null) {
                ifNoneMatch = o.ifNotEqual();
            }
        }
        if (ifMatch != null) b.header("If-Match", ifMatch);
        if (ifNoneMatch != null) b.header("If-None-Match", ifNoneMatch);
    }

    private static boolean isEtag(String g) {
        return g.startsWith("\"") || g.startsWith("W/\"");
    }

    /** The result for a failed precondition: the server's ETag, or what the condition implies. */
    private static ReadResult notMet(HttpResponse<?> r, ReadOptions o) {
        String etag = r.headers().firstValue("ETag").orElse(null);
        if (etag != null) return ReadResult.conditionNotMet(etag);
        if (r.statusCode() == 304 && o.ifNotEqual() != null) return ReadResult.conditionNotMet(o.ifNotEqual());
        return ReadResult.conditionNotMet(Generation.UNKNOWN);
    }

    private ReadResult readOnce(String key, ReadOptions options, BodySink sink) {
        ByteRange range = options.range();
        URI t = target(key);
        if (!range.isAll() && !range.isSuffix() && range.start() == range.end()) {
            // Nothing to transfer: a HEAD tells existence and the generation.
            HttpRequest.Builder hb = HttpRequest.newBuilder(t).method("HEAD", HttpRequest.BodyPublishers.noBody());
            preconditions(hb, options);
            HttpRequest head = hb.build();
            return retrier.call(key, "read", () -> {
                HttpResponse<byte[]> r = JdkHttp.attempt(head, retrier.settings().attemptTimeout());
                int s = r.statusCode();
                if (s == 404 || s == 410) return ReadResult.MISSING;
                if (s == 304 || s == 412) return notMet(r, options);
                if (s < 200 || s >= 300) throw failure(key, "read", s, r.body());
                return RemoteReads.value(new byte[0], r.headers().firstValue("ETag").orElse(Generation.UNKNOWN), options.buffers());
            });
        }
        String rangeHeader = JdkHttp.rangeHeader(range);
        HttpRequest.Builder rb = HttpRequest.newBuilder(t).GET();
        if (rangeHeader != null) rb.header("Range", rangeHeader).header("Accept-Encoding", "identity");
        else rb.header("Accept-Encoding", "gzip");
        preconditions(rb, options);
        HttpRequest req = rb.build();
        return retrier.call(key, "read", () -> {
            HttpResponse<JdkHttp.Body> r = JdkHttp.attempt(req, retrier.settings().attemptTimeout(), null, sink);
            int s = r.statusCode();
            if (s == 404 || s == 410) return ReadResult.MISSING;
            if (s == 304 || s == 412) return notMet(r, options);
            String etag = r.headers().firstValue("ETag").orElse(Generation.UNKNOWN);
            if (r.body().delivered()) return ReadResult.delivered(etag);
            if (s == 416) return RemoteReads.value(new byte[0], etag, options.buffers());
            if (s != 200 && s != 206) throw failure(key, "read", s, r.body().bytes());
            byte[] body = r.body().bytes();
            String enc = r.headers().firstValue("Content-Encoding").orElse("identity").trim();
            if (enc.equalsIgnoreCase("gzip") || enc.equalsIgnoreCase("x-gzip")) {
                body = gunzip(body, key);
            } else if (!enc.equalsIgnoreCase("identity") && !enc.isEmpty()) {
                throw new StorageException(uri, key, "read", "unsupported Content-Encoding '" + enc + "' (expected gzip or identity)");
            }
            if (s == 200 && rangeHeader != null) body = slice(body, range); // server ignored Range
            return RemoteReads.value(body, etag, options.buffers());
        });
    }

    private static byte[] slice(byte[] all, ByteRange range) {
        long[] r = range.resolve(all.length);
        return java.util.Arrays.copyOfRange(all, (int) r[0], (int) r[1]);
    }

    private byte[] gunzip(byte[] body, String key) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StorageException(uri, key, "read", "body sent with Content-Encoding gzip does not decompress: " + e.getMessage(), e);
        }
    }

    private StorageException failure(String key, String op, int status, byte[] body) {
        String why = status == 401 || status == 403 ? "access denied (HTTP " + status + ")" : "unexpected HTTP " + status;
        return new StorageException(uri, key, op, why + " " + JdkHttp.snippet(body));
    }

    @Override
    public boolean exists(String key) {
        HttpRequest req = HttpRequest.newBuilder(target(key)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        return retrier.call(key, "exists", () -> {
            HttpResponse<byte[]> r = JdkHttp.attempt(req, retrier.settings().attemptTimeout());
            int s = r.statusCode();
            if (s == 404 || s == 410) return false;
            if (s >= 200 && s < 300) return true;
            throw failure(key, "exists", s, r.body());
        });
    }

    @Override
    public boolean listable() {
        return false;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        throw new InvalidInputException("cannot write key '" + Keys.check(key) + "' to " + uri + ": http(s) stores are read-only; write to file://, s3:// or gs://");
    }

    @Override
    public boolean delete(String key) {
        throw new InvalidInputException("cannot delete key '" + Keys.check(key) + "' from " + uri + ": http(s) stores are read-only");
    }

    @Override
    public List<String> list(String prefix) {
        throw new InvalidInputException("cannot list " + uri + ": plain http(s) has no listing; use the bucket's s3:// or gs:// URL");
    }

    @Override
    public String uri() {
        return uri;
    }
}
