package org.bigarrays.kvstore.s3;

import java.nio.file.Path;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RawCutoutLayers;
import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Raw cutouts from S3Proxy on 127.0.0.1, chunk bodies straight into the output:
 * {@link RawCutoutContract}, on an unsharded layer (a sharded one: {@link S3ShardedRawCutoutTest}).
 */
class S3RawCutoutTest extends RawCutoutContract {
    private static S3ProxyServer server;
    private static final RawCutoutLayers layers = new RawCutoutLayers();

    @Override
    protected RawCutoutLayers layers() {
        return layers;
    }

    @Override
    protected RemoteRawCutouts write(String name, Path local, ShardingSpec sharding) throws Exception {
        synchronized (S3RawCutoutTest.class) {
            server = S3ProxyServer.get();
            server.createBucket("raw");
        }
        return RemoteRawCutouts.write("s3://raw/" + name + "?endpoint=" + server.endpoint(), local, sharding);
    }

    @Override
    protected String url(String endpoint, String name, String options) {
        return "s3://raw/" + name + "?endpoint=" + endpoint + options;
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected String endpoint() {
        return server.endpoint();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static void stop() throws Exception {
        // S3Proxy is shared by the module's tests: left running.
        layers.clear();
    }
}
