package org.bigarrays.kvstore.http;

import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.lifecycle.AfterContainer;
import org.bigarrays.TempTrees;
import org.bigarrays.kvstore.remote.RawCutoutContract;
import org.bigarrays.kvstore.remote.RawCutoutLayers;
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
    private static final RawCutoutLayers layers = new RawCutoutLayers();

    @Override
    protected RawCutoutLayers layers() {
        return layers;
    }

    @Override
    protected RemoteRawCutouts write(String name, Path local, ShardingSpec sharding) throws Exception {
        synchronized (HttpRawCutoutTest.class) {
            if (served == null) served = Files.createTempDirectory("http-raw");
            if (server == null) server = new StaticHttpServer(served, false);
        }
        return RemoteRawCutouts.write(served.resolve(name).toString(), local, sharding);
    }

    @Override
    protected String url(String endpoint, String name, String options) {
        return endpoint + "/" + name + (options.isEmpty() ? "" : "?" + options.substring(1));
    }

    @Override
    protected int port() {
        return server.port();
    }

    @Override
    protected String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    @AfterContainer
    @org.junit.jupiter.api.AfterAll
    static synchronized void stop() throws Exception {
        if (server != null) server.close();
        TempTrees.deleteTree(served);
        server = null;
        served = null;
        layers.clear();
    }
}
