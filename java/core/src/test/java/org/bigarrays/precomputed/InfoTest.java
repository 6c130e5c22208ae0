package org.bigarrays.precomputed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bigarrays.Fixtures;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every info file of the fixtures parses and survives a rewrite; malformed infos name the bad field. */
class InfoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every info-like file of the fixtures, relative to the fixtures folder. */
    static Stream<String> fixtureInfos() throws IOException {
        String p = System.getProperty("bigarrays.fixtures");
        if (p == null || !Files.isDirectory(Path.of(p))) return Stream.of("(fixtures folder absent)");
        Path root = Path.of(p);
        List<String> out = new ArrayList<>();
        for (String d : new String[] {"tensorstore/info_examples", "neuroglancer/info_examples"}) {
            try (Stream<Path> s = Files.list(root.resolve(d))) {
                s.filter(f -> f.toString().endsWith(".json")).sorted().forEach(f -> out.add(root.relativize(f).toString()));
            }
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(f -> f.getFileName().toString().equals("info")).sorted().forEach(f -> out.add(root.relativize(f).toString()));
        }
        out.add("cloud-volume/test_cv/sharded_info.json");
        return out.stream();
    }

    @Test
    void theFixtureListCoversTheKnownInfos() throws IOException {
        Fixtures.root();
        List<String> all = fixtureInfos().toList();
        for (String must : List.of("tensorstore/info_examples/metadata_test_ParseSharded.info.json",
                "tensorstore/info_examples/metadata_test_ParseUnsharded.info.json",
                "neuroglancer/info_examples/volume_md_example_jpeg_image.info.json",
                "neuroglancer/info_examples/volume_md_example_cseg_segmentation.info.json",
                "neuroglancer/precomputed/one_channel/info", "neuroglancer/precomputed/two_channels/info",
                "cloud-volume/test_cv/info", "cloud-volume/test_cv_sharded/info", "cloud-volume/test_seg_unsharded/info",
                "cloud-volume/test_cv/sharded_info.json", "bigarrays/asset/info", "bigarrays/test_BinDicts/info",
                "tensorstore/precomputed_raw_uint16_4ch/info", "tensorstore/precomputed_cseg_uint32/info",
                "tensorstore/precomputed_cseg_uint64/info")) {
            assertTrue(all.contains(must), must + " is not among " + all);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtureInfos")
    void parsesAndRewritesWithoutLosingKeys(String relative) throws IOException {
        Path f = Fixtures.path(relative);
        byte[] bytes = Files.readAllBytes(f);
        Info info = Info.parse(bytes, f.toString());
        JsonNode original = JSON.readTree(bytes);
        JsonNode rewritten = JSON.readTree(info.toJson());
        assertContains(original, rewritten, "");
        // Parsing the rewrite gives the same info again (rewrite is stable).
        Info again = Info.parse(info.toJson().getBytes(StandardCharsets.UTF_8), "rewrite of " + relative);
        assertEquals(info.toJson(), again.toJson());
        assertEquals(original.get("scales").size(), info.scales().size());
    }

    /** Every member of {@code want} is in {@code got} with an equal value (numbers compared numerically). */
    static void assertContains(JsonNode want, JsonNode got, String path) {
        if (got == null) fail(path + ": missing in the rewritten info (was " + want + ")");
        if (want.isNumber()) {
            if (!got.isNumber() || want.decimalValue().compareTo(got.decimalValue()) != 0) fail(path + ": expected " + want + ", found " + got);
        } else if (want.isObject()) {
            if (!got.isObject()) fail(path + ": expected an object, found " + got);
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                assertContains(want.get(k), got.get(k), path + "." + k);
            }
        } else if (want.isArray()) {
            if (!got.isArray() || got.size() != want.size()) fail(path + ": expected " + want + ", found " + got);
            for (int i = 0; i < want.size(); i++) assertContains(want.get(i), got.get(i), path + "[" + i + "]");
        } else if (!want.equals(got)) {
            fail(path + ": expected " + want + ", found " + got);
        }
    }

    @Test
    void parsedValuesAreTheFixturesValues() throws IOException {
        Info jl = Info.parse(Files.readAllBytes(Fixtures.path("bigarrays/test_BinDicts/info")), "test_BinDicts");
        assertEquals(DataType.UINT8, jl.dataType());
        assertEquals("image", jl.type());
        assertEquals(1, jl.numChannels());
        Scale s1 = jl.scale(1);
        assertEquals("12_12_30", s1.key());
        assertArrayEquals(new long[] {-597, -597, -103}, s1.voxelOffset());
        assertArrayEquals(new long[] {12286, 11262, 2046}, s1.size());
        assertArrayEquals(new long[] {100, 100, 5}, s1.chunkSize());
        assertArrayEquals(new double[] {12, 12, 30}, s1.resolution());

        Info ts = Info.parse(Files.readAllBytes(Fixtures.path("tensorstore/info_examples/metadata_test_ParseUnsharded.info.json")), "ts");
        assertEquals(2, ts.scale(0).chunkSizes().size());
        assertArrayEquals(new long[] {128, 2, 64}, ts.scale(0).chunkSizes().get(1));
        assertArrayEquals(new long[] {-2, 4, 6}, ts.scale(0).voxelOffset());
        assertFalse(ts.scale(0).isSharded());

        Info sh = Info.parse(Files.readAllBytes(Fixtures.path("tensorstore/info_examples/metadata_test_ParseSharded.info.json")), "sh");
        assertTrue(sh.scale(0).isSharded());
        assertEquals(DataType.UINT64, sh.dataType());
        assertArrayEquals(new long[] {8, 9, 10}, sh.scale(0).blockSize());
        assertEquals("scale_attribute_value", sh.scale(0).extra().text("extra_scale_attribute"));
        assertEquals("attribute_value", sh.extra().text("extra_attribute"));

        Info cv = Info.parse(Files.readAllBytes(Fixtures.path("cloud-volume/test_cv/sharded_info.json")), "cv");
        assertTrue(cv.extra().has("app") && cv.extra().has("graph") && cv.extra().has("chunks_start_at_voxel_offset"));
        assertTrue(Boolean.parseBoolean(cv.scale(0).extra().text("locked")));

        Info ng = Info.parse(Files.readAllBytes(Fixtures.path("neuroglancer/info_examples/volume_md_example_jpeg_image.info.json")), "ng");
        assertEquals("jpeg", ng.scale(0).encoding());
        assertNull(ng.scale(0).blockSize());
    }

    @Test
    void builderInfosRoundTrip() {
        Info i = Info.builder(DataType.BOOL, new long[] {100, 50, 7}, new long[] {16, 16, 4}).offset(-5, 3, -1)
                .resolution(4.5, 4, 40).channels(3).type("segmentation").mips(3).build();
        Info back = Info.parse(i.toJson().getBytes(StandardCharsets.UTF_8), "built");
        assertEquals(i.toJson(), back.toJson());
        assertEquals(DataType.BOOL, back.dataType());
        assertEquals(3, back.numChannels());
        assertArrayEquals(new long[] {26, 14, 7}, back.scale(2).size()); // ceil((offset + size) / f) - floor(offset / f), per step
        assertArrayEquals(new long[] {-2, 0, -1}, back.scale(2).voxelOffset());
        assertArrayEquals(new double[] {18, 16, 40}, back.scale(2).resolution());
        assertEquals("neuroglancer_multiscale_volume", back.extra().text("@type"));
    }

    // ---------------------------------------------------------------- malformed infos

    private static final String VALID = """
            {"@type": "neuroglancer_multiscale_volume", "type": "image", "data_type": "uint16", "num_channels": 2,
             "scales": [{"key": "1_1_1", "size": [10, 20, 30], "resolution": [1, 1, 1], "voxel_offset": [0, -5, 3],
                         "chunk_sizes": [[4, 4, 4]], "encoding": "raw"}]}""";

    private static void assertMalformed(String field, Consumer<ObjectNode> damage) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(VALID);
        damage.accept(root);
        byte[] bytes = JSON.writeValueAsBytes(root);
        FormatException e = assertThrows(FormatException.class, () -> Info.parse(bytes, "mem://x/info"), "no error for a bad " + field);
        assertTrue(e.getMessage().contains(field), "message should name " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("mem://x/info"), "message should name the info's location: " + e.getMessage());
    }

    private static ObjectNode scale0(ObjectNode root) {
        return (ObjectNode) root.get("scales").get(0);
    }

    @Test
    void validBaseParses() {
        Info i = Info.parse(VALID.getBytes(StandardCharsets.UTF_8), "base");
        assertArrayEquals(new long[] {0, -5, 3}, i.scale(0).voxelOffset());
    }

    @Test
    void malformedInfosNameTheField() throws IOException {
        assertMalformed("type", r -> r.remove("type"));
        assertMalformed("type", r -> r.put("type", "mesh"));
        assertMalformed("data_type", r -> r.put("data_type", "complex64"));
        assertMalformed("data_type", r -> r.put("data_type", 8));
        assertMalformed("num_channels", r -> r.put("num_channels", 0));
        assertMalformed("num_channels", r -> r.put("num_channels", "2"));
        assertMalformed("num_channels", r -> r.put("num_channels", 1.5));
        assertMalformed("num_channels", r -> r.put("num_channels", 4_294_967_297L));
        assertMalformed("scales", r -> r.remove("scales"));
        assertMalformed("scales", r -> r.putArray("scales"));
        assertMalformed("scales[0]", r -> ((ArrayNode) r.get("scales")).set(0, JSON.getNodeFactory().textNode("1_1_1")));
        assertMalformed("scales[0].key", r -> scale0(r).remove("key"));
        assertMalformed("scales[0].size", r -> scale0(r).putArray("size").add(1).add(2));
        assertMalformed("scales[0].size", r -> scale0(r).putArray("size").add(1).add(-2).add(3));
        assertMalformed("scales[0].size", r -> scale0(r).putArray("size").add(1).add("2").add(3));
        assertMalformed("scales[0].resolution", r -> scale0(r).putArray("resolution").add(1).add(0).add(1));
        assertMalformed("scales[0].resolution", r -> scale0(r).remove("resolution"));
        assertMalformed("scales[0].voxel_offset", r -> scale0(r).putArray("voxel_offset").add(0.5).add(0).add(0));
        assertMalformed("scales[0].chunk_sizes", r -> scale0(r).putArray("chunk_sizes"));
        assertMalformed("scales[0].voxel_offset", r -> scale0(r).putArray("voxel_offset").add(Long.MAX_VALUE - 5).add(0).add(0));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(3_000_000).add(3_000_000).add(3_000_000));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(1L << 40).add(1L << 40).add(1L << 40));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(1L << 20).add(1L << 20).add(1L << 23));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(1L << 20).add(1L << 20).add(2));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(4).add(0).add(4));
        assertMalformed("scales[0].chunk_sizes[0]", r -> scale0(r).putArray("chunk_sizes").addArray().add(4).add(4));
        assertMalformed("scales[0].encoding", r -> scale0(r).remove("encoding"));
        assertMalformed("scales[0].compressed_segmentation_block_size", r -> scale0(r).put("encoding", "compressed_segmentation"));
        assertMalformed("scales[0].jpeg_quality", r -> scale0(r).put("jpeg_quality", 101));
        assertMalformed("scales[0].png_level", r -> scale0(r).put("png_level", -1));
        assertMalformed("scales[0].chunk_sizes", r -> {
            scale0(r).putObject("sharding").put("@type", "neuroglancer_uint64_sharded_v1");
            ((ArrayNode) scale0(r).get("chunk_sizes")).addArray().add(8).add(8).add(8);
        });
    }

    @Test
    void notJsonOrNotAnObjectIsAFormatError() {
        FormatException e = assertThrows(FormatException.class, () -> Info.parse("{\"type\": ".getBytes(StandardCharsets.UTF_8), "file:///x/info"));
        assertTrue(e.getMessage().contains("file:///x/info") && e.getMessage().contains("JSON"), e.getMessage());
        FormatException arr = assertThrows(FormatException.class, () -> Info.parse("[1, 2]".getBytes(StandardCharsets.UTF_8), "file:///x/info"));
        assertTrue(arr.getMessage().contains("object"), arr.getMessage());
    }
}
