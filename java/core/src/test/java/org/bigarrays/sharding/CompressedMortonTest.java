package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;

class CompressedMortonTest {
    private final JsonNode V = Fixtures.json("sharding_morton_vectors.json");

    private static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = Fixtures.num(a.get(i));
        return r;
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    @Test
    void bitsPerAxisFromVolumeAndChunk() {
        for (JsonNode c : V.get("tensorstore").get("GetCompressedZIndexBits")) {
            long[] size = longs(c.get("volume_shape_xyz"));
            long[] chunk = longs(c.get("chunk_shape_xyz"));
            long[] grid = new long[3];
            for (int i = 0; i < 3; i++) grid[i] = Math.ceilDiv(size[i], chunk[i]);
            assertArrayEquals(ints(c.get("expected_bits")), CompressedMorton.bits(grid), c.toString());
        }
    }

    @Test
    void tensorstoreEncodeVectors() {
        for (JsonNode c : V.get("tensorstore").get("EncodeCompressedZIndex")) {
            int[] bits = ints(c.get("bits_xyz"));
            long[] cell = longs(c.get("grid_xyz"));
            assertEquals(c.get("expected").asLong(), CompressedMorton.encodeBits(cell, bits), c.toString());
            assertArrayEquals(cell, CompressedMorton.decodeBits(c.get("expected").asLong(), bits));
        }
    }

    @Test
    void cloudVolumeVectorsAndOutOfGridErrors() {
        JsonNode cv = V.get("cloudvolume_compressed_morton_code");
        for (JsonNode c : cv.get("cases")) {
            assertEquals(c.get("expected").asLong(), CompressedMorton.encode(longs(c.get("grid_xyz")), longs(c.get("grid_size_xyz"))), c.toString());
        }
        for (JsonNode c : cv.get("invalid")) {
            var e = assertThrows(InvalidInputException.class, () -> CompressedMorton.encode(longs(c.get("grid_xyz")), longs(c.get("grid_size_xyz"))));
            assertEquals(true, e.getMessage().contains("outside the grid"), e.getMessage());
        }
    }

    @Test
    void neuroglancerDecodeVectors() {
        for (JsonNode c : V.get("neuroglancer_decodeZIndexCompressed").get("cases")) {
            int[] bits = ints(c.get("bits_xyz"));
            long[] xyz = longs(c.get("expected_xyz"));
            assertArrayEquals(xyz, CompressedMorton.decodeBits(c.get("code").asLong(), bits));
            assertEquals(c.get("code").asLong(), CompressedMorton.encodeBits(xyz, bits));
        }
    }

    @Test
    void chunksPerShardOfSpatialLayouts() throws Exception {
        for (JsonNode c : V.get("tensorstore_shard_hierarchy").get("cases")) {
            ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), c.get("name").asText());
            long[] grid = longs(c.get("grid_shape_in_chunks"));
            Map<Long, Long> counts = new HashMap<>();
            long[] g = new long[3];
            for (g[2] = 0; g[2] < grid[2]; g[2]++)
                for (g[1] = 0; g[1] < grid[1]; g[1]++)
                    for (g[0] = 0; g[0] < grid[0]; g[0]++) counts.merge(spec.shardOf(CompressedMorton.encode(g, grid)), 1L, Long::sum);
            var it = c.get("chunks_per_shard").properties().iterator();
            while (it.hasNext()) {
                var e = it.next();
                assertEquals(e.getValue().asLong(), counts.getOrDefault(Long.parseLong(e.getKey()), 0L), c.get("name").asText() + " shard " + e.getKey());
            }
        }
    }

    @Test
    void spatialShardAndMinishardShapes() {
        JsonNode h = V.get("tensorstore_shard_hierarchy");
        for (JsonNode c : h.get("cases")) {
            ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), "t");
            long[] grid = longs(c.get("grid_shape_in_chunks"));
            assertArrayEquals(longs(c.get("shard_shape_in_chunks")), spec.shardShapeInChunks(grid), c.get("name").asText());
            assertArrayEquals(longs(c.get("minishard_shape_in_chunks")), spec.minishardShapeInChunks(grid), c.get("name").asText());
        }
        long[] grid = {2, 4, 8};
        ObjectNode murmur = h.get("cases").get(0).get("sharding").deepCopy();
        murmur.put("hash", "murmurhash3_x86_128");
        assertEquals(null, ShardingSpec.parse(murmur, "t").shardShapeInChunks(grid), "NotIdentity");
        ObjectNode few = h.get("cases").get(0).get("sharding").deepCopy();
        few.put("shard_bits", 2);
        assertEquals(null, ShardingSpec.parse(few, "t").shardShapeInChunks(grid), "NotEnoughBits");
    }

    @Test
    void cloudVolumeShardLocations() {
        for (JsonNode c : V.get("cloudvolume_shard_location").get("cases")) {
            ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), c.get("name").asText());
            long id;
            if (c.has("chunk_id")) {
                id = c.get("chunk_id").asLong();
            } else {
                id = CompressedMorton.encode(longs(c.get("grid_point")), longs(c.get("grid_size")));
                assertEquals(c.get("compressed_morton_code").asLong(), id);
            }
            if (c.has("expected_shard_number_hex")) assertEquals(Long.parseLong(c.get("expected_shard_number_hex").asText(), 16), spec.shardOf(id));
            if (c.has("expected_shard_number")) assertEquals(c.get("expected_shard_number").asLong(), spec.shardOf(id));
            if (c.has("expected_shard_file")) assertEquals(c.get("expected_shard_file").asText().split(" ")[0], spec.shardFileName(spec.shardOf(id)));
            int ms = c.has("expected_minishard") ? c.get("expected_minishard").asInt() : c.get("minishard").asInt();
            assertEquals(ms, spec.minishardOf(id), c.get("name").asText());
        }
    }

    @Property(tries = 200)
    void decodeInvertsEncode(@ForAll @IntRange(min = 1, max = 5000) int gx, @ForAll @IntRange(min = 1, max = 5000) int gy,
                             @ForAll @IntRange(min = 1, max = 300) int gz, @ForAll @IntRange(min = 0, max = 1 << 30) int seed) {
        long[] grid = {gx, gy, gz};
        long[] cell = {seed % gx, (seed / 7) % gy, (seed / 13) % gz};
        long id = CompressedMorton.encode(cell, grid);
        assertArrayEquals(cell, CompressedMorton.decodeBits(id, CompressedMorton.bits(grid)));
        int total = 0;
        for (int b : CompressedMorton.bits(grid)) total += b;
        assertEquals(true, Long.compareUnsigned(id, 1L << total) < 0, "id " + id + " fits in " + total + " bits");
    }
}
