package org.bigarrays.kvstore.s3;

import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreContract;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.BeforeAll;

/** The key-value contract on a real S3 server (S3Proxy, SigV4), opened from an s3:// URL. */
class S3StoreContractTest extends KeyValueStoreContract {
    private static final AtomicInteger N = new AtomicInteger();
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("contract");
    }

    @Override
    protected KeyValueStore newStore() {
        KeyValueStore s = KeyValueStores.open("s3://contract/run-" + ProcessHandle.current().pid() + "-" + N.incrementAndGet()
                + "?endpoint=" + server.endpoint());
        org.junit.jupiter.api.Assertions.assertInstanceOf(S3Store.class, s);
        return s;
    }

    /**
     * S3Proxy 4.1.0 evaluates If-Match / If-None-Match on PUT (see S3BucketAndConditionTest) but
     * not atomically with the write: 8 threads of compare-and-set lost 79 of 200 increments
     * against it, a race inside the server. The concurrent case is therefore untested for S3
     * here (AWS S3 documents conditional PUTs as atomic); one thread checks the retry loop.
     */
    @Override
    protected int casThreads() {
        return 1;
    }
}
