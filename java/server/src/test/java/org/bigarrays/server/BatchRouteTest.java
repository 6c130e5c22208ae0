package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /<layer>/cutouts} over HTTP: the .npz holds each box as a single cutout would, errors are named, metrics count it. */
class BatchRouteTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static String url;

    /** uint16, 130×100×40 (edge chunks partial), raw chunks 32³, a pattern with a hole (chunks never written). */
    @BeforeAll
    static void layer() {
        url = dir.resolve("seg").toUri().toString();
        Info info = Info.builder(DataType.UINT16, new long[] {130, 100, 40}, new long[] {32, 32, 32}).encoding("raw").build();
        try (BigArray a = BigArray.create(url, info, Options.defaults())) {
            Box written = Box.of(new long[] {0, 0, 0}, new long[] {130, 64, 40});
            NdView v = a.read(written);
            for (long z = 0; z < 40; z++) for (long y = 0; y < 64; y++) for (long x = 0; x < 130; x++) v.set(new long[] {x, y, z, 0}, (x * 7 + y * 3 + z * 11) & 0xffff);
            a.write(v);
        }
    }

    static HttpResponse<byte[]> post(URI base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String error(HttpResponse<byte[]> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body()).path("error").asText();
    }

    @Test
    void theNpzHoldsEachBoxAsASingleCutoutInRequestOrder() throws Exception {
        List<String> boxes = List.of("0,0,0:32,32,32", "100,50,10:130,100,40", "-3,-3,0:5,5,2", "0,0,0:32,32,32", "31,31,31:33,33,33");
        String body = "{\"mip\": 0, \"boxes\": [\"" + String.join("\", \"", boxes) + "\"]}";
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse("seg=" + url)).cacheBytes(0).start(); BigArray a = BigArray.open(url)) {
            HttpResponse<byte[]> r = post(s.baseUrl(), "/seg/cutouts", body);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals(BatchCutouts.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            Path npz = Files.write(dir.resolve("got.npz"), r.body());
            try (ZipFile z = new ZipFile(npz.toFile())) {
                for (int i = 0; i < boxes.size(); i++) {
                    Box b = Box.parse(boxes.get(i));
                    byte[] got;
                    try (InputStream in = z.getInputStream(z.getEntry("arr_" + i + ".npy"))) {
                        got = in.readAllBytes();
                    }
                    byte[] header = NpyHeader.of(DataType.UINT16, new long[] {b.size(0), b.size(1), b.size(2), 1});
                    NdView single = a.read(b);
                    byte[] voxels = single.segment().asSlice(single.byteOffset(), single.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(header, Arrays.copyOf(got, header.length), "header of arr_" + i);
                    assertArrayEquals(voxels, Arrays.copyOfRange(got, header.length, got.length), "voxels of arr_" + i + " " + b);
                }
                assertEquals(boxes.size(), z.size());
            }
            String metrics = new String(HTTP.send(HttpRequest.newBuilder(s.baseUrl().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofByteArray()).body(),
                    StandardCharsets.UTF_8);
            assertTrue(metrics.lines().anyMatch(l -> l.contains("route=\"cutouts\"") && l.contains("status=\"200\"") && l.endsWith(" 1.0")),
                    "one batch request counted under route cutouts: " + metrics);
        }
    }

    @Test
    void badBatchRequestsAreNamed() throws Exception {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse("seg=" + url)).cacheBytes(0).maxCutoutBytes(1 << 20).start()) {
            assertTrue(error(post(s.baseUrl(), "/seg/cutouts", "{\"boxes\": [\"0,0:3,4\"]}"), 400).contains("boxes[0]"));
            assertTrue(error(post(s.baseUrl(), "/seg/cutouts", "not json"), 400).contains("JSON"));
            // 20 boxes of 64 KiB: each within the 1 MiB cutout limit, together over it.
            String many = "{\"boxes\": [" + String.join(",", java.util.Collections.nCopies(20, "\"0,0,0:32,32,32\"")) + "]}";
            assertEquals(400, post(s.baseUrl(), "/seg/cutouts", many).statusCode());
            assertTrue(error(post(s.baseUrl(), "/nope/cutouts", "{\"boxes\": []}"), 404).contains("nope"));
            assertTrue(error(post(s.baseUrl(), "/seg/info", "{}"), 405).contains("/<layer>/cutouts"));
        }
    }
}
