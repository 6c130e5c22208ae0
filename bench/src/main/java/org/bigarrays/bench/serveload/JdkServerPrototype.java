package org.bigarrays.bench.serveload;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.server.BatchCutouts;

/**
 * The JDK's built-in server ({@code com.sun.net.httpserver}, what java/server used before issue
 * 21) with one virtual thread per exchange, running the prototypes' shared handler
 * ({@link PrototypeLayers}): a measurement tool for bench/serve-load, not a product.
 * Usage: {@code JdkServerPrototype --port P [--cache BYTES] NAME=URL...}; runs until killed.
 */
public final class JdkServerPrototype {
    private JdkServerPrototype() {}

    public static void main(String[] args) throws IOException {
        PrototypeLayers layers = PrototypeLayers.open(args);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", layers.port), 256);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", ex -> {
            try {
                handle(layers, ex);
            } catch (PrototypeLayers.Problem e) {
                byte[] b = e.getMessage().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(e.status, b.length);
                ex.getResponseBody().write(b);
            } catch (IOException e) {
                // the client went away
            } catch (RuntimeException e) {
                byte[] b = e.toString().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(500, b.length);
                ex.getResponseBody().write(b);
            } finally {
                ex.close();
            }
        });
        http.start();
    }

    private static void handle(PrototypeLayers layers, HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("POST")) {
            PrototypeLayers.Batch b = layers.batch(ex.getRequestURI().getPath(), ex.getRequestBody());
            ex.getResponseHeaders().set("Content-Type", BatchCutouts.CONTENT_TYPE);
            ex.sendResponseHeaders(200, b.bytes());
            try (OutputStream out = ex.getResponseBody()) {
                PrototypeLayers.writeBatch(b, out);
            }
            return;
        }
        if (!ex.getRequestMethod().equals("GET")) throw new PrototypeLayers.Problem(405, "GET or POST only");
        switch (layers.route(ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery())) {
            case PrototypeLayers.Index i -> {
                ex.sendResponseHeaders(200, 2);
                ex.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
            }
            case PrototypeLayers.Cutout c -> {
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, c.bytes());
                try (OutputStream out = ex.getResponseBody()) {
                    PrototypeLayers.writeCutout(c, PrototypeLayers.channel(out));
                }
            }
            case PrototypeLayers.StoredKey k -> {
                try (ReadResult r = PrototypeLayers.read(k)) {
                    MemorySegment v = r.bytes();
                    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    ex.sendResponseHeaders(200, v.byteSize() == 0 ? -1 : v.byteSize());
                    try (OutputStream out = ex.getResponseBody()) {
                        WritableByteChannel ch = PrototypeLayers.channel(out);
                        ch.write(v.asByteBuffer());
                    }
                }
            }
        }
    }
}
