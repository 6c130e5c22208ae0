package org.bigarrays.kvstore.s3;

import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.JdkHttp;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.bigarrays.kvstore.remote.Retrier;
import org.bigarrays.kvstore.remote.TransientFailure;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keys as objects in an S3 bucket under a prefix: {@code s3://bucket/prefix/}. See
 * {@link S3Clients} for where endpoint, region and credentials come from.
 *
 * <p>Reads are GETs (with a {@code Range} header for partial and suffix reads), writes single
 * PUTs (atomic: S3 never shows a partial object), {@link #exists} a HEAD, {@link #delete} a HEAD
 * then a DELETE (S3's DELETE does not say whether the key existed), {@link #list} paginated
 * ListObjectsV2. Every request goes through the store's {@link Retrier}: bounded retries with
 * jittered backoff on 429/5xx/timeouts/resets, and a cap on requests in flight. SDK errors are
 * turned into outcomes in exactly one place, {@link #classify}.
 */
public final class S3Store implements KeyValueStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix; // "" or "a/b" (no trailing slash)
    private final String uri;
    private final Retrier retrier;

    /** A store over {@code client} (tests and benchmarks build their own client). */
    public S3Store(S3Client client, String bucket, String prefix, String uri, RemoteSettings settings) {
        this.s3 = client;
        this.bucket = bucket;
        this.prefix = prefix.replaceAll("^/+|/+$", "");
        this.uri = uri;
        this.retrier = new Retrier(uri, settings);
    }

    /**
     * Open {@code s3://bucket/prefix/[?endpoint=..&region=..&attempts=..&timeoutMs=..&maxInFlight=..]}.
     * @throws InvalidInputException if the URL has no bucket or a bad parameter
     */
    public static S3Store open(URI uri) {
        String bucket = uri.getAuthority();
        if (bucket == null || bucket.isEmpty()) throw new InvalidInputException("S3 URL " + uri + " has no bucket: expected s3://bucket/path");
        RemoteSettings settings = RemoteSettings.from(uri);
        S3Clients.Config config = S3Clients.config(uri, settings, System.getenv(), System.getProperties());
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new S3Store(S3Clients.get(config), bucket, path, uri.toString(), settings);
    }

    /** The store's retrier (its attempt counters are useful in tests and benchmarks). */
    public Retrier retrier() {
        return retrier;
    }

    private String objectKey(String key) {
        return Keys.join(prefix, Keys.check(key));
    }

    /** What one failed SDK call means. */
    private enum Outcome { NOT_FOUND, RANGE_NOT_SATISFIABLE }

    /**
     * The one place SDK errors are interpreted: 404 → {@link Outcome#NOT_FOUND}, 416 →
     * {@link Outcome#RANGE_NOT_SATISFIABLE}, 408/429/5xx and transport failures → retry,
     * everything else (401/403 included: never "missing") → {@link StorageException}.
     */
    private Outcome classify(SdkException e, String key, String op) throws TransientFailure {
        if (e instanceof SdkServiceException se) {
            int status = se.statusCode();
            if (status == 404) return Outcome.NOT_FOUND;
            if (status == 416) return Outcome.RANGE_NOT_SATISFIABLE;
            if (Retrier.isRetryableStatus(status) || se.isThrottlingException()) throw new TransientFailure("HTTP " + status + ": " + e.getMessage(), e);
            String why = status == 401 || status == 403
                    ? "access denied (HTTP " + status + "); check the credentials and the bucket policy: " + e.getMessage()
                    : "HTTP " + status + ": " + e.getMessage();
            throw new StorageException(uri, key, op, why, e);
        }
        // Client-side: timeouts, resets and truncated bodies are worth another try; configuration
        // problems (no region, unreadable credentials) are not.
        if (e instanceof ApiCallAttemptTimeoutException || (e instanceof SdkClientException && (e.retryable() || hasIoCause(e)))) {
            throw new TransientFailure(e.toString(), e);
        }
        throw new StorageException(uri, key, op, e.toString(), e);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException) return true;
        }
        return false;
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        // TODO(kvstore helper): conditions sent to the server (If-Match / If-None-Match / generation), leased buffers.
        if (options.ifEqual() != null || options.ifNotEqual() != null) throw new UnsupportedOperationException("TODO(kvstore helper): conditional reads");
        return readRange(key, options.range());
    }

    private ReadResult readRange(String key, ByteRange range) {
        String k = objectKey(key);
        if (!range.isAll() && !range.isSuffix() && range.start() == range.end()) {
            return exists(key) ? ReadResult.of(new byte[0]) : ReadResult.MISSING;
        }
        String rangeHeader = JdkHttp.rangeHeader(range);
        return retrier.call(key, "read", () -> {
            ResponseBytes<GetObjectResponse> rb;
            try {
                rb = s3.getObjectAsBytes(b -> b.bucket(bucket).key(k).range(rangeHeader));
            } catch (SdkException e) {
                return switch (classify(e, key, "read")) {
                    case NOT_FOUND -> ReadResult.MISSING;
                    case RANGE_NOT_SATISFIABLE -> ReadResult.of(new byte[0]); // start beyond the end: clipped to nothing
                };
            }
            byte[] bytes = rb.asByteArrayUnsafe();
            Long expected = rb.response().contentLength();
            if (expected != null && expected != bytes.length) {
                throw new TransientFailure("truncated body: expected " + expected + " bytes, got " + bytes.length);
            }
            String etag = rb.response().eTag();
            return ReadResult.of(MemorySegment.ofArray(bytes), etag == null ? "" : etag);
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
        String k = objectKey(key);
        byte[] bytes = value.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        retrier.call(key, "write", () -> {
            try {
                s3.putObject(b -> b.bucket(bucket).key(k).contentLength((long) bytes.length), RequestBody.fromBytes(bytes));
                return null;
            } catch (SdkException e) {
                // A 404 on PUT means the bucket does not exist: an error, never success.
                classify(e, key, "write");
                throw new StorageException(uri, key, "write", "bucket '" + bucket + "' not found (HTTP 404)", e);
            }
        });
    }

    @Override
    public boolean delete(String key) {
        if (!exists(key)) return false;
        String k = objectKey(key);
        return retrier.call(key, "delete", () -> {
            try {
                s3.deleteObject(b -> b.bucket(bucket).key(k));
                return true;
            } catch (SdkException e) {
                classify(e, key, "delete");
                return false; // gone meanwhile
            }
        });
    }

    @Override
    public boolean exists(String key) {
        String k = objectKey(key);
        return retrier.call(key, "exists", () -> {
            try {
                s3.headObject(b -> b.bucket(bucket).key(k));
                return true;
            } catch (SdkException e) {
                if (classify(e, key, "exists") == Outcome.NOT_FOUND) return false;
                throw new StorageException(uri, key, "exists", e.toString(), e);
            }
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
            String t = token;
            ListObjectsV2Response page = retrier.call(keyPrefix, "list", () -> {
                try {
                    return s3.listObjectsV2(b -> b.bucket(bucket).prefix(full).continuationToken(t));
                } catch (SdkException e) {
                    classify(e, keyPrefix, "list");
                    throw new StorageException(uri, keyPrefix, "list", "bucket '" + bucket + "' not found (HTTP 404)", e);
                }
            });
            for (S3Object o : page.contents()) {
                // Some S3-compatible servers normalize "." and ".." in prefixes: keep only true matches.
                if (o.key().startsWith(full)) out.add(o.key().substring(strip.length()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        Collections.sort(out);
        return out;
    }

    @Override
    public String uri() {
        return uri;
    }
}
