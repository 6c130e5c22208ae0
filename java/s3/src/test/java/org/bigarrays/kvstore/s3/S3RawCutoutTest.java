package org.bigarrays.kvstore.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;

/** Raw cutouts from S3Proxy on 127.0.0.1, chunk bodies straight into the output: {@link RawCutoutContract}. */
class S3RawCutoutTest extends RawCutoutContract {
    private static S3ProxyServer server;
    private static RemoteRawCutouts layer;
    private static Path local;
    private static String name; // a new layer per start: S3Proxy outlives this class

    private static synchronized RemoteRawCutouts sharedLayer() throws Exception {
        if (layer == null) {
            server = S3ProxyServer.get();
            server.createBucket("raw");
            local = Files.createTempDirectory("s3-raw-local");
            name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write("s3://raw/" + name + "?endpoint=" + server.endpoint(), local.resolve("layer"));
        }
        return layer;
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected RemoteRawCutouts layer() throws Exception {
        return sharedLayer();
    }

    @Override
    protected String url(String endpoint, String options) {
        return "s3://raw/" + name + "?endpoint=" + endpoint + options;
    }

    @Override
    protected String endpoint() {
        return server.endpoint();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static synchronized void stop() throws Exception {
        // S3Proxy is shared by the module's tests: left running.
        if (local != null) {
            try (var walk = Files.walk(local)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        local = null;
        layer = null;
    }
}
