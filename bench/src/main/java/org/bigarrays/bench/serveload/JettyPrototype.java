package org.bigarrays.bench.serveload;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.server.BatchCutouts;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Jetty 12.1 with core handlers (no servlets) on a {@link VirtualThreadPool}, running the
 * prototypes' shared handler ({@link PrototypeLayers}); the body is written with blocking
 * {@link Content.Sink#write} of the cutout's own direct buffers (no copy into a stream). A
 * measurement tool for bench/serve-load, not a product.
 * Usage: {@code JettyPrototype --port P [--cache BYTES] NAME=URL...}; runs until killed.
 */
public final class JettyPrototype {
    private JettyPrototype() {}

    public static void main(String[] args) throws Exception {
        PrototypeLayers layers = PrototypeLayers.open(args);
        Server server = new Server(new VirtualThreadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(layers.port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    serve(layers, request, response);
                    callback.succeeded();
                } catch (PrototypeLayers.Problem e) {
                    Response.writeError(request, response, callback, e.status, e.getMessage());
                } catch (Throwable e) {
                    // Also a client that went away mid-body: the callback fails the response.
                    callback.failed(e);
                }
                return true;
            }
        });
        server.start();
        server.join();
    }

    private static void serve(PrototypeLayers layers, Request request, Response response) throws Exception {
        var uri = request.getHttpURI();
        if (request.getMethod().equals("POST")) {
            PrototypeLayers.Batch b = layers.batch(uri.getDecodedPath(), Content.Source.asInputStream(request));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, BatchCutouts.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.bytes());
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                PrototypeLayers.writeBatch(b, out);
            }
            return;
        }
        if (!request.getMethod().equals("GET")) throw new PrototypeLayers.Problem(405, "GET or POST only");
        switch (layers.route(uri.getDecodedPath(), uri.getQuery())) {
            case PrototypeLayers.Index i -> {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 2);
                Content.Sink.write(response, true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)));
            }
            case PrototypeLayers.Cutout c -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, c.bytes());
                PrototypeLayers.writeCutout(c, sink(response));
            }
            case PrototypeLayers.StoredKey k -> {
                try (ReadResult r = PrototypeLayers.read(k)) {
                    MemorySegment v = r.bytes();
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, v.byteSize());
                    // Blocking: the value's memory is released (close) only after Jetty wrote it.
                    Content.Sink.write(response, true, v.asByteBuffer());
                }
            }
        }
    }

    /** A channel whose writes are blocking, non-last writes of the response. */
    private static WritableByteChannel sink(Response response) {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws java.io.IOException {
                int n = src.remaining();
                Content.Sink.write(response, false, src);
                src.position(src.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }
}
