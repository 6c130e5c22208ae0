package org.bigarrays.precomputed;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bigarrays.BigArraysException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.HostileKeys;
import org.junit.jupiter.api.Test;

/** Hostile or absurd infos are rejected in one line naming the field, the scale and the URL. */
class InfoHardeningTest {
    static final String URL = "file:///data/layer/";

    /** An info with one scale whose members are given as raw JSON text. */
    static String info(String numChannels, String key, String size, String chunk, String extraScale) {
        return "{\"type\":\"image\",\"data_type\":\"uint8\",\"num_channels\":" + numChannels + ",\"scales\":[{\"key\":" + key
                + ",\"size\":" + size + ",\"resolution\":[1,1,1],\"voxel_offset\":[0,0,0],\"chunk_sizes\":[" + chunk
                + "],\"encoding\":\"raw\"" + extraScale + "}]}";
    }

    static FormatException rejected(String json, String... mustName) {
        FormatException e = assertThrows(FormatException.class, () -> Info.parse(json.getBytes(StandardCharsets.UTF_8), URL), json);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().contains(URL), "names the URL: " + e.getMessage());
        for (String m : mustName) assertTrue(e.getMessage().contains(m), "names " + m + ": " + e.getMessage());
        return e;
    }

    static String quote(String s) {
        return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
    }

    @Test
    void aValidInfoParses() {
        Info i = Info.parse(info("1", "\"4_4_40\"", "[10,10,10]", "[4,4,4]", "").getBytes(StandardCharsets.UTF_8), URL);
        assertEquals("4_4_40", i.scale(0).key());
        assertDoesNotThrow(() -> Info.parse(info("1", "\"a/b\"", "[10,10,10]", "[4.0,4,4]", "").getBytes(StandardCharsets.UTF_8), URL));
    }

    @Test
    void everyHostileScaleKeyIsRejectedNamingItAndTheUrl() {
        for (String k : HostileKeys.ALL) {
            rejected(info("1", quote(k), "[10,10,10]", "[4,4,4]", ""), "scales[0].key", "'" + org.bigarrays.kvstore.Keys.printable(k) + "'");
        }
        // The key is looked at first: even with other fields broken, the key is what is named.
        rejected(info("1", quote("../x"), "[-1,10,10]", "[4,4,4]", ""), "scales[0].key", "'../x'");
    }

    @Test
    void aScaleCannotBeMadeWithAHostileKeyInCodeEither() {
        Scale ok = Info.builder(DataType.UINT8, new long[] {4, 4, 4}, new long[] {4, 4, 4}).build().scale(0);
        for (String k : HostileKeys.ALL) {
            assertThrows(InvalidInputException.class, () -> ok.withKey(k), k);
        }
    }

    @Test
    void integersBeyond64BitsNegativeOrFractionalAreRejectedNamingTheField() {
        rejected(info("1", "\"k\"", "[18446744073709551616,1,1]", "[1,1,1]", ""), "scales[0].size", "scale 'k'");
        rejected(info("1", "\"k\"", "[1e30,1,1]", "[1,1,1]", ""), "scales[0].size");
        rejected(info("1", "\"k\"", "[-5,1,1]", "[1,1,1]", ""), "scales[0].size");
        rejected(info("1", "\"k\"", "[2.5,1,1]", "[1,1,1]", ""), "scales[0].size");
        rejected(info("1", "\"k\"", "[4,4,4]", "[18446744073709551617,1,1]", ""), "chunk_sizes[0]");
        rejected(info("18446744073709551617", "\"k\"", "[4,4,4]", "[1,1,1]", ""), "num_channels");
        rejected(info("1.5", "\"k\"", "[4,4,4]", "[1,1,1]", ""), "num_channels");
        rejected(info("2147483648", "\"k\"", "[4,4,4]", "[1,1,1]", ""), "num_channels");
        rejected(info("1", "\"k\"", "[4,4,4]", "[1,1,1]", ",\"jpeg_quality\":18446744073709551666"), "jpeg_quality");
        rejected(info("1", "\"k\"", "[4,4,4]", "[1,1,1]", ",\"voxel_offset\":[9223372036854775807,0,0]"), "voxel_offset");
    }

    @Test
    void chunksOver2GiBAreRejectedNamingTheScale() {
        rejected(info("2147483647", "\"big\"", "[64,64,64]", "[64,64,64]", ""), "chunk_sizes[0]", "scale 'big'", "2 GiB");
        rejected(info("1", "\"big\"", "[1048576,1048576,1]", "[1048576,1048576,1]", ""), "chunk_sizes[0]", "scale 'big'");
        rejected(info("1", "\"big\"", "[8,8,8]", "[4611686018427387904,4,1]", ""), "chunk_sizes[0]");
        // Exactly 2 GiB is the limit; one voxel more is over it.
        assertDoesNotThrow(() -> Info.parse(info("1", "\"k\"", "[8,8,8]", "[2048,1024,1024]", "").getBytes(StandardCharsets.UTF_8), URL));
        rejected(info("1", "\"k\"", "[8,8,8]", "[2049,1024,1024]", ""), "chunk_sizes[0]");
    }

    @Test
    void compressedSegmentationBlocksLargerThanTheChunkAreRejected() {
        String cseg = ",\"compressed_segmentation_block_size\":[1024,1024,1024]";
        rejected(info("1", "\"k\"", "[64,64,64]", "[64,64,64]", cseg).replace("\"raw\"", "\"compressed_segmentation\""),
                "compressed_segmentation_block_size", "scale 'k'");
        Info i = Info.builder(DataType.UINT32, new long[] {64, 64, 64}, new long[] {64, 64, 64}).build();
        assertThrows(InvalidInputException.class, () -> new EncodingSpec("compressed_segmentation", new long[] {1024, 1024, 1024}, null, null).applyTo(i));
    }

    @Test
    void invalidJsonIsOneLineNamingTheUrl() {
        for (String bad : List.of("{\"type\": \"image\",\n\n  \"data_type\": uint8}", "", "{} trailing", "[1,2", "\u0000\u0001")) {
            BigArraysException e = assertThrows(FormatException.class, () -> Info.parse(bad.getBytes(StandardCharsets.UTF_8), URL));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().startsWith("info at " + URL), e.getMessage());
        }
    }

    @Test
    void nonFiniteResolutionsAndDuplicateKeysAreRejected() {
        rejected(info("1", "\"k\"", "[4,4,4]", "[1,1,1]", "").replace("[1,1,1],\"voxel", "[1e999,1,1],\"voxel"), "resolution");
        String two = "{\"type\":\"image\",\"data_type\":\"uint8\",\"num_channels\":1,\"scales\":["
                + "{\"key\":\"k\",\"size\":[4,4,4],\"resolution\":[1,1,1],\"chunk_sizes\":[[4,4,4]],\"encoding\":\"raw\"},"
                + "{\"key\":\"k\",\"size\":[2,2,4],\"resolution\":[2,2,1],\"chunk_sizes\":[[4,4,4]],\"encoding\":\"raw\"}]}";
        rejected(two, "scales[1].key", "'k' twice");
    }

    @Test
    void theBuilderRejectsAbsurdParametersAsInvalidInput() {
        long big = Long.MAX_VALUE;
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Info.builder(DataType.UINT8, new long[] {big, 1, 1}, new long[] {1, 1, 1}).offset(10, 0, 0).build());
        assertTrue(e.getMessage().contains("voxel_offset"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {1L << 62, 1, 1}).build());
        assertThrows(InvalidInputException.class, () -> Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {8, 8, 8}).resolution(Double.POSITIVE_INFINITY, 1, 1));
        assertThrows(InvalidInputException.class, () -> Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {8, 8, 8}).resolution(Double.NaN, 1, 1));
        assertThrows(InvalidInputException.class, () -> Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {8, 8, 8}).channels(Integer.MAX_VALUE).build());
    }

    @Test
    void mipsStopWhereXAndYAreOneVoxel() {
        assertEquals(1, InfoBuilder.maxMips(new long[] {1, 1, 9}));
        assertEquals(5, InfoBuilder.maxMips(new long[] {16, 3, 9}));
        assertEquals(6, InfoBuilder.maxMips(new long[] {17, 3, 9}));
        assertEquals(63, InfoBuilder.maxMips(new long[] {Long.MAX_VALUE, 1, 1}));
        Info i = Info.builder(DataType.UINT8, new long[] {16, 3, 9}, new long[] {4, 4, 4}).mips(5).build();
        assertEquals(List.of(1L, 1L, 9L), java.util.Arrays.stream(i.scale(4).size()).boxed().toList());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Info.builder(DataType.UINT8, new long[] {16, 3, 9}, new long[] {4, 4, 4}).mips(100));
        assertTrue(e.getMessage().contains("1..5") && e.getMessage().contains("100"), e.getMessage());
    }
}
