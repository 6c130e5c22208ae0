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
import org.bigarrays.BigArraysException;

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
        CompletableFuture<HttpResponse<byte[]>> f = client(request.uri()).sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> r;
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
            throw new TransientFailure(request.method() + ": HTTP " + r.statusCode() + " " + snippet(r.body()));
        }
        return r;
    }

    /** The start of an error body, for messages. */
    public static String snippet(byte[] body) {
        if (body == null || body.length == 0) return "";
        String s = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return s.isEmpty() ? "" : "(" + s + ")";
    }

    /** The Range header value for {@code [start, end)} or a suffix; null for the whole value. */
    public static String rangeHeader(org.bigarrays.kvstore.ByteRange range) {
        if (range.isAll()) return null;
        if (range.isSuffix()) return "bytes=" + range.start();          // "bytes=-N"
        if (range.end() == Long.MAX_VALUE) return "bytes=" + range.start() + "-";
        return "bytes=" + range.start() + "-" + (range.end() - 1);
    }
}
