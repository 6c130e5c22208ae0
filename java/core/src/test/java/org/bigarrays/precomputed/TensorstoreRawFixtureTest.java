package org.bigarrays.precomputed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.Fixtures;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw case of {@code tensorstore/precomputed_driver_vectors.json} (TensorStore's
 * DriverTest.Create): uint16, 4 channels, voxel_offset [1,2,3], chunk [3,2,2], size [10,99,98].
 */
class TensorstoreRawFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path layer;
    private JsonNode raw;

    @TempDir
    Path tmp;

    @BeforeEach
    void load() throws IOException {
        layer = Fixtures.path("tensorstore/precomputed_raw_uint16_4ch");
        JsonNode all = JSON.readTree(Fixtures.path("tensorstore/precomputed_driver_vectors.json").toFile());
        for (JsonNode c : all.get("cases")) {
            if (c.get("dataset_dir").asText().startsWith("precomputed_raw_uint16_4ch")) raw = c;
        }
        if (raw == null) throw new AssertionError("no raw case in precomputed_driver_vectors.json");
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }

    /** "key" → bytes from expected_chunks_hex, sorted by key. */
    private Map<String, byte[]> expectedChunks() {
        Map<String, byte[]> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = raw.get("expected_chunks_hex").fields(); it.hasNext(); ) {
            var e = it.next();
            m.put(e.getKey(), HexFormat.of().parseHex(e.getValue().asText()));
        }
        return m;
    }

    @Test
    void opensWithTheFixturesGeometry() {
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(DataType.UINT16, a.dataType());
            assertEquals(4, a.channels());
            assertEquals(Box.parse("1,2,3:11,101,101"), a.bounds());
            assertArrayEquals(new long[] {3, 2, 2}, a.chunkShape());
        }
    }

    @Test
    void theChunkFilesAreTheVectorsBytes() throws IOException {
        Map<String, byte[]> want = expectedChunks();
        List<String> keys = new ArrayList<>();
        for (JsonNode k : raw.get("expected_chunk_keys")) keys.add(k.asText());
        assertEquals(keys, new ArrayList<>(want.keySet()));
        for (var e : want.entrySet()) assertArrayEquals(e.getValue(), Files.readAllBytes(layer.resolve(e.getKey())), e.getKey());
    }

    /** The expected_read box: origin (9,7,7,0), shape (2,4,2,3), values in C order over [x][y][z][c]. */
    @Test
    void readEqualsTheExpectedArray() {
        JsonNode r = raw.get("expected_read");
        long[] o = longs(r.get("origin_xyzc"));
        long[] s = longs(r.get("shape_xyzc"));
        long[] values = longs(r.get("values_c_order_xyzc"));
        Box box = Box.of(new long[] {o[0], o[1], o[2]}, new long[] {o[0] + s[0], o[1] + s[1], o[2] + s[2]});
        for (Options opt : List.of(Options.defaults(), Options.defaults().withThreads(1, 1))) {
            try (BigArray a = BigArray.open(layer.toString(), opt)) {
                NdView v = a.read(box);
                int i = 0;
                for (long x = o[0]; x < o[0] + s[0]; x++)
                    for (long y = o[1]; y < o[1] + s[1]; y++)
                        for (long z = o[2]; z < o[2] + s[2]; z++)
                            for (long c = o[3]; c < o[3] + s[3]; c++) {
                                assertEquals(values[i++], v.getAsLong(x, y, z, c), "voxel " + x + "," + y + "," + z + " channel " + c);
                            }
                assertEquals(values.length, i);
            }
        }
    }

    /** Writing the vector's values with BigArrays stores exactly TensorStore's chunk bytes. */
    @Test
    void writingTheVectorsValuesStoresTheSameBytes() throws IOException {
        JsonNode w = raw.get("write");
        long[] o = longs(w.get("origin_xyzc"));
        long[] s = longs(w.get("shape_xyzc"));
        long[] values = longs(w.get("values_c_order_xyzc"));
        String name = "ts-" + UUID.randomUUID();
        String url = "mem://" + name + "/layer";
        Info info = Info.parse(Files.readAllBytes(layer.resolve("info")), "fixture");
        try (BigArray a = BigArray.create(url, info, Options.defaults().withReadModifyWrite(true))) {
            // BigArrays writes all channels: channels outside the vector's [1, 3) stay 0, the fill value.
            NdView data = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {o[0], o[1], o[2], 0}, new long[] {s[0], s[1], s[2], 4});
            int i = 0;
            for (long x = o[0]; x < o[0] + s[0]; x++)
                for (long y = o[1]; y < o[1] + s[1]; y++)
                    for (long z = o[2]; z < o[2] + s[2]; z++)
                        for (long c = o[3]; c < o[3] + s[3]; c++) data.set(new long[] {x, y, z, c}, values[i++]);
            a.write(data);
            KeyValueStore root = KeyValueStores.open(url);
            Map<String, byte[]> want = expectedChunks();
            assertEquals(new ArrayList<>(want.keySet()), root.list("1_1_1/"));
            for (var e : want.entrySet()) assertArrayEquals(e.getValue(), root.read(e.getKey()).toByteArray(), e.getKey());
        } finally {
            KeyValueStores.dropMemory(name);
        }
    }

    /** "read of box origin (11,7,3,0) is out of range": x's upper bound is 1 + 10 = 11. */
    @Test
    void boxBeyondTheUpperBoundIsOutOfRange() {
        Box beyond = Box.parse("11,7,3:12,8,4");
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(0, a.read(beyond).getAsLong(11, 7, 3, 0));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> a.withOptions(Options.defaults().withStrict(true)).read(beyond));
            assertTrue(e.getMessage().contains("11,7,3:12,8,4") && e.getMessage().contains("1,2,3:11,101,101"), e.getMessage());
        }
    }

    /** "writing junk (4 bytes) to 1_1_1/10-11_10-12_7-9 makes reads fail: expected chunk length mismatch". */
    @Test
    void junkChunkFailsWithALengthMismatch() throws IOException {
        Path copy = tmp.resolve("copy");
        try (Stream<Path> walk = Files.walk(layer)) {
            for (Path p : walk.toList()) {
                Path t = copy.resolve(layer.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        Files.writeString(copy.resolve("1_1_1/10-11_10-12_7-9"), "junk");
        try (BigArray a = BigArray.open(copy.toString())) {
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> a.read(Box.parse("9,7,7:11,11,9")));
            assertEquals("1_1_1/10-11_10-12_7-9", e.key());
            assertTrue(e.getMessage().contains("expected 32 bytes, found 4"), e.getMessage());
            // The other chunks still read.
            assertEquals(0x9871, a.read(Box.parse("9,8,7:10,9,8")).getAsLong(9, 8, 7, 1));
        }
    }
}
