package org.bigarrays.kvstore.gcs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * Raw cutouts from the GCS fake on 127.0.0.1, chunk bodies straight into the output:
 * {@link RawCutoutContract}, and answers that arrive after their attempt timed out, on an
 * unsharded layer (a sharded one: {@link GcsShardedRawCutoutTest}).
 */
class GcsRawCutoutTest extends RawCutoutContract {
    private static FakeGcsServer server;
    // One layer per sharding (null: unsharded), each with a new name per start.
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
            if (server == null) server = new FakeGcsServer("raw");
            if (local == null) local = Files.createTempDirectory("gcs-raw-local");
            String name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write("gs://raw/" + name + "?endpoint=" + server.endpoint(), local.resolve(name), sharding);
            layers.put(k, layer);
            names.put(k, name);
        }
        return layer;
    }

    @Override
    protected int port() {
        return Integer.parseInt(server.endpoint().replaceAll(".*:", ""));
    }

    @Override
    protected RemoteRawCutouts layer() throws Exception {
        return sharedLayer(sharding());
    }

    @Override
    protected String url(String endpoint, String options) {
        synchronized (GcsRawCutoutTest.class) {
            return "gs://raw/" + names.get(String.valueOf(sharding())) + "?endpoint=" + endpoint + options;
        }
    }

    @Override
    protected String endpoint() {
        return server.endpoint();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static synchronized void stop() throws Exception {
        if (server != null) server.close();
        if (local != null) {
            try (var walk = Files.walk(local)) {
                for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        local = null;
        server = null;
        layers.clear();
        names.clear();
    }

    @Test
    void answersArrivingAfterTheirAttemptTimedOutNeverReachTheOutput() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 0.3, List.of(FaultProxy.Fault.STALL), Duration.ofMillis(2300), 5)) {
            proxy.garbleTruncatedBodies(true); // a late answer's body is garbled: wrong voxels if it landed
            proxy.answerAfterStalls(true);
            try (RemoteRawCutouts.Opened a = l.open(url(proxy.endpoint(), "&attempts=12&backoffMs=2&timeoutMs=2000"))) {
                l.assertCutouts(a.array());
            }
            assertTrue(proxy.injectedByKind().get(FaultProxy.Fault.STALL) > 0, "no answer was late");
        }
    }
}
