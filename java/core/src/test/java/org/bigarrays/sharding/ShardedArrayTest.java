package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.CellRange;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.junit.jupiter.api.Test;

/** Sharded layers through BigArray: whole-shard writes, read-modify-write, round trips, requests per cutout. */
class ShardedArrayTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static String freshUrl() {
        return "mem://sharded-test-" + NAMES.incrementAndGet() + "/";
    }

    private static KeyValueStore memRoot(String url) {
        return KeyValueStores.open(URI.create(url));
    }

    @Test
    void fullShardWriteWritesExactlyThatShard() {
        JsonNode c = Fixtures.json("sharding_morton_vectors.json").get("tensorstore_full_shard_write");
        JsonNode s = c.get("info_scale");
        Info info = Info.builder(DataType.UINT16, new long[] {4, 6, 10}, new long[] {2, 2, 2}).sharding(ShardingSpec.parse(s.get("sharding"), "t")).build();
        assertEquals("1_1_1", info.scale(0).key());
        String url = freshUrl();
        try (BigArray a = BigArray.create(url, info)) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {0, 4, 8, 0}, new long[] {4, 2, 2, 1});
            v.fill(42);
            a.write(v);
            assertEquals(List.of("1_1_1/5.shard", "info"), memRoot(url).list(""));
            NdView all = a.read(a.bounds());
            for (long z = 0; z < 10; z++)
                for (long y = 0; y < 6; y++)
                    for (long x = 0; x < 4; x++) {
                        boolean in = y >= 4 && z >= 8;
                        assertEquals(in ? 42 : 0, all.getShort(x, y, z, 0), "voxel " + x + "," + y + "," + z);
                    }
        }
    }

    @Test
    void partialShardNeedsReadModifyWrite() {
        JsonNode sj = Fixtures.json("sharding_morton_vectors.json").get("tensorstore_full_shard_write").get("info_scale").get("sharding");
        Info info = Info.builder(DataType.UINT16, new long[] {4, 6, 10}, new long[] {2, 2, 2}).sharding(ShardingSpec.parse(sj, "t")).build();
        String url = freshUrl();
        try (BigArray a = BigArray.create(url, info)) {
            NdView whole = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {0, 4, 8, 0}, new long[] {4, 2, 2, 1});
            whole.fill(7);
            a.write(whole);
            NdView one = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {2, 4, 8, 0}, new long[] {2, 2, 2, 1});
            one.fill(9);
            var e = assertThrows(InvalidInputException.class, () -> a.write(one));
            assertTrue(e.getMessage().contains("5.shard") && e.getMessage().contains("read-modify-write"), e.getMessage());
            // A sub-chunk box inside the shard, with read-modify-write: the rest of the shard survives.
            BigArray rmw = a.withOptions(Options.defaults().withReadModifyWrite(true));
            NdView voxel = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {3, 5, 9, 0}, new long[] {1, 1, 1, 1});
            voxel.fill(9);
            rmw.write(voxel);
            NdView back = a.read(Box.of(new long[] {0, 4, 8}, new long[] {4, 6, 10}));
            for (long z = 8; z < 10; z++)
                for (long y = 4; y < 6; y++)
                    for (long x = 0; x < 4; x++) assertEquals(x == 3 && y == 5 && z == 9 ? 9 : 7, back.getShort(x, y, z, 0));
        }
    }

    @Test
    void corruptShardFailsNamingShardAndChunk() {
        Info info = Info.builder(DataType.UINT8, new long[] {8, 8, 8}, new long[] {4, 4, 4}).sharding(ShardingSpec.parseCli("0,1,1")).build();
        String url = freshUrl();
        try (BigArray a = BigArray.create(url, info)) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {8, 8, 8, 1});
            v.fill(3);
            a.write(v);
            KeyValueStore root = memRoot(url);
            String key = root.list("1_1_1/").getFirst();
            byte[] b = root.read(key).toByteArray();
            root.write(key, MemorySegment.ofArray(java.util.Arrays.copyOf(b, b.length - 5)));
            var e = assertThrows(CorruptChunkException.class, () -> a.read(a.bounds()));
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("chunk "), e.getMessage());
        }
    }

    /** A random volume written whole through BigArray, read back in random cutouts, against the plain array. */
    @Property(tries = 25)
    void roundTripRandomVolumes(@ForAll @IntRange(min = 1, max = 40) int sx, @ForAll @IntRange(min = 1, max = 30) int sy,
                                @ForAll @IntRange(min = 1, max = 20) int sz, @ForAll @IntRange(min = 1, max = 9) int chunk,
                                @ForAll @IntRange(min = 0, max = 3) int preshift, @ForAll @IntRange(min = 0, max = 3) int minishard,
                                @ForAll @IntRange(min = 0, max = 4) int shard, @ForAll boolean murmur, @ForAll boolean gzipData,
                                @ForAll boolean gzipIndex, @ForAll boolean wide, @ForAll @IntRange(min = 1, max = 2) int channels,
                                @ForAll long seed) {
        ShardingSpec spec = new ShardingSpec(preshift, murmur ? ShardingSpec.Hash.MURMURHASH3_X86_128 : ShardingSpec.Hash.IDENTITY, minishard, shard,
                gzipIndex ? Compression.GZIP : Compression.NONE, gzipData ? Compression.GZIP : Compression.NONE);
        DataType t = wide ? DataType.UINT32 : DataType.UINT8;
        long[] size = {sx, sy, sz};
        long[] off = {-3, 5, 0};
        Info info = Info.builder(t, size, new long[] {chunk, chunk + 1, chunk}).offset(off).channels(channels).sharding(spec).build();
        Random rnd = new Random(seed);
        try (BigArray a = BigArray.create(freshUrl(), info)) {
            NdView data = NdView.allocate(Arena.ofAuto(), t, new long[] {off[0], off[1], off[2], 0}, new long[] {sx, sy, sz, channels});
            byte[] ref = new byte[(int) data.byteSize()];
            rnd.nextBytes(ref);
            MemorySegment.copy(MemorySegment.ofArray(ref), 0, data.segment(), 0, ref.length);
            a.write(data);
            for (int k = 0; k < 4; k++) {
                long[] lo = new long[3], hi = new long[3];
                for (int i = 0; i < 3; i++) {
                    lo[i] = off[i] - 2 + rnd.nextInt((int) size[i] + 3);
                    hi[i] = lo[i] + 1 + rnd.nextInt((int) size[i] + 2);
                }
                Box box = Box.of(lo, hi);
                BigArray reader = k % 2 == 0 ? a : a.withOptions(Options.defaults().withThreads(1, 1));
                NdView got = reader.read(box);
                for (long c = 0; c < channels; c++)
                    for (long z = lo[2]; z < hi[2]; z++)
                        for (long y = lo[1]; y < hi[1]; y++)
                            for (long x = lo[0]; x < hi[0]; x++) {
                                boolean in = x >= off[0] && x < off[0] + sx && y >= off[1] && y < off[1] + sy && z >= off[2] && z < off[2] + sz;
                                long want = 0;
                                if (in) {
                                    long idx = (x - off[0]) + sx * ((y - off[1]) + (long) sy * ((z - off[2]) + (long) sz * c));
                                    want = t == DataType.UINT8 ? ref[(int) idx] & 0xff
                                            : MemorySegment.ofArray(ref).get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), idx * 4) & 0xffffffffL;
                                }
                                assertEquals(want, got.getAsLong(x, y, z, c), "voxel " + x + "," + y + "," + z + "," + c + " of " + box);
                            }
            }
        }
    }

    /**
     * Requests per cutout on a fresh store = shards touched + minishards touched + runs of
     * requested chunks adjacent in the file (the file layout is known: per minishard, chunks in
     * ascending id, then its index).
     */
    @Property(tries = 30)
    void readsPerCutoutAreShardsPlusMinishardsPlusRuns(@ForAll @IntRange(min = 0, max = 2) int preshift,
                                                       @ForAll @IntRange(min = 0, max = 3) int minishard,
                                                       @ForAll @IntRange(min = 0, max = 3) int shard, @ForAll boolean murmur,
                                                       @ForAll boolean gzip, @ForAll long seed) {
        ShardingSpec spec = new ShardingSpec(preshift, murmur ? ShardingSpec.Hash.MURMURHASH3_X86_128 : ShardingSpec.Hash.IDENTITY, minishard, shard,
                gzip ? Compression.GZIP : Compression.NONE, gzip ? Compression.GZIP : Compression.NONE);
        long[] size = {24, 20, 12};
        long[] chunkShape = {4, 4, 4};
        Info info = Info.builder(DataType.UINT8, size, chunkShape).sharding(spec).build();
        String url = freshUrl();
        Random rnd = new Random(seed);
        try (BigArray a = BigArray.create(url, info)) {
            NdView data = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {24, 20, 12, 1});
            data.fill(1);
            a.write(data);
            Scale scale = info.scale(0);
            CountingStore counting = new CountingStore(memRoot(url + scale.key() + "/"));
            ScaleChunkStore driver = new ScaleChunkStore(info, scale, counting, BufferPool.unpooled());
            long[] lo = new long[3], hi = new long[3];
            for (int i = 0; i < 3; i++) {
                lo[i] = rnd.nextInt((int) size[i]);
                hi[i] = lo[i] + 1 + rnd.nextInt((int) (size[i] - lo[i]));
            }
            CellRange range = driver.grid().cellRange(Box.of(lo, hi));
            List<long[]> plan = new ArrayList<>();
            range.forEach(plan::add);
            ScaleChunkStore.Fetcher f = driver.fetcher(range);
            for (long[] c : plan) assertTrue(f.fetch(c).found());

            // Expected, from the layout alone.
            Set<Long> wanted = new HashSet<>();
            Set<Long> shards = new HashSet<>();
            Set<List<Long>> minishards = new HashSet<>();
            for (long[] c : plan) {
                long id = driver.shards().chunkId(c);
                wanted.add(id);
                shards.add(spec.shardOf(id));
                minishards.add(List.of(spec.shardOf(id), (long) spec.minishardOf(id)));
            }
            Map<Long, List<Long>> fileOrder = new HashMap<>();
            long[] g = new long[3];
            long[] grid = driver.grid().gridShape();
            for (g[2] = 0; g[2] < grid[2]; g[2]++)
                for (g[1] = 0; g[1] < grid[1]; g[1]++)
                    for (g[0] = 0; g[0] < grid[0]; g[0]++) {
                        long id = CompressedMorton.encode(g, grid);
                        fileOrder.computeIfAbsent(spec.shardOf(id), x -> new ArrayList<>()).add(id);
                    }
            int runs = 0;
            for (long s : shards) {
                List<Long> ids = fileOrder.get(s);
                ids.sort(Comparator.<Long>comparingInt(spec::minishardOf).thenComparing(Comparator.naturalOrder()));
                boolean inRun = false;
                int prevMs = -1;
                for (long id : ids) {
                    boolean w = wanted.contains(id);
                    if (w && (!inRun || spec.minishardOf(id) != prevMs)) runs++;
                    inRun = w;
                    prevMs = spec.minishardOf(id);
                }
            }
            assertEquals(shards.size() + minishards.size() + runs, counting.reads.size(),
                    "cutout " + Box.of(lo, hi) + " with " + spec + ": reads " + counting.reads);
            // A second cutout over the same chunks hits the minishard-index cache: only chunk runs are read.
            counting.reads.clear();
            ScaleChunkStore.Fetcher f2 = driver.fetcher(range);
            for (long[] c : plan) f2.fetch(c);
            assertEquals(runs, counting.reads.size());
        }
    }

    /** The direct count for spatial shards agrees with enumerating the grid. */
    @Property(tries = 60)
    void chunksInShardMatchesBruteForce(@ForAll @IntRange(min = 1, max = 20) int gx, @ForAll @IntRange(min = 1, max = 20) int gy,
                                        @ForAll @IntRange(min = 1, max = 9) int gz, @ForAll @IntRange(min = 0, max = 4) int preshift,
                                        @ForAll @IntRange(min = 0, max = 3) int minishard, @ForAll @IntRange(min = 0, max = 10) int shard,
                                        @ForAll boolean murmur) {
        ShardingSpec spec = new ShardingSpec(preshift, murmur ? ShardingSpec.Hash.MURMURHASH3_X86_128 : ShardingSpec.Hash.IDENTITY, minishard, shard,
                Compression.NONE, Compression.NONE);
        Info info = Info.builder(DataType.UINT8, new long[] {gx * 2L, gy * 2L, gz * 2L - 1}, new long[] {2, 2, 2}).sharding(spec).build();
        var d = new ScaleChunkStore(info, info.scale(0), new org.bigarrays.kvstore.MemoryStore("mem://x/"), BufferPool.unpooled()).shards();
        long[] grid = {gx, gy, gz};
        Map<Long, Long> counts = new HashMap<>();
        long[] g = new long[3];
        for (g[2] = 0; g[2] < gz; g[2]++)
            for (g[1] = 0; g[1] < gy; g[1]++)
                for (g[0] = 0; g[0] < gx; g[0]++) counts.merge(spec.shardOf(CompressedMorton.encode(g, grid)), 1L, Long::sum);
        for (long s = 0; s < Math.min(1L << shard, 4096); s++) assertEquals(counts.getOrDefault(s, 0L), d.chunksInShard(s), "shard " + s + " of " + spec);
    }

    @Test
    void writesEachShardOnce() {
        Info info = Info.builder(DataType.UINT8, new long[] {16, 16, 16}, new long[] {4, 4, 4}).sharding(ShardingSpec.parseCli("0,2,3,murmurhash3_x86_128")).build();
        String url = freshUrl();
        try (BigArray a = BigArray.create(url, info)) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {16, 16, 16, 1});
            v.fill(5);
            a.write(v);
            List<String> keys = memRoot(url).list("1_1_1/");
            Set<Long> expected = new HashSet<>();
            ShardingSpec spec = ShardingSpec.parseCli("0,2,3,murmurhash3_x86_128");
            for (long id = 0; id < 64; id++) expected.add(spec.shardOf(id));
            assertEquals(expected.size(), keys.size(), keys.toString());
            for (String k : keys) assertTrue(k.matches("1_1_1/[0-7]\\.shard"), k);
            assertArrayEquals(v.toByteArray(), a.read(a.bounds()).toByteArray());
        }
    }
}
