package org.bigarrays.bench.serveload;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.server.BatchCutouts;

/**
 * Helidon SE 4.5's web server (its own HTTP/1.1 stack, one virtual thread per request), running
 * the prototypes' shared handler ({@link PrototypeLayers}); the body is the response's
 * {@link ServerResponse#outputStream()}. A measurement tool for bench/serve-load, not a product.
 * Usage: {@code HelidonPrototype --port P [--cache BYTES] NAME=URL...}; runs until killed.
 */
public final class HelidonPrototype {
    private HelidonPrototype() {}

    public static void main(String[] args) {
        PrototypeLayers layers = PrototypeLayers.open(args);
        WebServer.builder()
                .host("127.0.0.1")
                .port(layers.port)
                .routing(r -> r.any((req, res) -> {
                    try {
                        serve(layers, req, res);
                    } catch (PrototypeLayers.Problem e) {
                        res.status(Status.create(e.status)).send(e.getMessage().getBytes(StandardCharsets.UTF_8));
                    }
                }))
                .build()
                .start();
    }

    private static void serve(PrototypeLayers layers, ServerRequest req, ServerResponse res) throws Exception {
        if (req.prologue().method().text().equals("POST")) {
            PrototypeLayers.Batch b = layers.batch(req.path().path(), req.content().inputStream());
            res.header("Content-Type", BatchCutouts.CONTENT_TYPE);
            res.contentLength(b.bytes());
            try (OutputStream out = res.outputStream()) {
                PrototypeLayers.writeBatch(b, out);
            }
            return;
        }
        if (!req.prologue().method().text().equals("GET")) throw new PrototypeLayers.Problem(405, "GET or POST only");
        switch (layers.route(req.path().path(), req.query().rawValue())) {
            case PrototypeLayers.Index i -> res.send("ok".getBytes(StandardCharsets.US_ASCII));
            case PrototypeLayers.Cutout c -> {
                res.header("Content-Type", "application/octet-stream");
                res.contentLength(c.bytes());
                try (OutputStream out = res.outputStream()) {
                    PrototypeLayers.writeCutout(c, PrototypeLayers.channel(out));
                }
            }
            case PrototypeLayers.StoredKey k -> {
                try (ReadResult r = PrototypeLayers.read(k)) {
                    MemorySegment v = r.bytes();
                    res.header("Content-Type", "application/octet-stream");
                    res.contentLength(v.byteSize());
                    try (OutputStream out = res.outputStream()) {
                        PrototypeLayers.channel(out).write(v.asByteBuffer());
                    }
                }
            }
        }
    }
}
