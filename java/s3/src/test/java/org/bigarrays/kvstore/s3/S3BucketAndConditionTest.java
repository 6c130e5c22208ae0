package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.WriteOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Issue 15.3 (a missing bucket is an error, not "missing") and what S3Proxy does with conditional PUTs. */
class S3BucketAndConditionTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("conditions");
    }

    private static String url(String bucketAndPath) {
        return "s3://" + bucketAndPath + "?endpoint=" + server.endpoint() + "&attempts=2&backoffMs=1";
    }

    @Test
    void aMissingBucketIsAnErrorNeverAMissingKey() {
        KeyValueStore s = KeyValueStores.open(url("no-such-bucket-15-3/layer"));
        for (org.junit.jupiter.api.function.Executable op : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                () -> s.read("info"), () -> s.read("1_1_1/0-64_0-64_0-64", org.bigarrays.kvstore.ByteRange.of(0, 10)),
                () -> s.exists("info"), () -> s.list(""), () -> s.write("k", MemorySegment.ofArray(new byte[1])),
                () -> s.readMany(java.util.List.of("a", "b"), org.bigarrays.kvstore.ReadOptions.ALL))) {
            StorageException e = assertThrows(StorageException.class, op);
            assertTrue(e.getMessage().contains("bucket 'no-such-bucket-15-3' does not exist"), e.getMessage());
        }
        StorageException open = assertThrows(StorageException.class, () -> BigArray.open(url("no-such-bucket-15-3/layer")));
        assertTrue(open.getMessage().contains("does not exist") && !open.getMessage().contains("no precomputed layer"), open.getMessage());
    }

    @Test
    void aMissingKeyInAnExistingBucketIsMissing() {
        KeyValueStore s = KeyValueStores.open(url("conditions/absent-keys"));
        assertFalse(s.read("info").found());
        assertFalse(s.exists("info"));
    }

    /**
     * S3Proxy 4.1.0 evaluates If-Match and If-None-Match: * on PUT itself (the raw client below
     * bypasses our store): a 412 for a stale ETag and for an existing key.
     */
    @Test
    void s3ProxyHonoursConditionalPuts() {
        try (S3Client c = server.client(URI.create(server.endpoint()))) {
            String etag = c.putObject(b -> b.bucket("conditions").key("raw"), RequestBody.fromString("one")).eTag();
            S3Exception stale = assertThrows(S3Exception.class,
                    () -> c.putObject(b -> b.bucket("conditions").key("raw").ifMatch("\"0123456789abcdef0123456789abcdef\""), RequestBody.fromString("x")));
            assertEquals(412, stale.statusCode());
            S3Exception present = assertThrows(S3Exception.class,
                    () -> c.putObject(b -> b.bucket("conditions").key("raw").ifNoneMatch("*"), RequestBody.fromString("x")));
            assertEquals(412, present.statusCode());
            c.putObject(b -> b.bucket("conditions").key("raw").ifMatch(etag), RequestBody.fromString("two"));
            assertEquals("two", c.getObjectAsBytes(b -> b.bucket("conditions").key("raw")).asUtf8String());
        }
        KeyValueStore s = KeyValueStores.open(url("conditions/store"));
        assertTrue(s.write("k", MemorySegment.ofArray(new byte[] {1}), WriteOptions.ifMissing()).written());
        assertFalse(s.write("k", MemorySegment.ofArray(new byte[] {2}), WriteOptions.ifMissing()).written());
    }
}
