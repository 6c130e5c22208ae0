package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command on Zarr layers, end to end through {@link Main#run}: create (zarr3, OME-Zarr,
 * sharded, gzip/zstd), write, cutout (zarr3, OME-Zarr levels, a hand-made Zarr v2 array),
 * downsample into OME-Zarr levels (and its refusal on a lone zarr3 array), ingest, transcode in
 * every direction with every voxel compared, verify's findings, info, --help, and bad input.
 */
class ZarrCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIZE = "64,48,20";
    private static final String CHUNK = "16,16,8";
    private static final String ALL = "0,0,0:64,48,20";

    @TempDir
    Path tmp;

    /** A uint8 volume of {@link #SIZE}, x fastest, with texture (so compressors and the mean do something). */
    private Path rawInput() throws IOException {
        byte[] b = new byte[64 * 48 * 20];
        Random r = new Random(5);
        for (int i = 0; i < b.length; i++) b[i] = (byte) ((i % 64) * 3 + r.nextInt(8));
        return Files.write(tmp.resolve("in.raw"), b);
    }

    private static byte[] voxels(String layer, int mip) {
        try (BigArray a = BigArray.open(layer)) {
            BigArray m = a.mip(mip);
            return m.read(m.bounds()).segment().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private byte[] cutout(String layer, String box, String... more) throws IOException {
        Path out = tmp.resolve("cut-" + System.nanoTime() + ".raw");
        String[] args = Stream.concat(Stream.of("cutout", layer, "--box", box, "-o", out.toString()), Stream.of(more)).toArray(String[]::new);
        InProcess.run(args).ok();
        return Files.readAllBytes(out);
    }

    private static JsonNode json(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    private static String codecNames(JsonNode arrayJson) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : arrayJson.get("codecs")) {
            sb.append(c.get("name").asText()).append(' ');
            if (c.has("configuration") && c.get("configuration").has("codecs")) {
                for (JsonNode inner : c.get("configuration").get("codecs")) sb.append(inner.get("name").asText()).append(' ');
            }
        }
        return sb.toString();
    }

    @Test
    void createWriteAndCutOutZarr3AndOmeZarrEachCompressionShardedOrNot() throws IOException {
        Path in = rawInput();
        byte[] expected = Files.readAllBytes(in);
        for (String format : List.of("zarr3", "ome-zarr")) {
            for (String compress : List.of("none", "gzip", "zstd")) {
                for (boolean sharded : List.of(false, true)) {
                    Path layer = tmp.resolve(format + "-" + compress + "-" + sharded);
                    String[] create = {"create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", format,
                            "--compress", compress};
                    if (sharded) create = Stream.concat(Stream.of(create), Stream.of("--sharding", "1,1,1")).toArray(String[]::new);
                    InProcess.Run c = InProcess.run(create).ok();
                    assertTrue(c.out().contains("(" + format + ")"), c.out());
                    InProcess.run("write", layer.toString(), in.toString(), "--at", "0,0,0", "--shape", SIZE).ok();

                    JsonNode top = json(layer.resolve("zarr.json"));
                    JsonNode array = format.equals("zarr3") ? top : json(layer.resolve(top.at("/attributes/ome/multiscales/0/datasets/0/path").asText() + "/zarr.json"));
                    assertEquals("array", array.get("node_type").asText());
                    assertEquals("[\"z\",\"y\",\"x\"]", array.get("dimension_names").toString(), "arrays we write name their axes");
                    String codecs = codecNames(array);
                    assertEquals(sharded, codecs.contains("sharding_indexed"), codecs);
                    assertEquals(!compress.equals("none"), codecs.contains(compress), codecs);
                    if (format.equals("ome-zarr")) assertEquals("0.5", top.at("/attributes/ome/version").asText(), top.toString());

                    String where = layer + " " + format + " " + compress + " sharded=" + sharded;
                    assertArrayEquals(expected, cutout(layer.toString(), ALL), where);
                    // A box across chunk (and shard) edges, read back as the library reads it.
                    assertArrayEquals(subBox(expected, 5, 7, 3, 50, 41, 17), cutout(layer.toString(), "5,7,3:50,41,17"), where);
                }
            }
        }
    }

    /** Voxels [x0,x1) x [y0,y1) x [z0,z1) of a {@link #SIZE} uint8 volume, x fastest. */
    private static byte[] subBox(byte[] all, int x0, int y0, int z0, int x1, int y1, int z1) {
        byte[] out = new byte[(x1 - x0) * (y1 - y0) * (z1 - z0)];
        int i = 0;
        for (int z = z0; z < z1; z++) {
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) out[i++] = all[x + 64 * (y + 48 * z)];
            }
        }
        return out;
    }

    @Test
    void downsampleWritesOmeZarrLevelsEqualToAPrecomputedPyramidAndRefusesALoneArray() throws IOException {
        Path in = rawInput();
        Path ome = tmp.resolve("ome"), pre = tmp.resolve("pre"), arr = tmp.resolve("arr");
        InProcess.run("create", ome.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--resolution", "4,4,40", "--format", "ome-zarr",
                "--compress", "gzip").ok();
        InProcess.run("create", pre.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--resolution", "4,4,40").ok();
        for (Path p : List.of(ome, pre)) InProcess.run("write", p.toString(), in.toString(), "--at", "0,0,0", "--shape", SIZE).ok();
        for (Path p : List.of(ome, pre)) InProcess.run("downsample", p.toString(), "--mips", "2").ok();

        JsonNode group = json(ome.resolve("zarr.json"));
        JsonNode datasets = group.at("/attributes/ome/multiscales/0/datasets");
        assertEquals(3, datasets.size(), group.toString());
        for (int m = 0; m < 3; m++) {
            String path = datasets.get(m).get("path").asText();
            assertTrue(Files.isRegularFile(ome.resolve(path).resolve("zarr.json")), "level " + m + " listed with its array");
            assertTrue(codecNames(json(ome.resolve(path).resolve("zarr.json"))).contains("gzip"), "level " + m + " compressed as level 0");
            try (Stream<Path> chunks = Files.walk(ome.resolve(path))) {
                assertTrue(chunks.anyMatch(f -> Files.isRegularFile(f) && !f.getFileName().toString().equals("zarr.json")), "level " + m + " has its chunks");
            }
            // scale transforms: x and y double per mip (z stays while z's resolution is over twice x/y's)
            JsonNode scale = datasets.get(m).at("/coordinateTransformations/0/scale");
            assertEquals(4.0 * (1 << m), scale.get(scale.size() - 1).asDouble(), scale.toString());
        }
        assertTrue(InProcess.run("info", ome.toString()).ok().out().contains("ome-zarr"));
        for (int m = 0; m < 3; m++) {
            byte[] want = voxels(pre.toString(), m);
            assertArrayEquals(want, voxels(ome.toString(), m), "mip " + m);
            try (BigArray a = BigArray.open(ome.toString())) {
                assertArrayEquals(want, cutout(ome.toString(), cutBox(a.mip(m)), "--mip", Integer.toString(m)), "cutout --mip " + m);
            }
        }
        assertEquals(0, Stream.of(ome.toFile().list()).filter(n -> n.contains(".tmp")).count(), "no temp files left");

        // A sharded image's new levels are sharded too, with the same voxels.
        Path sharded = tmp.resolve("ome-sharded");
        InProcess.run("create", sharded.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--resolution", "4,4,40", "--format", "ome-zarr",
                "--sharding", "1,1,1", "--compress", "zstd").ok();
        InProcess.run("write", sharded.toString(), in.toString(), "--at", "0,0,0", "--shape", SIZE).ok();
        InProcess.run("downsample", sharded.toString(), "--mips", "2").ok();
        JsonNode shardedSets = json(sharded.resolve("zarr.json")).at("/attributes/ome/multiscales/0/datasets");
        assertEquals(3, shardedSets.size());
        for (int m = 0; m < 3; m++) {
            String codecs = codecNames(json(sharded.resolve(shardedSets.get(m).get("path").asText()).resolve("zarr.json")));
            assertTrue(codecs.startsWith("sharding_indexed") && codecs.contains("zstd"), "level " + m + ": " + codecs);
            assertArrayEquals(voxels(pre.toString(), m), voxels(sharded.toString(), m), "sharded mip " + m);
        }
        InProcess.run("verify", sharded.toString()).ok();

        InProcess.run("create", arr.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3").ok();
        InProcess.run("downsample", arr.toString(), "--mips", "1").failsWith(2, "ome-zarr");
        assertFalse(Files.exists(arr.resolve("1")), "nothing written for the refused pyramid");
    }

    private static String cutBox(BigArray a) {
        long[] lo = a.bounds().min(), hi = a.bounds().max();
        return lo[0] + "," + lo[1] + "," + lo[2] + ":" + hi[0] + "," + hi[1] + "," + hi[2];
    }

    /**
     * A Zarr v2 array made by hand as python-zarr lays it out: {@code .zarray}, uint16
     * little-endian, C order, no compressor, chunk files "z.y.x" (edge chunks full size).
     * Shape (z, y, x) = (9, 24, 40), chunks (5, 12, 20); voxel (x, y, z) holds x + 100 y + 7 z.
     */
    private Path zarr2() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("v2"));
        Files.writeString(dir.resolve(".zarray"), """
                {"zarr_format": 2, "shape": [9, 24, 40], "chunks": [5, 12, 20], "dtype": "<u2", "compressor": null,
                 "fill_value": 0, "order": "C", "filters": null}""");
        for (int cz = 0; cz < 2; cz++) {
            for (int cy = 0; cy < 2; cy++) {
                for (int cx = 0; cx < 2; cx++) {
                    ByteBuffer b = ByteBuffer.allocate(5 * 12 * 20 * 2).order(ByteOrder.LITTLE_ENDIAN);
                    for (int z = 0; z < 5; z++) {
                        for (int y = 0; y < 12; y++) {
                            for (int x = 0; x < 20; x++) b.putShort((short) v2Value(cx * 20 + x, cy * 12 + y, cz * 5 + z));
                        }
                    }
                    Files.write(dir.resolve(cz + "." + cy + "." + cx), b.array());
                }
            }
        }
        return dir;
    }

    private static int v2Value(int x, int y, int z) {
        return z >= 9 ? 0xdead : x + 100 * y + 7 * z; // past the array's edge: padding nobody may read
    }

    private static byte[] v2Expected() {
        ByteBuffer b = ByteBuffer.allocate(40 * 24 * 9 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int z = 0; z < 9; z++) {
            for (int y = 0; y < 24; y++) {
                for (int x = 0; x < 40; x++) b.putShort((short) v2Value(x, y, z));
            }
        }
        return b.array();
    }

    @Test
    void zarr2IsCutOutTranscodedToZarr3AndRefusesWrites() throws IOException {
        Path v2 = zarr2();
        byte[] expected = v2Expected();
        assertTrue(InProcess.run("info", v2.toString()).ok().out().contains("zarr2"));
        assertArrayEquals(expected, cutout(v2.toString(), "0,0,0:40,24,9"));
        assertArrayEquals(expected, cutout("zarr2://" + v2.toUri(), "0,0,0:40,24,9"), "Neuroglancer's zarr2:// prefix");

        Path v3 = tmp.resolve("from-v2");
        InProcess.run("transcode", v2.toString(), v3.toString(), "--format", "zarr3").ok();
        assertEquals(3, json(v3.resolve("zarr.json")).get("zarr_format").asInt());
        assertArrayEquals(expected, voxels(v3.toString(), 0));

        Path in = Files.write(tmp.resolve("two.raw"), new byte[2 * 2 * 2 * 2]);
        byte[] chunkBefore = Files.readAllBytes(v2.resolve("0.0.0"));
        InProcess.run("write", v2.toString(), in.toString(), "--at", "0,0,0", "--shape", "2,2,2").failsWith(2, "Zarr v2", "read only");
        Path chunk = Files.write(tmp.resolve("chunk.raw"), new byte[20 * 12 * 5 * 2]);
        InProcess.run("write", v2.toString(), chunk.toString(), "--at", "0,0,0", "--shape", "20,12,5").failsWith(2, "read only");
        try (BigArray a = BigArray.open(v2.toString())) { // the library refuses too, whatever the box
            var v = a.read(org.bigarrays.core.Box.parse("0,0,0:20,12,5"));
            org.junit.jupiter.api.Assertions.assertThrows(org.bigarrays.InvalidInputException.class, () -> a.write(v));
        }
        assertArrayEquals(chunkBefore, Files.readAllBytes(v2.resolve("0.0.0")));
    }

    @Test
    void transcodeBetweenPrecomputedZarr3AndOmeZarrKeepsEveryVoxel() throws IOException {
        Path in = rawInput();
        byte[] expected = Files.readAllBytes(in);
        Path pre = tmp.resolve("pre");
        InProcess.run("ingest", in.toString(), pre.toString(), "--dtype", "uint8", "--shape", SIZE, "--chunk", CHUNK, "--compress", "gzip").ok();

        Path z3 = tmp.resolve("z3");
        InProcess.run("transcode", pre.toString(), z3.toString(), "--format", "zarr3", "--compress", "zstd").ok();
        assertTrue(codecNames(json(z3.resolve("zarr.json"))).contains("zstd"));
        assertArrayEquals(expected, voxels(z3.toString(), 0));

        Path back = tmp.resolve("back");
        InProcess.run("transcode", z3.toString(), back.toString(), "--format", "precomputed").ok();
        assertTrue(Files.isRegularFile(back.resolve("info")));
        assertFalse(Files.exists(back.resolve("zarr.json")));
        assertArrayEquals(expected, voxels(back.toString(), 0));

        // A sharded precomputed pyramid becomes OME-Zarr levels with sharding_indexed.
        Path sharded = tmp.resolve("sharded");
        InProcess.run("create", sharded.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--sharding", "1,1,1").ok();
        InProcess.run("write", sharded.toString(), in.toString(), "--at", "0,0,0", "--shape", SIZE).ok();
        InProcess.run("downsample", sharded.toString(), "--mips", "1").ok();
        try (BigArray s = BigArray.open(sharded.toString())) {
            assertTrue(s.info().scale(0).isSharded() && s.info().scale(1).isSharded());
        }
        Path ome = tmp.resolve("ome");
        InProcess.run("transcode", sharded.toString(), ome.toString(), "--format", "ome-zarr").ok();
        JsonNode datasets = json(ome.resolve("zarr.json")).at("/attributes/ome/multiscales/0/datasets");
        assertEquals(2, datasets.size());
        for (int m = 0; m < 2; m++) {
            String codecs = codecNames(json(ome.resolve(datasets.get(m).get("path").asText()).resolve("zarr.json")));
            assertTrue(codecs.startsWith("sharding_indexed"), "mip " + m + ": " + codecs);
            assertArrayEquals(voxels(sharded.toString(), m), voxels(ome.toString(), m), "mip " + m);
        }
        assertArrayEquals(expected, voxels(ome.toString(), 0));
    }

    @Test
    void ingestWritesOmeZarr() throws IOException {
        Path in = rawInput();
        Path ome = tmp.resolve("ingested");
        InProcess.run("ingest", in.toString(), ome.toString(), "--dtype", "uint8", "--shape", SIZE, "--chunk", CHUNK, "--format", "ome-zarr",
                "--compress", "gzip", "--downsample").ok();
        assertEquals("0.5", json(ome.resolve("zarr.json")).at("/attributes/ome/version").asText());
        assertTrue(json(ome.resolve("zarr.json")).at("/attributes/ome/multiscales/0/datasets").size() > 1, "--downsample added levels");
        try (BigArray a = BigArray.open(ome.toString())) {
            assertEquals("ome-zarr", a.format());
        }
        assertArrayEquals(Files.readAllBytes(in), voxels(ome.toString(), 0));
    }

    @Test
    void verifyReportsAMissingAndACorruptZarrChunk() throws IOException {
        Path in = rawInput();
        Path layer = tmp.resolve("v");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3", "--compress", "gzip").ok();
        InProcess.run("write", layer.toString(), in.toString(), "--at", "0,0,0", "--shape", SIZE).ok();
        InProcess.Run clean = InProcess.run("verify", layer.toString()).ok();
        assertTrue(clean.out().contains("36 stored, 0 missing, 0 corrupt of 36 chunks"), clean.out());
        assertTrue(clean.out().contains("clean: 0 corrupt, 0 unfinished job(s), 0 stray file(s)"), clean.out());

        // Stored (z, y, x) chunk keys: c/<z>/<y>/<x>.
        Files.delete(layer.resolve("c/1/1/1"));
        Files.write(layer.resolve("c/0/0/2"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        InProcess.Run bad = InProcess.run("verify", layer.toString());
        assertEquals(1, bad.code(), bad.out() + bad.stderr());
        assertTrue(bad.out().contains("35 stored, 1 missing, 1 corrupt of 36 chunks"), bad.out());
        assertTrue(bad.out().contains("corrupt c/0/0/2: gzip"), bad.out());
        assertTrue(bad.out().contains("missing c/1/1/1"), bad.out());
        assertTrue(bad.out().contains(" 0 stray file(s)"), "chunk keys of a Zarr array are no strays: " + bad.out());
        InProcess.Run json = InProcess.run("verify", layer.toString(), "--json");
        JsonNode n = JSON.readTree(json.out());
        assertFalse(n.get("clean").asBoolean());
        assertEquals("c/0/0/2", n.get("scales").get(0).get("corrupt").get(0).get("key").asText());
    }

    @Test
    void infoPrintsTheFormatAndCodecs() throws IOException {
        Path layer = tmp.resolve("i");
        InProcess.run("create", layer.toString(), "--dtype", "uint16", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3", "--compress", "zstd",
                "--channels", "2", "--sharding", "1,1,1").ok();
        String out = InProcess.run("info", layer.toString()).ok().out();
        assertTrue(out.contains("zarr3"), out);
        assertTrue(out.contains("sharding_indexed"), out);
        assertTrue(out.contains("zstd"), out);
        JsonNode a = json(layer.resolve("zarr.json"));
        assertEquals("[\"c\",\"z\",\"y\",\"x\"]", a.get("dimension_names").toString(), "channels first, whole in each chunk");
        assertEquals(2, a.get("chunk_grid").at("/configuration/chunk_shape/0").asInt());
    }

    @Test
    void viewShowsZarrLayersThroughNeuroglancersZarrSources() throws IOException {
        Path seg = tmp.resolve("seg"), img = tmp.resolve("img");
        InProcess.run("create", seg.toString(), "--dtype", "uint64", "--size", SIZE, "--chunk", CHUNK, "--format", "ome-zarr", "--type", "segmentation").ok();
        InProcess.run("create", img.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3").ok();
        try (org.bigarrays.server.LayerServer s = org.bigarrays.server.LayerServer.builder().layer(org.bigarrays.server.LayerSpec.parse("img=" + img))
                .layer(org.bigarrays.server.LayerSpec.parse("seg=" + seg)).start()) {
            String url = ViewCommand.viewerUrl(s, "xy").toString();
            JsonNode state = JSON.readTree(java.net.URLDecoder.decode(url.substring(url.indexOf("#!") + 2), java.nio.charset.StandardCharsets.UTF_8));
            JsonNode layers = state.get("layers");
            assertEquals("zarr3://" + s.baseUrl() + "img", layers.get(0).get("source").asText());
            assertEquals("image", layers.get(0).get("type").asText());
            assertEquals("zarr3://" + s.baseUrl() + "seg", layers.get(1).get("source").asText());
            assertEquals("segmentation", layers.get(1).get("type").asText(), "the type given at creation, kept in the group's attributes");
        }
    }

    @Test
    void everyCommandsHelpStillWorks() {
        for (String c : List.of("info", "create", "cutout", "write", "demo", "transcode", "downsample", "verify", "serve", "view", "ingest", "version")) {
            InProcess.Run r = InProcess.run(c, "--help").ok();
            assertTrue(r.out().contains("Usage:"), c + ": " + r.out());
        }
        for (String c : List.of("create", "transcode", "ingest")) assertTrue(InProcess.run(c, "--help").out().contains("--format"), c);
    }

    @Test
    void badInputExitsTwoNamingTheProblem() throws IOException {
        Path layer = tmp.resolve("bad");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "foo").failsWith(2, "foo", "zarr3");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3", "--compress", "lz4")
                .failsWith(2, "lz4");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr2").failsWith(2, "read only");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", CHUNK, "--format", "zarr3", "--mips", "1")
                .failsWith(2, "ome-zarr");
        assertFalse(Files.exists(layer.resolve("zarr.json")), "nothing created by refused commands");
        Path in = rawInput();
        InProcess.run("transcode", in.toString(), tmp.resolve("t").toString(), "--format", "foo").failsWith(2);
    }
}
