package org.bigarrays.kvstore.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Raw cutouts over plain HTTP from a static file server on 127.0.0.1, chunk bodies straight into
 * the output: {@link RawCutoutContract}, on an unsharded layer (a sharded one:
 * {@link HttpShardedRawCutoutTest}).
 */
class HttpRawCutoutTest extends RawCutoutContract {
    private static StaticHttpServer server;
    private static Path served; // the server's root: the layers as files
    // One layer per sharding (null: unsharded).
    private static final Map<String, RemoteRawCutouts> layers = new HashMap<>();
    private static final Map<String, String> names = new HashMap<>();

    /** The layer's sharding; null: unsharded. */
    protected ShardingSpec sharding() {
        return null;
    }

    private static synchronized RemoteRawCutouts sharedLayer(ShardingSpec sharding) throws Exception {
        String k = String.valueOf(sharding);
        RemoteRawCutouts layer = layers.get(k);
        if (layer == null) {
            if (served == null) served = Files.createTempDirectory("http-raw");
            if (server == null) server = new StaticHttpServer(served, false);
            String name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write(served.resolve(name).toString(), served.resolve("local-" + name), sharding);
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
        synchronized (HttpRawCutoutTest.class) {
            return endpoint + "/" + names.get(String.valueOf(sharding())) + (options.isEmpty() ? "" : "?" + options.substring(1));
        }
    }

    @Override
    protected String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static synchronized void stop() throws Exception {
        if (server != null) server.close();
        if (served != null) {
            try (var walk = Files.walk(served)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        server = null;
        served = null;
        layers.clear();
        names.clear();
    }
}
