package org.bigarrays.kvstore.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Raw cutouts from S3Proxy on 127.0.0.1, chunk bodies straight into the output:
 * {@link RawCutoutContract}, on an unsharded layer (a sharded one: {@link S3ShardedRawCutoutTest}).
 */
class S3RawCutoutTest extends RawCutoutContract {
    private static S3ProxyServer server;
    // One layer per sharding (null: unsharded), each with a new name per start: S3Proxy outlives this class.
    private static final Map<String, RemoteRawCutouts> layers = new HashMap<>();
    private static final Map<String, String> names = new HashMap<>();
    private static Path local;

    /** The layer's sharding; null: unsharded. */
    protected ShardingSpec sharding() {
        return null;
    }

    private static synchronized RemoteRawCutouts sharedLayer(ShardingSpec sharding) throws Exception {
        String k = String.valueOf(sharding);
        RemoteRawCutouts layer = layers.get(k);
        if (layer == null) {
            server = S3ProxyServer.get();
            server.createBucket("raw");
            if (local == null) local = Files.createTempDirectory("s3-raw-local");
            String name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write("s3://raw/" + name + "?endpoint=" + server.endpoint(), local.resolve(name), sharding);
            layers.put(k, layer);
            names.put(k, name);
        }
        return layer;
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected RemoteRawCutouts layer() throws Exception {
        return sharedLayer(sharding());
    }

    @Override
    protected String url(String endpoint, String options) {
        synchronized (S3RawCutoutTest.class) {
            return "s3://raw/" + names.get(String.valueOf(sharding())) + "?endpoint=" + endpoint + options;
        }
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
        layers.clear();
        names.clear();
    }
}
