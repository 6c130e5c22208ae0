package org.bigarrays.kvstore.s3;

import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.sharding.ShardWriters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writers of one shard on a real S3 server (S3Proxy): a writer whose conditional PUT (If-Match)
 * is refused because another writer rewrote the shard reads it again and keeps both updates.
 * Truly simultaneous writers are not run here: S3Proxy 4.1.0 checks If-Match but not atomically
 * with the write (see S3StoreContractTest#casThreads), and 4 writers × 8 increments of one shard
 * through it lost half of them (8 expected, 4 found) in a run of this suite's
 * {@code ShardWriters.incrementsAllSurvive}, the same check that passes over memory and files.
 */
class S3ShardWritersTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("shard-writers");
    }

    @Test
    void aWriterThatLostReappliesItsPatch() {
        String url = "s3://shard-writers/run-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + "?endpoint=" + server.endpoint();
        ShardWriters.aWriterThatLostReappliesItsPatch(KeyValueStores.open(url));
    }
}
