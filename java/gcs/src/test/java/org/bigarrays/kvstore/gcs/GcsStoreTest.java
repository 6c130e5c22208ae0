package org.bigarrays.kvstore.gcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gs:// arrays, auth and faults against the local fake GCS JSON API. */
class GcsStoreTest {
    private static FakeGcsServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeGcsServer("arrays", "private", "faulty");
        // No metadata server here: point the lookup at a closed loopback port so it fails at once.
        System.setProperty("bigarrays.gcs.metadataHost", "127.0.0.1:9");
    }

    @AfterAll
    static void stop() {
        server.close();
        System.clearProperty("bigarrays.gcs.token");
    }

    /** gs:// with and without a trailing slash and after Neuroglancer's precomputed:// name one layer; a pyramid built on it (reopened by URI) lands there. */
    @Test
    void everyGsFormOpensTheSameLayer() {
        String q = "?endpoint=" + server.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {130, 70, 66}, 3);
        rt.createAndWrite("precomputed://gs://arrays/forms" + q, 64, Options.defaults()).close();
        for (String form : List.of("gs://arrays/forms" + q, "gs://arrays/forms/" + q, "precomputed://gs://arrays/forms" + q)) {
            try (BigArray a = BigArray.open(form)) {
                assertEquals("gs://arrays/forms/" + q, a.uri().toString(), form);
                for (Box b : rt.boxes()) rt.assertReads(a, b);
            }
        }
        try (BigArray a = BigArray.open("precomputed://gs://arrays/forms" + q)) {
            org.bigarrays.array.Pyramid.build(a, org.bigarrays.array.PyramidSpec.defaults().withMips(1));
        }
        try (BigArray a = BigArray.open("gs://arrays/forms" + q)) {
            assertEquals(2, a.info().scales().size());
            assertTrue(!KeyValueStores.open("gs://arrays/forms" + q).list(a.info().scale(1).key() + "/").isEmpty());
        }
    }

    @Test
    void arrayRoundTripOnGcs() {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {130, 70, 66}, 8);
        String url = "gs://arrays/layer?endpoint=" + server.endpoint();
        try (BigArray a = rt.createAndWrite(url, 64, Options.defaults())) {
            for (Box b : rt.boxes()) rt.assertReads(a, b);
        }
        try (BigArray a = BigArray.open(url)) {
            for (Box b : rt.boxes()) rt.assertReads(a, b);
        }
    }

    /** A sharded Zarr v3 array (zstd) and an OME-Zarr image (gzip) on gs://, through zarr3:// too. */
    @Test
    void zarrLayersRoundTripOnGcs() {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {130, 120, 40}, 8);
        org.bigarrays.sharding.ShardingSpec shards = org.bigarrays.sharding.ShardingPlanner.forImage(rt.size, new long[] {32, 32, 32}, 1, 8L * 32 * 32 * 32, 8192, 48);
        var sharded = org.bigarrays.precomputed.Info.builder(org.bigarrays.core.DataType.UINT8, rt.size, new long[] {32, 32, 32}).sharding(shards).build();
        String[][] cases = {{"zarr3", "gs://arrays/zarr-sharded?endpoint=" + server.endpoint()}, {"ome-zarr", "gs://arrays/ome?endpoint=" + server.endpoint()}};
        for (String[] c : cases) {
            var info = c[0].equals("zarr3") ? sharded : rt.info(64);
            var compression = c[0].equals("zarr3") ? org.bigarrays.codec.Compression.ZSTD : org.bigarrays.codec.Compression.GZIP;
            try (BigArray a = BigArray.create(c[1], info, Options.defaults().withFormat(c[0]).withCompression(compression))) {
                a.write(org.bigarrays.core.NdView.wrap(java.lang.foreign.MemorySegment.ofArray(rt.reference.clone()), org.bigarrays.core.DataType.UINT8, new long[3], rt.size));
            }
            try (BigArray a = BigArray.open("zarr3://" + c[1])) {
                assertEquals(c[0], a.format(), c[1]);
                for (var b : rt.boxes()) rt.assertReads(a, b);
            }
        }
    }

    @Test
    void gzipChunksAreUploadedWithContentEncodingUnderThePlainKey() {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {64, 64, 64}, 9);
        String url = "gs://arrays/gz?endpoint=" + server.endpoint();
        try (BigArray a = rt.createAndWrite(url, 64, Options.defaults().withCompression(org.bigarrays.codec.Compression.GZIP))) {
            rt.assertReads(a, a.bounds());
            assertEquals("gzip", server.contentEncodings.get("arrays/gz/" + a.info().scale(0).key() + "/0-64_0-64_0-64"));
            assertEquals("", server.contentEncodings.get("arrays/gz/info"));
        }
        String raw = "gs://arrays/plain?endpoint=" + server.endpoint();
        try (BigArray a = rt.createAndWrite(raw, 64, Options.defaults())) {
            assertEquals("", server.contentEncodings.get("arrays/plain/" + a.info().scale(0).key() + "/0-64_0-64_0-64"));
        }
    }

    @Test
    void unauthorizedIsAnErrorAndATokenFixesIt() {
        KeyValueStore s = KeyValueStores.open("gs://private/p?endpoint=" + server.endpoint());
        s.write("k", MemorySegment.ofArray(new byte[] {4, 2}));
        server.requiredToken = "secret-token";
        try {
            var e = assertThrows(StorageException.class, () -> s.read("k"));
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("GCS_OAUTH_TOKEN"), e.getMessage());
            assertThrows(StorageException.class, () -> s.read("absent")); // 401 is never "missing"
            System.setProperty("bigarrays.gcs.token", "secret-token");
            assertArrayEquals(new byte[] {4, 2}, s.read("k").toByteArray());
        } finally {
            server.requiredToken = null;
            System.clearProperty("bigarrays.gcs.token");
        }
    }

    @Test
    void readsAndWritesSurviveInjectedFaults() throws Exception {
        try (FaultProxy proxy = new FaultProxy(Integer.parseInt(server.endpoint().replaceAll(".*:", "")), 0.3,
                List.of(FaultProxy.Fault.DROP_BEFORE, FaultProxy.Fault.DROP_AFTER, FaultProxy.Fault.STATUS_500,
                        FaultProxy.Fault.STATUS_503, FaultProxy.Fault.STATUS_429, FaultProxy.Fault.TRUNCATE),
                Duration.ZERO, 12)) {
            ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {128, 128, 64}, 5);
            String url = "gs://faulty/layer?endpoint=" + proxy.endpoint() + "&attempts=10&backoffMs=5";
            try (BigArray a = rt.createAndWrite(url, 64, Options.defaults())) {
                for (Box b : rt.boxes()) rt.assertReads(a, b);
            }
            assertTrue(proxy.faultsInjected() > 0);
            // Everything landed: read directly from the server.
            try (BigArray direct = BigArray.open("gs://faulty/layer?endpoint=" + server.endpoint())) {
                rt.assertReads(direct, Box.of(new long[] {0, 0, 0}, rt.size.clone()));
            }
            assertEquals(4, KeyValueStores.open("gs://faulty/layer?endpoint=" + server.endpoint()).list("1_1_1/").size());
        }
    }
}
