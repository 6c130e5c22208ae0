package org.bigarrays.kvstore.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * A static file server on 127.0.0.1 (JDK httpserver) serving a directory as a web server or a
 * bucket's public URL would: GET and HEAD, {@code Range} (206, suffix ranges, 416), and, when
 * {@code gzip} is on, whole-file answers gzip-encoded for clients that accept it.
 */
final class StaticHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final boolean gzip;
    final AtomicLong gzipAnswers = new AtomicLong();
    final AtomicLong rangeAnswers = new AtomicLong();
    final AtomicLong preconditionAnswers = new AtomicLong();

    StaticHttpServer(Path root, boolean gzip) throws IOException {
        this.root = root;
        this.gzip = gzip;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + "/" + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String rel = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8).replaceFirst("^/+", "");
            Path p = root.resolve(rel).normalize();
            boolean head = ex.getRequestMethod().equals("HEAD");
            String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
            String ifNoneMatch = ex.getRequestHeaders().getFirst("If-None-Match");
            if (!p.startsWith(root) || !Files.isRegularFile(p)) {
                // RFC 9110 13.1.1: If-Match is false when there is no current representation.
                if (ifMatch != null) {
                    preconditionAnswers.incrementAndGet();
                    ex.sendResponseHeaders(412, -1);
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
                return;
            }
            byte[] all = Files.readAllBytes(p);
            String range = ex.getRequestHeaders().getFirst("Range");
            String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
            String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(all)) + "-" + all.length + "\"";
            ex.getResponseHeaders().set("ETag", etag);
            if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(etag)) {
                preconditionAnswers.incrementAndGet();
                ex.sendResponseHeaders(412, -1);
                return;
            }
            if (ifNoneMatch != null && (ifNoneMatch.equals("*") || ifNoneMatch.equals(etag))) {
                preconditionAnswers.incrementAndGet();
                ex.sendResponseHeaders(304, -1); // GET and HEAD: 304, not 412
                return;
            }
            if (range != null && range.startsWith("bytes=")) {
                String spec = range.substring(6);
                long start, end; // inclusive end
                if (spec.startsWith("-")) {
                    long n = Long.parseLong(spec.substring(1));
                    start = Math.max(0, all.length - n);
                    end = all.length - 1;
                } else {
                    String[] se = spec.split("-", -1);
                    start = Long.parseLong(se[0]);
                    end = se[1].isEmpty() ? all.length - 1 : Math.min(Long.parseLong(se[1]), all.length - 1);
                }
                if (start >= all.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + all.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                rangeAnswers.incrementAndGet();
                byte[] part = java.util.Arrays.copyOfRange(all, (int) start, (int) end + 1);
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + all.length);
                send(ex, 206, part, head);
                return;
            }
            if (gzip && accept != null && accept.contains("gzip")) {
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                    gz.write(all);
                }
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
                gzipAnswers.incrementAndGet();
                send(ex, 200, bos.toByteArray(), head);
                return;
            }
            send(ex, 200, all, head);
        }
    }

    private static void send(HttpExchange ex, int code, byte[] body, boolean head) throws IOException {
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
