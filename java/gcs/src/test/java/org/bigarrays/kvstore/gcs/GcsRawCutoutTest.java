package org.bigarrays.kvstore.gcs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RawCutoutLayers;
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
    private static final RawCutoutLayers layers = new RawCutoutLayers();

    @Override
    protected RawCutoutLayers layers() {
        return layers;
    }

    @Override
    protected RemoteRawCutouts write(String name, Path local, ShardingSpec sharding) throws Exception {
        synchronized (GcsRawCutoutTest.class) {
            if (server == null) server = new FakeGcsServer("raw");
        }
        return RemoteRawCutouts.write("gs://raw/" + name + "?endpoint=" + server.endpoint(), local, sharding);
    }

    @Override
    protected String url(String endpoint, String name, String options) {
        return "gs://raw/" + name + "?endpoint=" + endpoint + options;
    }

    @Override
    protected int port() {
        return Integer.parseInt(server.endpoint().replaceAll(".*:", ""));
    }

    @Override
    protected String endpoint() {
        return server.endpoint();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static synchronized void stop() throws Exception {
        if (server != null) server.close();
        server = null;
        layers.clear();
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
