package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bigarrays verify} and {@code --store-fill-chunks} through the real main class, in a subprocess. */
class VerifyCommandTest {
    @TempDir
    Path tmp;

    /** A 64x64x32 uint8 gzip layer of 16³ chunks with data in the chunks of z 0..16 only (16 of 32 stored). */
    private Path layer(String name) {
        Path dir = tmp.resolve(name);
        Info info = Info.builder(DataType.UINT8, new long[] {64, 64, 32}, new long[] {16, 16, 16}).build();
        try (BigArray a = BigArray.create(dir.toString(), info, Options.defaults().withCompression(Compression.GZIP))) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {64, 64, 32, 1});
            for (long z = 0; z < 16; z++) for (long y = 0; y < 64; y++) for (long x = 0; x < 64; x++) v.set(new long[] {x, y, z, 0}, 1 + (x + y + z) % 250);
            a.write(v);
        }
        return dir;
    }

    @Test
    void cleanLayerExitsZeroAndDamageExitsOneNamingEachProblem() throws Exception {
        Path dir = layer("l");
        CliTest.Run ok = CliTest.cli("verify", dir.toString());
        assertEquals(0, ok.code(), ok.stderr());
        assertTrue(ok.out().contains("16 stored, 16 missing, 0 corrupt of 32 chunks"), ok.out());
        assertTrue(ok.out().contains("clean: 0 corrupt"), ok.out());
        assertEquals("", ok.stderr(), "no progress bar when piped");

        Path victim = dir.resolve("1_1_1/16-32_16-32_0-16.gz"); // gzip chunks on local disk are <key>.gz
        byte[] b = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(b, b.length - 7));
        Files.write(dir.resolve("1_1_1/.16-32_16-32_0-16.tmp-00000000000000ff"), b);
        Files.createDirectories(dir.resolve(".bigarrays-job"));
        Files.writeString(dir.resolve(".bigarrays-job/record.json"), "{\"command\": \"bigarrays downsample L\"}");
        CliTest.Run bad = CliTest.cli("verify", dir.toString());
        assertEquals(1, bad.code(), bad.stderr());
        assertTrue(bad.out().contains("corrupt 1_1_1/16-32_16-32_0-16: "), bad.out());
        assertTrue(bad.out().contains("stray file: 1_1_1/.16-32_16-32_0-16.tmp-00000000000000ff"), bad.out());
        assertTrue(bad.out().contains("unfinished job: bigarrays downsample L"), bad.out());
        assertTrue(bad.out().contains("missing 1_1_1/0-16_0-16_16-32"), bad.out());

        CliTest.Run json = CliTest.cli("verify", dir.toString(), "--json");
        assertEquals(1, json.code());
        JsonNode n = new ObjectMapper().readTree(json.stdout());
        assertEquals(false, n.get("clean").asBoolean());
        assertEquals("1_1_1/16-32_16-32_0-16", n.get("scales").get(0).get("corrupt").get(0).get("key").asText());
        assertEquals(16, n.get("scales").get(0).get("missing").asLong());

        // A box away from the damaged chunk is clean.
        CliTest.Run boxed = CliTest.cli("verify", dir.toString(), "--box", "0,0,0:16,16,16");
        assertEquals(0, boxed.code(), boxed.out());
    }

    @Test
    void badUsageExitsTwo() throws Exception {
        Path dir = layer("u");
        assertEquals(2, CliTest.cli("verify", dir.toString(), "--mip", "5").code());
        assertEquals(2, CliTest.cli("verify", dir.toString(), "--box", "1,2:3,4").code());
        assertEquals(2, CliTest.cli("verify").code());
    }

    private static long files(Path scale) throws Exception {
        try (Stream<Path> l = Files.list(scale)) {
            return l.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }

    @Test
    void transcodeLeavesFillChunksOutUnlessAsked() throws Exception {
        Path src = tmp.resolve("zeros");
        Info info = Info.builder(DataType.UINT8, new long[] {64, 64, 32}, new long[] {16, 16, 16}).build();
        try (BigArray a = BigArray.create(src.toString(), info, Options.defaults().withStoreFillChunks(true))) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {64, 64, 32, 1});
            v.set(new long[] {1, 1, 1, 0}, 5);
            a.write(v);
        }
        assertEquals(32, files(src.resolve("1_1_1")), "the source stores its zero chunks");
        CliTest.Run sparse = CliTest.cli("transcode", src.toString(), tmp.resolve("sparse").toString());
        assertEquals(0, sparse.code(), sparse.stderr());
        assertEquals(1, files(tmp.resolve("sparse/1_1_1")));
        CliTest.Run dense = CliTest.cli("transcode", src.toString(), tmp.resolve("dense").toString(), "--store-fill-chunks");
        assertEquals(0, dense.code(), dense.stderr());
        assertEquals(32, files(tmp.resolve("dense/1_1_1")));
        try (BigArray a = BigArray.open(tmp.resolve("sparse").toString())) {
            assertEquals(5, a.read(Box.of(new long[] {1, 1, 1}, new long[] {2, 2, 2})).segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }
}
