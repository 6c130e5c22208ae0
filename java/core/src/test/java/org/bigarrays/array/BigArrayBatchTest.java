package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * {@link BigArray#read(List)} and its streaming form against single {@link BigArray#read(Box)}
 * cutouts, voxel for voxel, and the store requests a batch makes: each chunk, shard index entry
 * and minishard index read at most once.
 */
class BigArrayBatchTest {
    private static final AtomicInteger N = new AtomicInteger();

    /** Records every read (key and byte range) of the stores it opens, "info" aside. */
    static final class Counting {
        record Read(String key, ByteRange range) {}

        final List<Read> reads = Collections.synchronizedList(new ArrayList<>());

        KeyValueStore open(URI uri) {
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public ReadResult read(String key, ReadOptions options) {
                    if (!key.endsWith("info")) reads.add(new Read(uri + key, options.range()));
                    return super.read(key, options);
                }

                @Override
                public boolean exists(String key) {
                    return base.exists(key); // not a read of the data: left out of the count, as before
                }
            };
        }
    }

    /** A layer of random voxels at a fresh mem:// URL; {@code missing} chunks of an unsharded one are removed again. */
    private static String layer(SplittableRandom r, DataType type, int channels, long[] offset, long[] size, long[] chunk, ShardingSpec sharding,
            boolean gzip, int missing) {
        String url = "mem://batch-" + N.incrementAndGet() + "/layer";
        var b = Info.builder(type, size, chunk).offset(offset).channels(channels);
        if (sharding != null) b.sharding(sharding);
        try (BigArray a = BigArray.create(url, b.build(), Options.defaults().withCompression(gzip ? Compression.GZIP : Compression.NONE))) {
            NdView v = NdView.allocate(Arena.ofAuto(), type, new long[] {offset[0], offset[1], offset[2], 0}, new long[] {size[0], size[1], size[2], channels});
            MemorySegment s = v.segment();
            for (long i = 0; i < s.byteSize(); i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
            a.write(v);
            if (sharding == null) {
                long[] g = a.grid().gridShape();
                for (int k = 0; k < missing; k++) {
                    long[] cell = {r.nextLong(g[0]), r.nextLong(g[1]), r.nextLong(g[2])};
                    a.chunks().update(java.util.List.of(org.bigarrays.precomputed.ChunkUpdate.put(cell, null)), Compression.NONE,
                            org.bigarrays.kvstore.ConflictRetry.DEFAULT);
                }
            }
        }
        return url;
    }

    private static long[] triple(SplittableRandom r, long lo, long hi) {
        return new long[] {r.nextLong(lo, hi + 1), r.nextLong(lo, hi + 1), r.nextLong(lo, hi + 1)};
    }

    /** Random boxes: inside, unaligned, sticking out, wholly outside, empty, and repeats of earlier ones. */
    private static List<Box> boxes(SplittableRandom r, Box vol, int n) {
        List<Box> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!out.isEmpty() && r.nextInt(5) == 0) {
                out.add(out.get(r.nextInt(out.size()))); // duplicate
                continue;
            }
            long[] lo = new long[3];
            long[] hi = new long[3];
            for (int d = 0; d < 3; d++) {
                long a = vol.min(d);
                long b = vol.max(d);
                lo[d] = r.nextLong(a - 6, b + 2);
                hi[d] = lo[d] + (r.nextInt(12) == 0 ? 0 : r.nextLong(1, b - a + 8));
            }
            out.add(Box.of(lo, hi));
        }
        return out;
    }

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Property(tries = 60)
    void batchEqualsSingleCutouts(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int layout, @ForAll boolean gzip,
            @ForAll boolean cache, @ForAll @IntRange(min = 1, max = 14) int count) {
        SplittableRandom r = new SplittableRandom(seed);
        DataType type = DataType.values()[r.nextInt(DataType.values().length)];
        int channels = 1 + r.nextInt(2);
        long[] chunk = triple(r, 1, 9);
        long[] offset = triple(r, -20, 20);
        long[] size = triple(r, 1, 30);
        ShardingSpec sharding = switch (layout) {
            case 0, 1 -> null;
            case 2 -> new ShardingSpec(r.nextInt(3), ShardingSpec.Hash.IDENTITY, r.nextInt(3), r.nextInt(4), enc(gzip), enc(gzip));
            default -> new ShardingSpec(r.nextInt(3), ShardingSpec.Hash.MURMURHASH3_X86_128, r.nextInt(3), r.nextInt(4), enc(r.nextBoolean()), enc(gzip));
        };
        String url = layer(r, type, channels, offset, size, chunk, sharding, gzip && sharding == null, layout == 1 ? 3 : 0);
        Options options = r.nextBoolean() ? Options.defaults().withThreads(1, 1) : Options.defaults().withThreads(2, 8);
        try (BigArraysContext ctx = cache ? BigArraysContext.create(1L << 16) : BigArraysContext.create()) {
            BigArray a = BigArray.open(url, options, ctx);
            List<Box> boxes = boxes(r, a.bounds(), count);
            List<byte[]> expected = new ArrayList<>();
            for (Box b : boxes) expected.add(bytes(a.read(b)));
            List<NdView> got = a.read(boxes);
            assertEquals(boxes.size(), got.size());
            for (int i = 0; i < boxes.size(); i++) {
                assertArrayEquals(new long[] {boxes.get(i).min(0), boxes.get(i).min(1), boxes.get(i).min(2), 0}, got.get(i).origin(), "origin of " + i);
                assertArrayEquals(expected.get(i), bytes(got.get(i)), "boxes[" + i + "] " + boxes.get(i) + " of " + boxes);
            }
            // Streamed in windows, with a bound small enough for several windows and chunks kept between them.
            long memory = 2 + r.nextLong(4 * (long) chunk[0] * chunk[1] * chunk[2] * channels * type.size() + 64);
            List<Integer> order = new ArrayList<>();
            a.read(boxes, memory, (v, i) -> {
                order.add(i);
                assertArrayEquals(expected.get(i), bytes(v), "streamed boxes[" + i + "] " + boxes.get(i) + ", memory " + memory);
            });
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < boxes.size(); i++) all.add(i);
            assertEquals(all, order.stream().sorted().toList(), "each cutout once: " + order);
            // A batch that fits one window comes in request order.
            List<Integer> oneWindow = new ArrayList<>();
            a.read(boxes, Long.MAX_VALUE, (v, i) -> oneWindow.add(i));
            assertEquals(all, oneWindow, "request order");
            // Into the caller's views (rank 3 for one channel).
            List<NdView> into = new ArrayList<>();
            for (Box b : boxes) into.add(NdView.allocate(Arena.ofAuto(), type, new long[] {0, 0, 0, 0}, new long[] {b.size(0), b.size(1), b.size(2), channels}));
            a.read(boxes, into);
            for (int i = 0; i < boxes.size(); i++) assertArrayEquals(expected.get(i), bytes(into.get(i)), "into boxes[" + i + "]");
        }
    }

    private static Compression enc(boolean gzip) {
        return gzip ? Compression.GZIP : Compression.NONE;
    }

    /** 40 overlapping 24³ patches of a 96³ layer of 16³ chunks: the requests a batch makes. */
    private static List<Box> patches() {
        SplittableRandom r = new SplittableRandom(7);
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long[] lo = {r.nextLong(0, 72), r.nextLong(0, 72), r.nextLong(0, 72)};
            boxes.add(Box.at(lo, new long[] {24, 24, 24}));
        }
        boxes.add(boxes.get(3)); // a repeat
        return boxes;
    }

    @Test
    void shardedBatchReadsEachChunkAndIndexOnce() {
        String url = layer(new SplittableRandom(1), DataType.UINT16, 1, new long[3], new long[] {96, 96, 96}, new long[] {16, 16, 16},
                new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 2, 3, Compression.GZIP, Compression.GZIP), false, 0);
        List<Box> boxes = patches();
        var grid = new org.bigarrays.core.ChunkGrid(new long[3], new long[] {96, 96, 96}, new long[] {16, 16, 16});
        Counting one = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(one::open)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            for (Box b : boxes) a.read(b);
        }
        for (long memory : new long[] {0, Long.MAX_VALUE, 256L << 10}) {
            Counting batch = new Counting();
            long again;
            try (BigArraysContext ctx = BigArraysContext.withStoreOpener(batch::open)) {
                BigArray a = BigArray.open(url, Options.defaults(), ctx);
                again = memory == 0 ? readAll(a, boxes) : a.read(boxes, memory, (v, i) -> {});
            }
            String what = (memory == 0 ? "read(List)" : "streamed, memory " + memory) + ": " + batch.reads.size() + " reads";
            if (memory == 256L << 10) {
                // Several windows, maybe too little room to keep every shared chunk: those are read
                // again (one read each at most); each shard's index entries are still read once.
                long distinct = boxes.stream().flatMap(b -> {
                    List<String> cells = new ArrayList<>();
                    grid.cellRange(b).forEach(c -> cells.add(Arrays.toString(c)));
                    return cells.stream();
                }).distinct().count();
                long indexes = 8 + 8 * 4; // 8 shards of 4 minishards
                assertTrue(batch.reads.size() <= indexes + distinct + again, batch.reads.size() + " reads, " + distinct + " chunks, " + again + " again");
                Map<String, Long> entryReads = new HashMap<>();
                for (Counting.Read rd : batch.reads) if (rd.range().end() <= 64) entryReads.merge(rd.key(), 1L, Long::sum);
                entryReads.forEach((k, c) -> assertEquals(1L, c, k + ": shard index read " + c + " times"));
                continue;
            }
            assertEquals(0, again, what);
            // No byte of any shard file is read twice: each index entry, minishard index and chunk once.
            Map<String, List<ByteRange>> byFile = new HashMap<>();
            for (Counting.Read rd : batch.reads) byFile.computeIfAbsent(rd.key(), k -> new ArrayList<>()).add(rd.range());
            for (var e : byFile.entrySet()) {
                List<ByteRange> rs = new ArrayList<>(e.getValue());
                rs.sort((x, y) -> Long.compare(x.start(), y.start()));
                for (int i = 0; i < rs.size(); i++) assertTrue(!rs.get(i).isAll() && !rs.get(i).isSuffix(), e.getKey() + " read whole");
                for (int i = 1; i < rs.size(); i++) assertTrue(rs.get(i - 1).end() <= rs.get(i).start(), e.getKey() + " read twice: " + rs.get(i - 1) + " and " + rs.get(i));
            }
            assertTrue(batch.reads.size() * 3 < one.reads.size(), "batch " + batch.reads.size() + " reads vs one by one " + one.reads.size());
        }
    }

    private static long readAll(BigArray a, List<Box> boxes) {
        a.read(boxes);
        return 0;
    }

    @Test
    void unshardedBatchReadsEachChunkOnceAndCountsRereads() {
        String url = layer(new SplittableRandom(2), DataType.UINT8, 2, new long[3], new long[] {96, 96, 96}, new long[] {16, 16, 16}, null, true, 0);
        List<Box> boxes = patches();
        long patch = 24L * 24 * 24 * 2;
        int distinct = -1;
        for (long memory : new long[] {Long.MAX_VALUE, 40 * patch, 8 * patch, 2 * patch}) {
            Counting batch = new Counting();
            long again;
            try (BigArraysContext ctx = BigArraysContext.withStoreOpener(batch::open)) {
                BigArray a = BigArray.open(url, Options.defaults(), ctx);
                again = a.read(boxes, memory, (v, i) -> {});
            }
            Map<String, Integer> perKey = new HashMap<>();
            for (Counting.Read rd : batch.reads) perKey.merge(rd.key(), 1, Integer::sum);
            if (distinct < 0) {
                assertEquals(0, again);
                perKey.forEach((k, n) -> assertEquals(1, n, k + " read " + n + " times"));
                distinct = perKey.size();
            }
            assertEquals(distinct, perKey.size(), "memory " + memory);
            assertEquals(distinct + again, batch.reads.size(), "memory " + memory + ": every read beyond one per chunk is counted");
            if (memory == 2 * patch) assertTrue(again > 0, "one patch per window, one patch of chunks kept: some are read again");
        }
    }

    @Test
    void errorsNameTheBox() {
        String url = layer(new SplittableRandom(3), DataType.UINT8, 1, new long[3], new long[] {32, 32, 32}, new long[] {16, 16, 16}, null, false, 0);
        try (BigArray a = BigArray.open(url, Options.defaults().withStrict(true))) {
            var e = assertThrows(InvalidInputException.class, () -> a.read(List.of(Box.parse("0,0,0:8,8,8"), Box.parse("30,0,0:40,8,8"))));
            assertTrue(e.getMessage().contains("boxes[1]") && e.getMessage().contains("30,0,0:40,8,8"), e.getMessage());
            var rank = assertThrows(InvalidInputException.class, () -> a.read(List.of(Box.parse("0,0:8,8"))));
            assertTrue(rank.getMessage().contains("boxes[0]"), rank.getMessage());
            var into = assertThrows(InvalidInputException.class,
                    () -> a.read(List.of(Box.parse("0,0,0:8,8,8")), List.of(NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {8, 8, 7, 1}))));
            assertTrue(into.getMessage().contains("boxes[0]"), into.getMessage());
        }
        assertEquals("[]", Arrays.toString(BigArray.open(url).read(List.<Box>of()).toArray()));
    }
}
