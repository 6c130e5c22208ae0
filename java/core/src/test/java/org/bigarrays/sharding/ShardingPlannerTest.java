package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShardingPlannerTest {
    /** Brute force: shard sizes (in uncompressed bytes) and minishard sizes over the whole grid. */
    @Property(tries = 60)
    void imageShardsRespectTheTargets(@ForAll @IntRange(min = 1, max = 40) int gx, @ForAll @IntRange(min = 1, max = 40) int gy,
                                      @ForAll @IntRange(min = 1, max = 20) int gz, @ForAll @IntRange(min = 1, max = 20) int perShard,
                                      @ForAll @IntRange(min = 1, max = 6) int perMinishard) {
        long chunkBytes = 64L * 64 * 64;
        long[] chunk = {64, 64, 64};
        long[] size = {gx * 64L - 3, gy * 64L, gz * 64L - 10};
        ShardingSpec s = ShardingPlanner.forImage(size, chunk, 1, perShard * chunkBytes, 16L * 512, 24L * perMinishard);
        assertEquals(ShardingSpec.Hash.IDENTITY, s.hash());
        long[] grid = {gx, gy, gz};
        Map<Long, Long> shard = new HashMap<>();
        Map<Long, Long> mini = new HashMap<>();
        long[] g = new long[3];
        for (g[2] = 0; g[2] < gz; g[2]++)
            for (g[1] = 0; g[1] < gy; g[1]++)
                for (g[0] = 0; g[0] < gx; g[0]++) {
                    long id = CompressedMorton.encode(g, grid);
                    shard.merge(s.shardOf(id), 1L, Long::sum);
                    mini.merge((s.shardOf(id) << s.minishardBits()) | s.minishardOf(id), 1L, Long::sum);
                }
        long maxShard = shard.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long maxMini = mini.values().stream().mapToLong(Long::longValue).max().orElse(0);
        // A shard holds at most the target; a minishard at most what its index bound allows (the
        // 512-minishard cap cannot bind for shards of ≤ 20 chunks).
        assertTrue(maxShard <= perShard, "shard of " + maxShard + " chunks with " + s);
        assertTrue(maxMini <= perMinishard, "minishard of " + maxMini + " chunks with " + s);
        assertTrue(s.shardIndexSize() <= 16L * 512);
    }

    @Test
    void hashedLabels() {
        ShardingSpec s = ShardingPlanner.forHashed(1_000_000, 8192, 40_000);
        assertEquals(ShardingSpec.Hash.MURMURHASH3_X86_128, s.hash());
        assertEquals(0, s.preshiftBits());
        // 1e6 labels / 1666 per minishard = 601 minishards -> 2^10: 512 per shard (2^9), 2 shards.
        assertEquals(9, s.minishardBits());
        assertEquals(1, s.shardBits());
        ShardingSpec small = ShardingPlanner.forHashed(10, 8192, 40_000);
        assertEquals(0, small.minishardBits());
        assertEquals(0, small.shardBits());
    }

    @Test
    void imageDefaultsForALargeVolume() {
        // 248832 x 134144 x 7063 uint8 in 128x128x16 chunks (the volume of the 458d.shard example).
        ShardingSpec s = ShardingPlanner.forImage(new long[] {248832, 134144, 7063}, new long[] {128, 128, 16}, 1);
        // 3.5e9 / 262144 bytes -> 13351 chunks -> 2^13 per shard; 40000/24 = 1666 -> 2^10 per minishard.
        assertEquals(10, s.preshiftBits());
        assertEquals(3, s.minishardBits());
        assertEquals(11 + 11 + 9 - 13, s.shardBits());
    }
}
