package org.bigarrays.kvstore.remote;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.core.Box;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * The checks every remote store whose raw chunk bodies go straight into the output passes, run
 * against a real server on 127.0.0.1: random boxes against the local read of the same layer, and
 * responses cut short (with garbled bytes) either retried to every right voxel or, when every
 * attempt fails, a one-line error. A store's test supplies the layer and how to reach it.
 */
public abstract class RawCutoutContract {
    /** The layer's sharding; null: unsharded. */
    protected ShardingSpec sharding() {
        return null;
    }

    /** The test class's layers (a static instance, cleared when the class's tests end). */
    protected abstract RawCutoutLayers layers();

    /** Write layer {@code name} to the store (starting the server if needed), its local twin at {@code local}. */
    protected abstract RemoteRawCutouts write(String name, Path local, ShardingSpec sharding) throws Exception;

    /** The URL of layer {@code name} through {@code endpoint}, options ({@code &k=v...}) appended. */
    protected abstract String url(String endpoint, String name, String options);

    /** The layer written to the store (once per test class and sharding), with its local twin. */
    protected final RemoteRawCutouts layer() throws Exception {
        return layers().get(sharding(), this::write);
    }

    /** The layer's URL through {@code endpoint} (the server's, or a fault proxy's), options appended. */
    protected final String url(String endpoint, String options) {
        return url(endpoint, layers().name(sharding()), options);
    }

    /** The server's endpoint, for URLs that go to it directly. */
    protected abstract String endpoint();

    /** The server's port on 127.0.0.1, for a {@link FaultProxy} in front of it. */
    protected abstract int port();

    @Property(tries = 25)
    void randomBoxesMatchTheLocalRead(@ForAll long seed) throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open(url(endpoint(), ""))) {
            Random r = new Random(seed);
            for (int i = 0; i < 3; i++) l.assertSameAsLocal(a.array(), RemoteRawCutouts.randomBox(r));
        }
    }

    @Test
    void everyVoxelIsRightAfterTruncatedGarbledBodies() throws Exception {
        RemoteRawCutouts l = layer();
        try (FaultProxy proxy = new FaultProxy(port(), 0.4, List.of(FaultProxy.Fault.TRUNCATE), Duration.ZERO, 3)) {
            proxy.garbleTruncatedBodies(true);
            try (RemoteRawCutouts.Opened a = l.open(url(proxy.endpoint(), "&attempts=12&backoffMs=2"))) {
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
            try (RemoteRawCutouts.Opened a = l.open(url(proxy.endpoint(), "&attempts=3&backoffMs=2"))) {
                proxy.setEnabled(true);
                RemoteRawCutouts.assertClearFailure(a.array(), 3);
            }
        }
    }

    @Test
    void oneBoxSeesEveryChunkDelivered() throws Exception {
        RemoteRawCutouts l = layer();
        try (RemoteRawCutouts.Opened a = l.open(url(endpoint(), ""))) {
            l.assertCutouts(a.array());
        }
        // Sanity of the model itself: a box wholly outside the volume reads as fill on both sides.
        try (RemoteRawCutouts.Opened a = l.open(url(endpoint(), ""))) {
            l.assertSameAsLocal(a.array(), Box.of(new long[] {-10, -10, -10}, new long[] {-2, -2, -2}));
        }
    }
}
