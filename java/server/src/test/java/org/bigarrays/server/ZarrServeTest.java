package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.ValueLayout;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zarr layers served on 127.0.0.1: their keys as stored (zarr.json, gzip chunks without
 * Content-Encoding, a v2 array's dot-names), Neuroglancer's {@code zarr3://}/{@code zarr2://}
 * sources in the index, and cutouts equal to BigArray.read.
 */
class ZarrServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static LayerServer server;

    /** uint64 segmentation, 40×30×10, chunks 16×16×8, a value per voxel, in {@code format}, gzip. */
    static String layer(String name, String format, int mips) {
        String url = dir.resolve(name).toUri().toString();
        Info info = Info.builder(DataType.UINT64, new long[] {40, 30, 10}, new long[] {16, 16, 8}).type("segmentation").mips(mips).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat(format).withCompression(Compression.GZIP))) {
            for (int m = 0; m < mips; m++) {
                BigArray am = a.mip(m);
                NdView v = am.read(am.bounds());
                long[] s = v.shape();
                for (long z = 0; z < s[2]; z++) for (long y = 0; y < s[1]; y++) for (long x = 0; x < s[0]; x++) v.set(new long[] {x, y, z, 0}, x + 100 * y + 10000 * z + m);
                am.write(v);
            }
        }
        return url;
    }

    /** A Zarr v2 array by hand: uint8 (z, y, x) = (2, 3, 4), one raw chunk "0.0.0". */
    static String v2() throws Exception {
        Path d = Files.createDirectories(dir.resolve("v2"));
        Files.writeString(d.resolve(".zarray"), "{\"zarr_format\":2,\"shape\":[2,3,4],\"chunks\":[2,3,4],\"dtype\":\"|u1\",\"compressor\":null,"
                + "\"fill_value\":0,\"order\":\"C\",\"filters\":null}");
        byte[] b = new byte[24];
        for (int i = 0; i < 24; i++) b[i] = (byte) (i + 1);
        Files.write(d.resolve("0.0.0"), b);
        return d.toUri().toString();
    }

    @BeforeAll
    static void start() throws Exception {
        String z3 = layer("z3", "zarr3", 1);
        String ome = layer("ome", "ome-zarr", 2);
        String v2 = v2();
        server = LayerServer.builder().layer(LayerSpec.parse("z3=" + z3)).layer(LayerSpec.parse("ome=" + ome)).layer(LayerSpec.parse("v2=" + v2))
                .cacheBytes(8L << 20).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUrl().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theIndexNamesZarrSourcesAsNeuroglancerReadsThem() throws Exception {
        JsonNode index = JSON.readTree(get("/").body()).get("layers");
        assertEquals("zarr3://" + server.baseUrl() + "z3", index.at("/z3/source").asText());
        assertEquals("zarr3://" + server.baseUrl() + "ome", index.at("/ome/source").asText());
        assertEquals("zarr2://" + server.baseUrl() + "v2", index.at("/v2/source").asText());
        assertEquals("ome-zarr", index.at("/ome/format").asText());
        assertEquals(2, index.at("/ome/scales").asInt());
        assertEquals("zarr3://" + server.baseUrl() + "z3", server.neuroglancerSource("z3"));
    }

    @Test
    void everyKeyOfTheLayerIsServedAsStored() throws Exception {
        for (String key : new String[] {"z3/zarr.json", "z3/c/0/0/0", "z3/c/1/1/2", "ome/zarr.json", "v2/.zarray", "v2/0.0.0"}) {
            String layer = key.substring(0, key.indexOf('/'));
            Path file = dir.resolve(layer).resolve(key.substring(key.indexOf('/') + 1));
            HttpResponse<byte[]> r = get("/" + key);
            assertEquals(200, r.statusCode(), key + ": " + new String(r.body()));
            assertArrayEquals(Files.readAllBytes(file), r.body(), key);
            assertFalse(r.headers().firstValue("Content-Encoding").isPresent(), key + ": a Zarr chunk's gzip is its codec's, never transport");
        }
        JsonNode group = JSON.readTree(get("/ome/zarr.json").body());
        for (JsonNode ds : group.at("/attributes/ome/multiscales/0/datasets")) {
            String path = ds.get("path").asText();
            HttpResponse<byte[]> r = get("/ome/" + path + "/zarr.json");
            assertEquals(200, r.statusCode(), path);
            assertArrayEquals(Files.readAllBytes(dir.resolve("ome").resolve(path).resolve("zarr.json")), r.body());
            HttpResponse<byte[]> chunk = get("/ome/" + path + "/c/0/0/0");
            assertEquals(200, chunk.statusCode(), path);
            assertArrayEquals(Files.readAllBytes(dir.resolve("ome").resolve(path).resolve("c/0/0/0")), chunk.body());
        }
        assertEquals(404, get("/z3/c/9/9/9").statusCode());
    }

    @Test
    void cutoutsOfZarrLayersEqualBigArrayRead() throws Exception {
        for (String[] c : new String[][] {{"z3", "0", "3,4,1:37,29,9"}, {"ome", "0", "0,0,0:40,30,10"}, {"ome", "1", "1,1,0:20,15,10"}, {"v2", "0", "0,0,0:4,3,2"}}) {
            HttpResponse<byte[]> r = get("/" + c[0] + "/cutout?box=" + c[2] + "&mip=" + c[1] + "&format=raw");
            assertEquals(200, r.statusCode(), String.join(" ", c) + ": " + new String(r.body()));
            try (BigArray a = BigArray.open(server.layers().get(c[0]).uri().toString())) {
                NdView v = a.mip(Integer.parseInt(c[1])).read(Box.parse(c[2]));
                assertArrayEquals(v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE), r.body(), String.join(" ", c));
            }
        }
        byte[] v2 = get("/v2/cutout?box=0,0,0:4,3,2&format=raw").body();
        for (int i = 0; i < 24; i++) assertEquals(i + 1, v2[i], "v2 voxel " + i + ": C order (z, y, x) is x fastest");
        assertTrue(server.layers().get("ome").info().type().equals("segmentation"));
    }

    /** The library reads a served Zarr layer over plain http:// (read only, no listing), as it reads the files. */
    @Test
    void zarrLayersReadOverHttpAsFromTheirFiles() {
        for (String[] c : new String[][] {{"z3", "0", "3,4,1:37,29,9"}, {"ome", "1", "1,1,0:20,15,10"}, {"v2", "0", "0,0,0:4,3,2"}}) {
            String http = server.baseUrl().resolve(c[0] + "/").toString();
            try (BigArray remote = BigArray.open(http); BigArray local = BigArray.open(server.layers().get(c[0]).uri().toString())) {
                assertEquals(local.format(), remote.format(), http);
                NdView want = local.mip(Integer.parseInt(c[1])).read(Box.parse(c[2]));
                NdView got = remote.mip(Integer.parseInt(c[1])).read(Box.parse(c[2]));
                assertArrayEquals(want.segment().asSlice(want.byteOffset(), want.byteSize()).toArray(ValueLayout.JAVA_BYTE),
                        got.segment().asSlice(got.byteOffset(), got.byteSize()).toArray(ValueLayout.JAVA_BYTE), String.join(" ", c));
            }
        }
    }
}
