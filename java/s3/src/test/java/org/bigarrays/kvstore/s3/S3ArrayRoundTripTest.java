package org.bigarrays.kvstore.s3;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BigArray create/write/read on s3:// against the real local server, next to the same on file and memory. */
class S3ArrayRoundTripTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("arrays");
    }

    private void roundTrip(String url, Options options) {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {200, 190, 70}, 42);
        try (BigArray written = rt.createAndWrite(url, 64, options)) {
            for (Box b : rt.boxes()) rt.assertReads(written, b);
        }
        try (BigArray reopened = BigArray.open(url, options)) {
            for (Box b : rt.boxes()) rt.assertReads(reopened, b);
            assertEquals(rt.info(64).toJson(), reopened.info().toJson());
        }
    }

    @Test
    void s3RoundTripsExactly() {
        roundTrip("s3://arrays/raw-layer?endpoint=" + server.endpoint(), Options.defaults());
    }

    @Test
    void s3RoundTripsWithGzipChunks() {
        roundTrip("s3://arrays/gz-layer?endpoint=" + server.endpoint(), Options.defaults().withCompression(Compression.GZIP));
    }

    @Test
    void gzipChunksAreStoredUnderThePlainKeyWithContentEncoding() {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {64, 64, 64}, 5);
        var client = server.client(java.net.URI.create(server.endpoint()));
        String url = "s3://arrays/ce-gz?endpoint=" + server.endpoint();
        try (BigArray a = rt.createAndWrite(url, 64, Options.defaults().withCompression(Compression.GZIP))) {
            String key = "ce-gz/" + a.info().scale(0).key() + "/0-64_0-64_0-64";
            assertEquals("gzip", client.headObject(b -> b.bucket("arrays").key(key)).contentEncoding());
            assertEquals(java.util.List.of(a.info().scale(0).key() + "/0-64_0-64_0-64"), KeyValueStores.open(url).list(a.info().scale(0).key() + "/"));
            rt.assertReads(a, a.bounds());
        }
        String raw = "s3://arrays/ce-raw?endpoint=" + server.endpoint();
        try (BigArray a = rt.createAndWrite(raw, 64, Options.defaults())) {
            assertEquals(null, client.headObject(b -> b.bucket("arrays").key("ce-raw/" + a.info().scale(0).key() + "/0-64_0-64_0-64")).contentEncoding());
        }
    }

    @Test
    void scaleStoresInheritTheEndpointFromTheLayerUrl() {
        String url = "s3://arrays/inherit?endpoint=" + server.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {64, 64, 64}, 1);
        try (BigArray a = rt.createAndWrite(url, 64, Options.defaults())) {
            KeyValueStore scale = ArrayInternals.chunks(a).store();
            assertInstanceOf(S3Store.class, scale);
            assertTrue(scale.uri().contains("endpoint=" + server.endpoint()), scale.uri());
            assertEquals(java.util.List.of("1_1_1/0-64_0-64_0-64"), KeyValueStores.open(url).list("1_1_1/"));
        }
    }

    @Test
    void missingChunksReadAsFillValue() {
        String url = "s3://arrays/sparse?endpoint=" + server.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {128, 64, 64}, 2);
        try (BigArray a = BigArray.create(url, rt.info(64), Options.defaults().withFillValue(7))) {
            byte[] got = a.read(Box.of(new long[] {0, 0, 0}, new long[] {128, 64, 64})).toByteArray();
            byte[] sevens = new byte[got.length];
            java.util.Arrays.fill(sevens, (byte) 7);
            assertArrayEquals(sevens, got);
        }
    }

    @Test
    void creatingOverAnExistingLayerIsRefused() {
        String url = "s3://arrays/twice?endpoint=" + server.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {64, 64, 64}, 3);
        BigArray.create(url, rt.info(64)).close();
        assertThrows(InvalidInputException.class, () -> BigArray.create(url, rt.info(64)));
    }

    @Test
    void fileAndMemoryStoresPassTheSameRoundTrip(@TempDir Path dir) {
        roundTrip(dir.resolve("layer").toUri().toString(), Options.defaults());
        roundTrip("mem://s3-roundtrip-peer/layer", Options.defaults());
    }

    /**
     * s3:// with and without a trailing slash and after Neuroglancer's precomputed:// open the same
     * layer, and a pyramid built on it (which reopens the layer from its URI) lands in it.
     */
    @Test
    void everyS3FormOpensTheSameLayerAndPyramidsReopenIt() {
        String q = "?endpoint=" + server.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {100, 90, 40}, 7);
        rt.createAndWrite("precomputed://s3://arrays/forms" + q, 32, Options.defaults()).close();
        for (String form : java.util.List.of("s3://arrays/forms" + q, "s3://arrays/forms/" + q, "precomputed://s3://arrays/forms" + q,
                "precomputed://s3://arrays/forms/" + q)) {
            try (BigArray a = BigArray.open(form, Options.defaults())) {
                assertEquals("s3://arrays/forms/" + q, a.uri().toString(), form);
                for (Box b : rt.boxes()) rt.assertReads(a, b);
            }
        }
        try (BigArray a = BigArray.open("precomputed://s3://arrays/forms" + q, Options.defaults())) {
            org.bigarrays.array.Pyramid.build(a, org.bigarrays.array.PyramidSpec.defaults().withMips(2));
        }
        try (BigArray a = BigArray.open("s3://arrays/forms" + q, Options.defaults())) {
            assertEquals(3, a.info().scales().size());
            String key = a.info().scale(2).key() + "/";
            assertTrue(!KeyValueStores.open("precomputed://s3://arrays/forms/" + q).list(key).isEmpty(), "mip 2's chunks are stored in the same layer");
        }
    }

    /** Zarr v3 (plain and sharding_indexed) and OME-Zarr on s3://: the same chunk layer, through the S3 store. */
    @Test
    void zarrLayersRoundTripOnS3() {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {200, 190, 70}, 43);
        org.bigarrays.sharding.ShardingSpec shards = org.bigarrays.sharding.ShardingPlanner.forImage(rt.size, new long[] {32, 32, 32}, 1, 8L * 32 * 32 * 32, 8192, 48);
        var cases = java.util.List.of(
                java.util.Map.entry("zarr3", rt.info(64)),
                java.util.Map.entry("ome-zarr", rt.info(64)),
                java.util.Map.entry("zarr3", org.bigarrays.precomputed.Info.builder(org.bigarrays.core.DataType.UINT8, rt.size, new long[] {32, 32, 32}).sharding(shards).build()));
        int n = 0;
        for (var c : cases) {
            String url = "s3://arrays/zarr-" + (n++) + "?endpoint=" + server.endpoint();
            Options o = Options.defaults().withFormat(c.getKey()).withCompression(n == 2 ? Compression.ZSTD : Compression.GZIP);
            try (BigArray a = BigArray.create(url, c.getValue(), o)) {
                a.write(org.bigarrays.core.NdView.wrap(java.lang.foreign.MemorySegment.ofArray(rt.reference.clone()), org.bigarrays.core.DataType.UINT8,
                        new long[3], rt.size));
            }
            try (BigArray reopened = BigArray.open(url)) {
                assertEquals(c.getKey(), reopened.format(), url);
                for (Box b : rt.boxes()) rt.assertReads(reopened, b);
            }
            assertTrue(KeyValueStores.open(url).exists("zarr.json"), url + ": zarr.json stored");
        }
    }
}
