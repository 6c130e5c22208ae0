package org.bigarrays.zarr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interop tooling itself, before any Zarr driver of ours exists: what python3-zarr and zarrita
 * write agrees with their manifests (metadata, which chunk files exist, every voxel through the
 * checksum of {@link PeerArrayFormula}), the peer readers read it back to the same checksums, and
 * zarrita's reader refuses a bad crc32c. A driver test then reads the same folders and compares
 * against {@link PeerArrayFormula#expectedBytes()}.
 */
class ZarrPeersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static ZarrPeers peers;
    private static Path v2;
    private static Path v3;
    private static JsonNode v2Manifest;
    private static JsonNode v3Manifest;

    @BeforeAll
    static void write() {
        peers = ZarrPeers.get();
        v2 = tmp.resolve("v2");
        v3 = tmp.resolve("v3");
        v2Manifest = peers.writeV2(v2);
        v3Manifest = peers.writeV3(v3);
    }

    @Test
    void pythonZarrV2ArraysAreAsTheManifestSaysAndReadBack() throws IOException {
        assertEquals("zarr2", v2Manifest.get("format").asText());
        assertTrue(v2Manifest.get("arrays").size() >= 9, "arrays in the v2 manifest: " + v2Manifest.get("arrays").size());
        for (JsonNode a : v2Manifest.get("arrays")) {
            String path = a.get("path").asText();
            JsonNode zarray = JSON.readTree(v2.resolve(path).resolve(".zarray").toFile());
            assertEquals(2, zarray.get("zarr_format").asInt(), path);
            for (String field : List.of("shape", "chunks", "dtype", "order", "compressor", "fill_value", "dimension_separator")) {
                assertEquals(a.get(field), zarray.get(field), path + " ." + field);
            }
            String sep = a.get("dimension_separator").asText();
            assertChunkFiles(v2.resolve(path), PeerArrayFormula.ints(a.get("shape")), PeerArrayFormula.ints(a.get("chunks")),
                    c -> join(c, sep), missing(a.get("missing_chunks")), path);
            assertFormula(a, path);
            JsonNode read = peers.readV2(v2, path, "--at", join(inside(a), ","));
            assertEquals(a.get("sha256"), read.get("sha256"), path + ": python3-zarr's reader");
            assertSamples(a, read, path + ": python3-zarr's reader");
            assertEquals(a.get("shape"), read.get("shape"), path);
        }
    }

    @Test
    void zarritaV3ArraysAreAsTheManifestSaysAndReadBack() throws IOException {
        assertEquals("zarr3", v3Manifest.get("format").asText());
        assertEquals("group", JSON.readTree(v3.resolve("zarr.json").toFile()).get("node_type").asText());
        int sharded = 0;
        for (JsonNode a : v3Manifest.get("arrays")) {
            String path = a.get("path").asText();
            JsonNode meta = JSON.readTree(v3.resolve(path).resolve("zarr.json").toFile());
            assertEquals(3, meta.get("zarr_format").asInt(), path);
            assertEquals("array", meta.get("node_type").asText(), path);
            assertEquals(a.get("chunk_shape"), meta.at("/chunk_grid/configuration/chunk_shape"), path);
            for (String field : List.of("shape", "data_type", "chunk_key_encoding", "codecs", "fill_value", "dimension_names")) {
                assertEquals(a.get(field), meta.get(field), path + " ." + field);
            }
            JsonNode keys = a.get("chunk_key_encoding");
            String sep = keys.at("/configuration/separator").asText();
            boolean defaultKeys = keys.get("name").asText().equals("default");
            JsonNode missing = a.has("sharding") ? a.get("missing_shards") : a.get("missing_chunks");
            assertChunkFiles(v3.resolve(path), PeerArrayFormula.ints(a.get("shape")), PeerArrayFormula.ints(a.get("chunk_shape")),
                    c -> (defaultKeys ? "c" + sep : "") + join(c, sep), missing(missing), path);
            assertFormula(a, path);
            JsonNode read = peers.readV3(v3, path, "--at", join(inside(a), ","));
            assertEquals(a.get("sha256"), read.get("sha256"), path + ": zarrita's reader");
            assertSamples(a, read, path + ": zarrita's reader");
            assertEquals(a.get("data_type"), read.get("data_type"), path);
            if (a.has("sharding")) {
                sharded++;
                assertEquals(a.at("/sharding/index_location"), read.at("/sharding/index_location"), path);
                assertEquals(a.at("/sharding/chunk_shape"), read.at("/sharding/chunk_shape"), path);
            }
        }
        assertEquals(3, sharded, "sharded arrays in the v3 manifest");
    }

    @Test
    void omeZarrGroupDescribesTwoLevelsOfOneImage() throws IOException {
        JsonNode ome = JSON.readTree(v3.resolve("ome/zarr.json").toFile()).at("/attributes/ome");
        assertEquals("0.5", ome.get("version").asText());
        JsonNode ms = ome.at("/multiscales/0");
        List<String> axes = new ArrayList<>();
        ms.get("axes").forEach(x -> axes.add(x.get("name").asText()));
        assertEquals(List.of("c", "z", "y", "x"), axes);
        assertEquals(2, ms.get("datasets").size());
        JsonNode l0 = JSON.readTree(v3.resolve("ome/0/zarr.json").toFile());
        JsonNode l1 = JSON.readTree(v3.resolve("ome/1/zarr.json").toFile());
        assertEquals(JSON.valueToTree(axes), l0.get("dimension_names"));
        assertEquals(JSON.valueToTree(axes), l1.get("dimension_names"));
        for (int d = 0; d < 4; d++) {
            double s0 = ms.at("/datasets/0/coordinateTransformations/0/scale/" + d).asDouble();
            double s1 = ms.at("/datasets/1/coordinateTransformations/0/scale/" + d).asDouble();
            int factor = d >= 2 ? 2 : 1;   // y and x halved
            assertEquals(s0 * factor, s1, "scale of axis " + axes.get(d));
            assertEquals((l0.at("/shape/" + d).asInt() + factor - 1) / factor, l1.at("/shape/" + d).asInt(), "level 1 size of axis " + axes.get(d));
        }
    }

    @Test
    void zarritasReaderRefusesABadCrc32c() throws IOException {
        Path copy = tmp.resolve("v3-corrupt");
        copyTree(v3, copy);
        // A data chunk with a crc32c codec: one flipped byte of the data.
        Path chunk = copy.resolve("u8_crc32c/c/0/0/0");
        flip(chunk, 100);
        ZarrPeers.Run r = peers.readV3Run(copy, "u8_crc32c");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("crc32c mismatch"), r.describe());
        // A shard index with a crc32c index codec (index at the end): one flipped byte of the index.
        Path shard = copy.resolve("sharded_end_u2/c/0/0/0");
        flip(shard, Files.size(shard) - 10);
        r = peers.readV3Run(copy, "sharded_end_u2");
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("crc32c mismatch"), r.describe());
    }

    /** Every chunk (or shard) of the grid has its file, except the missing ones, which have none. */
    private static void assertChunkFiles(Path array, int[] shape, int[] chunk, java.util.function.Function<int[], String> key,
            Set<String> missing, String what) {
        int[] counts = new int[shape.length];
        for (int d = 0; d < shape.length; d++) counts[d] = (shape[d] + chunk[d] - 1) / chunk[d];
        int[] c = new int[shape.length];
        int seenMissing = 0;
        while (true) {
            Path file = array.resolve(key.apply(c));
            boolean isMissing = missing.contains(join(c, ","));
            if (isMissing) seenMissing++;
            assertEquals(!isMissing, Files.isRegularFile(file), what + ": chunk file " + file);
            int d = shape.length - 1;
            for (; d >= 0; d--) {
                if (++c[d] < counts[d]) break;
                c[d] = 0;
            }
            if (d < 0) break;
        }
        assertEquals(missing.size(), seenMissing, what + ": missing chunks inside the grid");
    }

    /** The formula's values hash to the checksum the writer took of what its library read back; the samples agree. */
    private static void assertFormula(JsonNode a, String path) {
        assertEquals(a.get("sha256").asText(), PeerArrayFormula.sha256(PeerArrayFormula.of(a).expectedBytes()),
                path + ": formula against the writer's read-back");
        assertSamples(a, a, path + ": the writer's samples");
    }

    /** Each of {@code printed}'s samples holds the formula's value. */
    private static void assertSamples(JsonNode a, JsonNode printed, String what) {
        PeerArrayFormula f = PeerArrayFormula.of(a);
        assertTrue(printed.get("samples").size() >= 3, what + ": samples " + printed.get("samples"));
        for (JsonNode s : printed.get("samples")) {
            int[] index = PeerArrayFormula.ints(s.get("index"));
            assertEquals(f.bitsOf(s.get("value")), f.bitsAt(index), what + ": sample " + s);
        }
    }

    /** An index inside the array that is none of the readers' default samples: (1, 2, 3, ...), clipped. */
    private static int[] inside(JsonNode a) {
        int[] shape = PeerArrayFormula.ints(a.get("shape"));
        int[] at = new int[shape.length];
        for (int d = 0; d < shape.length; d++) at[d] = Math.min(d + 1, shape[d] - 1);
        return at;
    }

    private static Set<String> missing(JsonNode list) {
        Set<String> out = new HashSet<>();
        for (JsonNode c : list) out.add(join(PeerArrayFormula.ints(c), ","));
        return out;
    }

    private static String join(int[] c, String sep) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < c.length; i++) b.append(i == 0 ? "" : sep).append(c[i]);
        return b.toString();
    }

    private static void flip(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[Math.toIntExact(at)] ^= (byte) 0xFF;
        Files.write(file, b);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
