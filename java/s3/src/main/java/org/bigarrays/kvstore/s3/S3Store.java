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
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.JdkHttp;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.bigarrays.kvstore.remote.Retrier;
import org.bigarrays.kvstore.remote.TransientFailure;
import java.io.InputStream;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.remote.RemoteReads;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
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
 * ListObjectsV2. Generations are ETags; conditional writes are conditional PUTs, conditional
 * reads GETs with {@code If-Match} / {@code If-None-Match} whose answer is checked again.
 * {@code NoSuchBucket} is an error, only {@code NoSuchKey} is "missing". Every request goes through the store's {@link Retrier}: bounded retries with
 * jittered backoff on 429/5xx/timeouts/resets, and a cap on requests in flight. SDK errors are
 * turned into outcomes in exactly one place, {@link #classify}.
 */
public final class S3Store implements KeyValueStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix; // "" or "a/b" (no trailing slash)
    private final String uri;
    private final Retrier retrier;
    private volatile boolean bucketSeen; // set once a request showed the bucket exists

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

    /** The SDK client this store sends its requests with (benchmarks compare against it with the same configuration). */
    public S3Client client() {
        return s3;
    }

    /** The store's retrier (its attempt counters are useful in tests and benchmarks). */
    public Retrier retrier() {
        return retrier;
    }

    private String objectKey(String key) {
        return Keys.join(prefix, Keys.check(key));
    }

    /** What one failed SDK call means. */
    private enum Outcome { NOT_FOUND, RANGE_NOT_SATISFIABLE, CONDITION_NOT_MET }

    /**
     * The one place SDK errors are interpreted: 404 NoSuchKey (or a 404 without a body, as HEAD
     * gets), once the bucket is known to exist → {@link Outcome#NOT_FOUND}; 404 NoSuchBucket → a
     * {@link StorageException} saying so (never "missing": a vanished bucket must not read as
     * fill); 416 → {@link Outcome#RANGE_NOT_SATISFIABLE}; 412 and 304 (failed If-Match /
     * If-None-Match) and 409 ConditionalRequestConflict → {@link Outcome#CONDITION_NOT_MET};
     * 408/429/5xx and transport failures → retry; everything else (401/403 included) → error.
     */
    private Outcome classify(SdkException e, String key, String op) throws TransientFailure {
        if (e instanceof SdkServiceException se) {
            int status = se.statusCode();
            String code = se instanceof AwsServiceException ae && ae.awsErrorDetails() != null ? ae.awsErrorDetails().errorCode() : null;
            if (status == 404) {
                if ("NoSuchBucket".equals(code) || e instanceof NoSuchBucketException) throw noSuchBucket(key, op, e);
                // Some servers (S3Proxy) answer NoSuchKey for a missing bucket too: check the bucket
                // once per store before believing any 404.
                confirmBucket(key, op);
                return Outcome.NOT_FOUND;
            }
            if (status == 416) return Outcome.RANGE_NOT_SATISFIABLE;
            if (status == 412 || status == 304 || (status == 409 && "ConditionalRequestConflict".equals(code))) return Outcome.CONDITION_NOT_MET;
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

    private StorageException noSuchBucket(String key, String op, Throwable cause) {
        return new StorageException(uri, key, op, "bucket '" + bucket + "' does not exist (HTTP 404 NoSuchBucket)", cause);
    }

    /**
     * Before the first 404 is taken as "key missing" (HEAD has no body to say which is missing,
     * and S3Proxy says NoSuchKey for a missing bucket), ask about the bucket, once per store. Only a 404 for the bucket is an error; 200, 301 or 403 (no right to
     * HeadBucket on a bucket whose objects are public) mean it exists.
     */
    private void confirmBucket(String key, String op) throws TransientFailure {
        if (bucketSeen) return;
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (SdkServiceException se) {
            if (se.statusCode() == 404) throw noSuchBucket(key, op, se);
            if (Retrier.isRetryableStatus(se.statusCode())) throw new TransientFailure("HeadBucket: HTTP " + se.statusCode(), se);
        } catch (SdkException e) {
            throw new TransientFailure("HeadBucket: " + e, e);
        }
        bucketSeen = true;
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException) return true;
        }
        return false;
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

    /** Whether a generation can be an S3 ETag (a quoted string); others can never match one. */
    private static boolean isEtag(String g) {
        return g.startsWith("\"");
    }

    private ReadResult readOnce(String key, ReadOptions options, BodySink sink) {
        String k = objectKey(key);
        ByteRange range = options.range();
        if (!range.isAll() && !range.isSuffix() && range.start() == range.end()) {
            String etag = etag(key);
            return etag == null ? ReadResult.MISSING : RemoteReads.value(new byte[0], etag, options.buffers());
        }
        String rangeHeader = JdkHttp.rangeHeader(range);
        // Conditions S3 can evaluate go to the server (no body is sent when they fail); the rest,
        // "absent" and foreign generations, RemoteReads.checked decides from the answer's ETag.
        String ifMatch = options.ifEqual() != null && isEtag(options.ifEqual()) ? options.ifEqual() : null;
        String ifNoneMatch = options.ifNotEqual() != null && isEtag(options.ifNotEqual()) ? options.ifNotEqual() : null;
        BufferPool pool = options.buffers();
        return retrier.call(key, "read", () -> {
            GetObjectRequest req = GetObjectRequest.builder().bucket(bucket).key(k).range(rangeHeader).ifMatch(ifMatch).ifNoneMatch(ifNoneMatch).build();
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req)) {
                bucketSeen = true;
                String etag = in.response().eTag() == null ? Generation.UNKNOWN : in.response().eTag();
                Long length = in.response().contentLength();
                if (length == null || length > Integer.MAX_VALUE - 8) {
                    throw new StorageException(uri, key, "read", "object of " + length + " bytes: expected a known length under 2 GiB; read it in parts");
                }
                // Only a body that is what was asked for: the whole value, or exactly the range.
                boolean asAsked = rangeHeader == null || JdkHttp.answers(rangeHeader, in.response().contentRange());
                if (sink != null && asAsked && sink.begin(length)) return deliver(in, length, sink, etag);
                return pool == null ? ReadResult.of(MemorySegment.ofArray(readBody(in, length.intValue())), etag) : readBody(in, length.intValue(), pool, etag);
            } catch (SdkException e) {
                return switch (classify(e, key, "read")) {
                    case NOT_FOUND -> ReadResult.MISSING;
                    case RANGE_NOT_SATISFIABLE -> RemoteReads.value(new byte[0], etagOr(e), pool); // start beyond the end: clipped to nothing
                    case CONDITION_NOT_MET -> ReadResult.conditionNotMet(ifNoneMatch != null && statusOf(e) == 304 ? ifNoneMatch : Generation.UNKNOWN);
                };
            } catch (IOException e) {
                throw new TransientFailure("reading the body: " + e, e);
            }
        });
    }

    private static int statusOf(SdkException e) {
        return e instanceof SdkServiceException se ? se.statusCode() : 0;
    }

    private static String etagOr(SdkException e) {
        if (e instanceof AwsServiceException ae && ae.awsErrorDetails() != null && ae.awsErrorDetails().sdkHttpResponse() != null) {
            return ae.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("ETag").orElse(Generation.UNKNOWN);
        }
        return Generation.UNKNOWN;
    }

    private static byte[] readBody(InputStream in, int n) throws IOException, TransientFailure {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new TransientFailure("truncated body: expected " + n + " bytes, got " + b.length);
        return b;
    }

    /** The body straight into a lease, through a small buffer: no heap array of the value's size. */
    private static ReadResult readBody(InputStream in, int n, BufferPool pool, String etag) throws IOException, TransientFailure {
        Lease lease = pool.lease(n);
        try {
            MemorySegment out = lease.segment();
            byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
            long pos = 0;
            while (pos < n) {
                int got = in.read(buf, 0, (int) Math.min(buf.length, n - pos));
                if (got < 0) throw new TransientFailure("truncated body: expected " + n + " bytes, got " + pos);
                MemorySegment.copy(MemorySegment.ofArray(buf), 0, out, pos, got);
                pos += got;
            }
            return ReadResult.leased(out, etag, lease);
        } catch (IOException | TransientFailure | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The body into {@code sink}, each piece as it is read: all {@code n} bytes, or a TransientFailure (the retry delivers them all again). */
    private static ReadResult deliver(InputStream in, long n, BodySink sink, String etag) throws IOException, TransientFailure {
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        MemorySegment bufSeg = MemorySegment.ofArray(buf);
        long pos = 0;
        while (pos < n) {
            int got = in.read(buf, 0, (int) Math.min(buf.length, n - pos));
            if (got < 0) throw new TransientFailure("truncated body: expected " + n + " bytes, got " + pos);
            sink.accept(pos, bufSeg.asSlice(0, got));
            pos += got;
        }
        return ReadResult.delivered(etag);
    }

    /** The key's ETag by HEAD, or null if it is absent. */
    private String etag(String key) {
        String k = objectKey(key);
        return retrier.call(key, "exists", () -> {
            try {
                String e = s3.headObject(b -> b.bucket(bucket).key(k)).eTag();
                bucketSeen = true;
                return e == null ? Generation.UNKNOWN : e;
            } catch (SdkException e) {
                if (classify(e, key, "exists") == Outcome.NOT_FOUND) return null;
                throw new StorageException(uri, key, "exists", e.toString(), e);
            }
        });
    }

    /**
     * One PUT; a conditional one carries {@code If-Match: <etag>} or {@code If-None-Match: *}
     * (S3 since August/November 2024), which S3 evaluates atomically with the write: 412 means
     * the condition failed. A PUT retried after a lost answer may find its own first attempt's
     * object and get 412: then the stored ETag is compared with the MD5 of the bytes (a
     * single-part PUT's ETag) to tell "we wrote it" from "someone else did".
     */
    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        String k = objectKey(key);
        String cond = options.ifEqual();
        if (cond != null && !cond.equals(Generation.NO_VALUE) && !isEtag(cond)) return WriteResult.conditionNotMet(Generation.UNKNOWN);
        byte[] bytes = value.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int[] tries = {0};
        WriteResult r = retrier.call(key, "write", () -> {
            tries[0]++;
            PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(k).contentLength((long) bytes.length);
            if (options.contentEncoding() != null) b.contentEncoding(options.contentEncoding());
            if (cond != null) {
                if (cond.equals(Generation.NO_VALUE)) b.ifNoneMatch("*");
                else b.ifMatch(cond);
            }
            try {
                PutObjectResponse put = s3.putObject(b.build(), RequestBody.fromBytes(bytes));
                bucketSeen = true;
                return WriteResult.written(put.eTag() == null ? Generation.UNKNOWN : put.eTag());
            } catch (SdkException e) {
                Outcome o = classify(e, key, "write");
                if (o == Outcome.CONDITION_NOT_MET) return tries[0] > 1 ? null : WriteResult.conditionNotMet(Generation.UNKNOWN);
                if (o == Outcome.NOT_FOUND && cond != null) return WriteResult.conditionNotMet(Generation.NO_VALUE); // If-Match on an absent key: 404 NoSuchKey
                // A 404 on PUT means the bucket does not exist: an error, never success.
                throw noSuchBucket(key, "write", e);
            }
        });
        if (r != null) return r;
        // 412 on a retry: our earlier attempt may have landed (outside the attempt: no nested permit).
        String now = etag(key);
        return now != null && now.equals(md5Etag(bytes)) ? WriteResult.written(now) : WriteResult.conditionNotMet(Generation.UNKNOWN);
    }

    private static String md5Etag(byte[] bytes) {
        try {
            return "\"" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes)) + "\"";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        return etag(key) != null;
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
                    throw noSuchBucket(keyPrefix, "list", e);
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
