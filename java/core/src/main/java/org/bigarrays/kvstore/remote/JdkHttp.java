package org.bigarrays.kvstore.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.lang.foreign.MemorySegment;
import org.bigarrays.BigArraysException;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;

/**
 * The JDK HTTP client as the GCS and HTTP stores use it: one shared client per protocol
 * (HTTP/2 over TLS, HTTP/1.1 in clear, whose pool keeps connections alive), and one attempt
 * with a whole-exchange timeout whose transport failures and 408/429/5xx answers are
 * {@link TransientFailure}s.
 */
public final class JdkHttp {
    private static final HttpClient TLS = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    // Clear-text HTTP/2 would try an h2c upgrade on every new connection; plain servers ignore it.
    private static final HttpClient CLEAR = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    private JdkHttp() {}

    private static HttpClient client(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme()) ? TLS : CLEAR;
    }

    /**
     * Send {@code request} once and read the whole body, within {@code timeout}.
     * @throws TransientFailure on a timeout, a transport error (reset, truncated body) or a 408/429/5xx status
     */
    public static HttpResponse<byte[]> attempt(HttpRequest request, Duration timeout) throws TransientFailure {
        HttpResponse<Body> r = attempt(request, timeout, null);
        return new Answer(r, r.body().bytes());
    }

    /**
     * A response body: a 200/206 answer with a known length read straight into a lease of the
     * pool ({@code bytes} null), else the bytes ({@code lease} null).
     * @param segment the body: the lease's memory, or the bytes
     */
    public record Body(byte[] bytes, Lease lease, MemorySegment segment) {
        /** A body that went to a {@link BodySink}, all of it. */
        static final Body DELIVERED = new Body(null, null, null);

        /** Whether the body went to the sink (nothing here). */
        public boolean delivered() {
            return this == DELIVERED;
        }
    }

    /**
     * {@link #attempt(HttpRequest, Duration)} whose 200/206 body with a Content-Length goes
     * straight into a lease of {@code pool} (null: always bytes), as the client delivers it: no
     * array of the body's size and no copy out of one. A body longer or shorter than its
     * Content-Length is a {@link TransientFailure}, its lease given back.
     */
    public static HttpResponse<Body> attempt(HttpRequest request, Duration timeout, BufferPool pool) throws TransientFailure {
        return attempt(request, timeout, pool, null);
    }

    /**
     * {@link #attempt(HttpRequest, Duration, BufferPool)} whose body with a Content-Length goes
     * to {@code sink} as it arrives when it is what was asked for (a 200 without a Range header, a
     * 206 of exactly the bounded range of one, see {@link #answers}), if the sink takes it ({@link BodySink#begin}): the
     * body is then {@link Body#DELIVERED}. Pieces past the Content-Length are never delivered;
     * a body longer or shorter is a {@link TransientFailure}. Once this returns or throws, the
     * sink gets no more bytes from this attempt (a late piece of a timed-out exchange is dropped).
     */
    public static HttpResponse<Body> attempt(HttpRequest request, Duration timeout, BufferPool pool, BodySink sink) throws TransientFailure {
        Delivery delivery = new Delivery();
        try {
            return exchange(request, timeout, pool, sink, delivery);
        } finally {
            IntoSink d;
            synchronized (delivery) {
                delivery.over = true;
                d = delivery.subscriber;
            }
            if (d != null) d.close();
        }
    }

    /**
     * One attempt's hand-over to its sink: once {@code over}, a late answer (headers that arrive
     * after a timeout) never begins the sink, which the next attempt may be filling.
     */
    private static final class Delivery {
        boolean over;
        IntoSink subscriber;
    }

    private static HttpResponse<Body> exchange(HttpRequest request, Duration timeout, BufferPool pool, BodySink sink, Delivery delivery)
            throws TransientFailure {
        CompletableFuture<HttpResponse<Body>> f = client(request.uri()).sendAsync(request, info -> {
            synchronized (delivery) {
                // An answer to an attempt already given up: nobody reads it, so nothing is leased for it.
                if (delivery.over) return HttpResponse.BodySubscribers.replacing(new Body(new byte[0], null, MemorySegment.ofArray(new byte[0])));
            }
            long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            // Only the stored bytes themselves: a body the server encoded (gzip) is read as usual.
            boolean identity = info.headers().firstValue("Content-Encoding").map(e -> e.isBlank() || e.trim().equalsIgnoreCase("identity")).orElse(true);
            // The body is the value asked for: a whole value's 200, or a 206 of exactly the range asked for.
            String asked = request.headers().firstValue("Range").orElse(null);
            boolean asAsked = asked == null ? info.statusCode() == 200
                    : info.statusCode() == 206 && answers(asked, info.headers().firstValue("Content-Range").orElse(null));
            if (sink != null && asAsked && length >= 0 && identity) {
                synchronized (delivery) {
                    if (!delivery.over && sink.begin(length)) return delivery.subscriber = new IntoSink(sink, length);
                }
            }
            if (pool != null && (info.statusCode() == 200 || info.statusCode() == 206) && length >= 0 && length <= Integer.MAX_VALUE - 8) {
                return new IntoLease(pool.lease(length));
            }
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), b -> new Body(b, null, MemorySegment.ofArray(b)));
        });
        HttpResponse<Body> r;
        try {
            r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TransientFailure(request.method() + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new BigArraysException("interrupted during " + request.method() + " " + request.uri(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) throw new TransientFailure(request.method() + ": " + c, c);
            throw new BigArraysException(request.method() + " " + request.uri() + " failed: " + c, c);
        }
        if (Retrier.isRetryableStatus(r.statusCode())) {
            throw new TransientFailure(request.method() + ": HTTP " + r.statusCode() + " " + snippet(r.body().bytes()));
        }
        return r;
    }

    /** A response with its body as bytes. */
    private record Answer(HttpResponse<Body> r, byte[] body) implements HttpResponse<byte[]> {
        public int statusCode() {
            return r.statusCode();
        }

        public HttpRequest request() {
            return r.request();
        }

        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return r.headers();
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return r.sslSession();
        }

        public URI uri() {
            return r.uri();
        }

        public HttpClient.Version version() {
            return r.version();
        }
    }

    /** Copies each delivered buffer into the lease; completes with it when exactly its length arrived. */
    private static final class IntoLease implements HttpResponse.BodySubscriber<Body> {
        private final Lease lease;
        private final MemorySegment out;
        private final CompletableFuture<Body> body = new CompletableFuture<>();
        private long pos;
        private boolean overflow;

        IntoLease(Lease lease) {
            this.lease = lease;
            this.out = lease.segment();
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(java.util.List<java.nio.ByteBuffer> items) {
            for (java.nio.ByteBuffer b : items) {
                int n = b.remaining();
                if (overflow || pos + n > out.byteSize()) {
                    overflow = true;
                    continue;
                }
                MemorySegment.copy(MemorySegment.ofBuffer(b), 0, out, pos, n);
                pos += n;
            }
        }

        @Override
        public void onError(Throwable t) {
            lease.close();
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (overflow || pos != out.byteSize()) {
                lease.close();
                body.completeExceptionally(new IOException("body of " + (overflow ? "more" : Long.toString(pos)) + " bytes, Content-Length " + out.byteSize()));
                return;
            }
            body.complete(new Body(null, lease, out));
        }

        @Override
        public java.util.concurrent.CompletionStage<Body> getBody() {
            return body;
        }
    }

    /**
     * Hands each delivered buffer to the sink at its offset; completes when exactly the
     * Content-Length arrived. {@link #close} (under the same lock as each delivery) stops any
     * further delivery, so no piece reaches the sink after its attempt is over.
     */
    private static final class IntoSink implements HttpResponse.BodySubscriber<Body> {
        private final BodySink sink;
        private final long length;
        private final CompletableFuture<Body> body = new CompletableFuture<>();
        private java.util.concurrent.Flow.Subscription subscription;
        private long pos;
        private boolean overflow;
        private boolean closed;

        IntoSink(BodySink sink, long length) {
            this.sink = sink;
            this.length = length;
        }

        @Override
        public synchronized void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            if (closed) s.cancel();
            else s.request(Long.MAX_VALUE);
        }

        @Override
        public synchronized void onNext(java.util.List<java.nio.ByteBuffer> items) {
            for (java.nio.ByteBuffer b : items) {
                int n = b.remaining();
                if (closed || overflow || pos + n > length) {
                    overflow |= !closed;
                    continue;
                }
                try {
                    sink.accept(pos, MemorySegment.ofBuffer(b));
                } catch (RuntimeException e) {
                    closed = true;
                    subscription.cancel();
                    body.completeExceptionally(e);
                    return;
                }
                pos += n;
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public synchronized void onComplete() {
            if (overflow || pos != length) {
                body.completeExceptionally(new IOException("body of " + (overflow ? "more" : Long.toString(pos)) + " bytes, Content-Length " + length));
                return;
            }
            body.complete(Body.DELIVERED);
        }

        /** No more deliveries from this exchange. */
        synchronized void close() {
            closed = true;
            if (subscription != null) subscription.cancel();
        }

        @Override
        public java.util.concurrent.CompletionStage<Body> getBody() {
            return body;
        }
    }

    /** The start of an error body, for messages. */
    public static String snippet(byte[] body) {
        if (body == null || body.length == 0) return "";
        String s = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return s.isEmpty() ? "" : "(" + s + ")";
    }

    /**
     * Whether a response's {@code Content-Range} is exactly the bounded range {@code rangeHeader}
     * asked for ({@code bytes=s-e} answered by {@code bytes s-e/total}): only then is its body
     * the bytes a sink was promised. Open and suffix ranges never match.
     */
    public static boolean answers(String rangeHeader, String contentRange) {
        if (rangeHeader == null || contentRange == null || !rangeHeader.startsWith("bytes=")) return false;
        String asked = rangeHeader.substring("bytes=".length());
        int dash = asked.indexOf('-');
        if (dash <= 0 || dash == asked.length() - 1) return false;
        String got = contentRange.trim();
        return got.startsWith("bytes " + asked + "/");
    }

    /** The Range header value for {@code [start, end)} or a suffix; null for the whole value. */
    public static String rangeHeader(org.bigarrays.kvstore.ByteRange range) {
        if (range.isAll()) return null;
        if (range.isSuffix()) return "bytes=" + range.start();          // "bytes=-N"
        if (range.end() == Long.MAX_VALUE) return "bytes=" + range.start() + "-";
        return "bytes=" + range.start() + "-" + (range.end() - 1);
    }
}
