package org.bigarrays.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Just enough of S3 for {@link AotTraining} to read a layer through the S3 client, so that the
 * AWS SDK's classes (client, signer, HTTP client, response handling: thousands of classes, over
 * a second of class loading) are in the start-up cache too: {@code GET} and {@code HEAD} of
 * {@code /BUCKET/KEY} answer the file {@code KEY} under a folder, anything else is S3's 404
 * {@code NoSuchKey}. Listens on 127.0.0.1 only, on a free port, for the training run alone.
 */
final class TrainingS3Server implements AutoCloseable {
    static final String BUCKET = "training";

    private final HttpServer server;

    TrainingS3Server(Path root) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", ex -> {
            try (ex) {
                answer(ex, root);
            }
        });
        server.start();
    }

    /** The endpoint to give the S3 client: {@code http://127.0.0.1:PORT}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, Path root) throws IOException {
        String path = ex.getRequestURI().getPath();
        String prefix = "/" + BUCKET + "/";
        Path file = null;
        if (path.startsWith(prefix)) {
            Path p = root.resolve(path.substring(prefix.length())).normalize();
            if (p.startsWith(root) && Files.isRegularFile(p)) file = p;
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (file == null || !(head || ex.getRequestMethod().equals("GET"))) {
            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>not found</Message><Key>"
                    + path + "</Key></Error>").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/xml");
            ex.sendResponseHeaders(404, head ? -1 : body.length);
            if (!head) ex.getResponseBody().write(body);
            return;
        }
        byte[] body = Files.readAllBytes(file);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("ETag", "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"");
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
