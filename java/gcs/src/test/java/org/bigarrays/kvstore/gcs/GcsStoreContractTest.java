package org.bigarrays.kvstore.gcs;

import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreContract;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The key-value contract for gs:// against the local fake of the GCS JSON API subset. */
class GcsStoreContractTest extends KeyValueStoreContract {
    private static final AtomicInteger N = new AtomicInteger();
    private static FakeGcsServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeGcsServer("contract-bucket");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected KeyValueStore newStore() {
        KeyValueStore s = KeyValueStores.open("gs://contract-bucket/run" + N.incrementAndGet() + "/sub?endpoint=" + server.endpoint());
        org.junit.jupiter.api.Assertions.assertInstanceOf(GcsStore.class, s);
        return s;
    }
}
