package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.junit.jupiter.api.Test;

/**
 * Raw cutouts from S3Proxy, whose chunk bodies go straight into the output: random boxes
 * against the local read of the same layer, and responses cut short (with garbled bytes) on
 * 127.0.0.1 either retried to every right voxel or, when every attempt fails, a one-line error.
 */
class S3RawCutoutTest {
    private static S3ProxyServer server;
    private static RemoteRawCutouts layer;
    private static Path local;
    private static String name; // a new layer per start: S3Proxy outlives this class

    private static synchronized RemoteRawCutouts layer() throws Exception {
        if (layer == null) {
            server = S3ProxyServer.get();
            server.createBucket("raw");
            local = Files.createTempDirectory("s3-raw-local");
            name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write("s3://raw/" + name + "?endpoint=" + server.endpoint(), local.resolve("layer"));
        }
        return layer;
    }

    private static int port() {
        return server.port();
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

    @Property(tries = 25)
    void randomBoxesMatchTheLocalRead(@ForAll long seed) throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open("s3://raw/" + name + "?endpoint=" + server.endpoint())) {
            Random r = new Random(seed);
            for (int i = 0; i < 3; i++) l.assertSameAsLocal(a.array(), RemoteRawCutouts.randomBox(r));
        }
    }

    @Test
    void everyVoxelIsRightAfterTruncatedGarbledBodies() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 0.4, List.of(FaultProxy.Fault.TRUNCATE), Duration.ZERO, 3)) {
            proxy.garbleTruncatedBodies(true);
            try (RemoteRawCutouts.Opened a = l.open("s3://raw/" + name + "?endpoint=" + proxy.endpoint() + "&attempts=12&backoffMs=2")) {
                l.assertCutouts(a.array());
            }
            assertTrue(proxy.injectedByKind().get(FaultProxy.Fault.TRUNCATE) > 0, "no body was truncated");
        }
    }

    @Test
    void bodiesAlwaysCutShortAreAOneLineError() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 1.0, List.of(FaultProxy.Fault.TRUNCATE), Duration.ZERO, 4)) {
            proxy.setEnabled(false); // the layer opens; then every chunk body is cut short
            try (RemoteRawCutouts.Opened a = l.open("s3://raw/" + name + "?endpoint=" + proxy.endpoint() + "&attempts=3&backoffMs=2")) {
                proxy.setEnabled(true);
                RemoteRawCutouts.assertClearFailure(a.array(), 3);
            }
        }
    }

    @Test
    void oneBoxSeesEveryChunkDelivered() throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open("s3://raw/" + name + "?endpoint=" + server.endpoint())) {
            l.assertCutouts(a.array());
        }
        // Sanity of the model itself: a box wholly outside the volume reads as fill on both sides.
        try (RemoteRawCutouts.Opened a = l.open("s3://raw/" + name + "?endpoint=" + server.endpoint())) {
            l.assertSameAsLocal(a.array(), Box.of(new long[] {-10, -10, -10}, new long[] {-2, -2, -2}));
        }
    }
}
