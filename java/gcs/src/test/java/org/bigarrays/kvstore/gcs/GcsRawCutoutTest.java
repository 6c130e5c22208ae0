package org.bigarrays.kvstore.gcs;

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
 * Raw cutouts from the GCS fake, whose chunk bodies go straight into the output: random boxes
 * against the local read of the same layer, and responses cut short (with garbled bytes) on
 * 127.0.0.1 either retried to every right voxel or, when every attempt fails, a one-line error.
 */
class GcsRawCutoutTest {
    private static FakeGcsServer server;
    private static RemoteRawCutouts layer;
    private static Path local;
    private static String name; // a new layer per start: S3Proxy outlives this class

    private static synchronized RemoteRawCutouts layer() throws Exception {
        if (layer == null) {
            server = new FakeGcsServer("raw");
            local = Files.createTempDirectory("gcs-raw-local");
            name = "layer-" + System.nanoTime();
            layer = RemoteRawCutouts.write("gs://raw/" + name + "?endpoint=" + server.endpoint(), local.resolve("layer"));
        }
        return layer;
    }

    private static int port() {
        return Integer.parseInt(server.endpoint().replaceAll(".*:", ""));
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
        layer = null;
    }

    @Property(tries = 25)
    void randomBoxesMatchTheLocalRead(@ForAll long seed) throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + server.endpoint())) {
            Random r = new Random(seed);
            for (int i = 0; i < 3; i++) l.assertSameAsLocal(a.array(), RemoteRawCutouts.randomBox(r));
        }
    }

    @Test
    void everyVoxelIsRightAfterTruncatedGarbledBodies() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 0.4, List.of(FaultProxy.Fault.TRUNCATE), Duration.ZERO, 3)) {
            proxy.garbleTruncatedBodies(true);
            try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + proxy.endpoint() + "&attempts=12&backoffMs=2")) {
                l.assertCutouts(a.array());
            }
            assertTrue(proxy.injectedByKind().get(FaultProxy.Fault.TRUNCATE) > 0, "no body was truncated");
        }
    }

    @Test
    void answersArrivingAfterTheirAttemptTimedOutNeverReachTheOutput() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 0.3, List.of(FaultProxy.Fault.STALL), Duration.ofMillis(2300), 5)) {
            proxy.garbleTruncatedBodies(true); // a late answer's body is garbled: wrong voxels if it landed
            proxy.answerAfterStalls(true);
            try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + proxy.endpoint() + "&attempts=12&backoffMs=2&timeoutMs=2000")) {
                l.assertCutouts(a.array());
            }
            assertTrue(proxy.injectedByKind().get(FaultProxy.Fault.STALL) > 0, "no answer was late");
        }
    }

    @Test
    void bodiesAlwaysCutShortAreAOneLineError() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 1.0, List.of(FaultProxy.Fault.TRUNCATE), Duration.ZERO, 4)) {
            proxy.setEnabled(false); // the layer opens; then every chunk body is cut short
            try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + proxy.endpoint() + "&attempts=3&backoffMs=2")) {
                proxy.setEnabled(true);
                RemoteRawCutouts.assertClearFailure(a.array(), 3);
            }
        }
    }

    @Test
    void oneBoxSeesEveryChunkDelivered() throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + server.endpoint())) {
            l.assertCutouts(a.array());
        }
        // Sanity of the model itself: a box wholly outside the volume reads as fill on both sides.
        try (RemoteRawCutouts.Opened a = l.open("gs://raw/" + name + "?endpoint=" + server.endpoint())) {
            l.assertSameAsLocal(a.array(), Box.of(new long[] {-10, -10, -10}, new long[] {-2, -2, -2}));
        }
    }
}
