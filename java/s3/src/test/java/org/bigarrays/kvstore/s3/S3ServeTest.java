package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.lang.foreign.ValueLayout;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.server.LayerServer;
import org.bigarrays.server.LayerSpec;
import org.junit.jupiter.api.Test;

/** A gzip layer in a private (signed-request) bucket, read over plain HTTP through the server. */
class S3ServeTest {
    @Test
    void aPrivateS3LayerIsServedAsPrecomputed() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.get();
        s3.createBucket("served");
        String url = "s3://served/em?endpoint=" + s3.endpoint();
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {100, 90, 70}, 11);
        HttpClient http = HttpClient.newHttpClient();
        try (BigArray a = rt.createAndWrite(url, 64, Options.defaults().withCompression(Compression.GZIP));
             LayerServer server = LayerServer.builder().layer(LayerSpec.parse(url)).start()) {
            HttpResponse<byte[]> info = http.send(HttpRequest.newBuilder(server.layerUrl("em").resolve("info")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, info.statusCode());
            String key = a.info().scale(0).key() + "/0-64_0-64_0-64";
            HttpResponse<byte[]> chunk = http.send(HttpRequest.newBuilder(server.layerUrl("em").resolve(key)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, chunk.statusCode());
            assertEquals("gzip", chunk.headers().firstValue("Content-Encoding").orElse(null));
            byte[] inflated;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(chunk.body()))) {
                inflated = in.readAllBytes();
            }
            NdView v = a.read(Box.parse("0,0,0:64,64,64"));
            assertArrayEquals(v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE), inflated);
            Box box = Box.parse("10,20,30:90,80,66");
            HttpResponse<byte[]> cut = http.send(HttpRequest.newBuilder(server.layerUrl("em").resolve("cutout?box=" + box + "&format=raw")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, cut.statusCode(), new String(cut.body()));
            NdView want = a.read(box);
            assertArrayEquals(want.segment().asSlice(want.byteOffset(), want.byteSize()).toArray(ValueLayout.JAVA_BYTE), cut.body());
            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(server.layerUrl("em").resolve("info")).header("Range", "bytes=0-4").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOf(info.body(), 5), range.body());
        }
    }
}
