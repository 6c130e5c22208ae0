package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.junit.jupiter.api.Test;

/**
 * A sharded scale's fetcher taken from many threads at once (as a cutout's chunk tasks take it):
 * every chunk's bytes are those a lone read gives, the requests are still the minimum (shards +
 * minishards + runs, as one sequential taker makes them), and a failing run fails exactly the
 * takers of its chunks, none of them left waiting.
 */
class ShardBatchConcurrencyTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private record Layer(String url, Info info, Scale scale) {}

    private static Layer write(ShardingSpec spec, long seed) {
        String url = "mem://shard-batch-" + NAMES.incrementAndGet() + "/";
        Info info = Info.builder(DataType.UINT8, new long[] {32, 28, 16}, new long[] {4, 4, 4}).sharding(spec).build();
        try (BigArray a = BigArray.create(url, info)) {
            NdView data = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {32, 28, 16, 1});
            byte[] ref = new byte[(int) data.byteSize()];
            new Random(seed).nextBytes(ref);
            MemorySegment.copy(MemorySegment.ofArray(ref), 0, data.segment(), 0, ref.length);
            a.write(data);
        }
        return new Layer(url, info, info.scale(0));
    }

    private static KeyValueStore scaleStore(Layer l) {
        return KeyValueStores.open(URI.create(l.url() + l.scale().key() + "/"));
    }

    /** Every cell of {@code cells} fetched through {@code f}, the cells dealt round robin to {@code threads} threads. */
    private static List<Future<byte[]>> takeConcurrently(ScaleChunkStore.Fetcher f, List<long[]> cells, int threads, ExecutorService ex) {
        List<Future<byte[]>> out = new ArrayList<>();
        List<List<Integer>> dealt = new ArrayList<>();
        for (int t = 0; t < threads; t++) dealt.add(new ArrayList<>());
        for (int i = 0; i < cells.size(); i++) dealt.get(i % threads).add(i);
        @SuppressWarnings("unchecked")
        Future<byte[]>[] byCell = new Future[cells.size()];
        for (List<Integer> mine : dealt) {
            List<java.util.concurrent.CompletableFuture<byte[]>> fs = new ArrayList<>();
            for (int i : mine) {
                var cf = new java.util.concurrent.CompletableFuture<byte[]>();
                fs.add(cf);
                byCell[i] = cf;
            }
            ex.submit(() -> {
                for (int k = 0; k < mine.size(); k++) {
                    try (ReadResult r = f.fetch(cells.get(mine.get(k)))) {
                        fs.get(k).complete(r.found() ? r.toByteArray() : null);
                    } catch (Throwable e) {
                        fs.get(k).completeExceptionally(e);
                    }
                }
            });
        }
        for (Future<byte[]> b : byCell) out.add(b);
        return out;
    }

    @Property(tries = 20)
    void concurrentTakersGetEveryChunkWithTheMinimumRequests(@ForAll @IntRange(min = 0, max = 2) int preshift,
                                                             @ForAll @IntRange(min = 0, max = 3) int minishard,
                                                             @ForAll @IntRange(min = 0, max = 3) int shard, @ForAll boolean murmur,
                                                             @ForAll boolean gzip, @ForAll @IntRange(min = 2, max = 12) int threads,
                                                             @ForAll long seed) throws Exception {
        ShardingSpec spec = new ShardingSpec(preshift, murmur ? ShardingSpec.Hash.MURMURHASH3_X86_128 : ShardingSpec.Hash.IDENTITY, minishard, shard,
                gzip ? Compression.GZIP : Compression.NONE, gzip ? Compression.GZIP : Compression.NONE);
        Layer l = write(spec, seed);
        Random rnd = new Random(seed);
        long[] lo = new long[3], hi = new long[3];
        long[] size = {32, 28, 16};
        for (int i = 0; i < 3; i++) {
            lo[i] = rnd.nextInt((int) size[i]);
            hi[i] = lo[i] + 1 + rnd.nextInt((int) (size[i] - lo[i]));
        }
        ScaleChunkStore lone = new ScaleChunkStore(l.info(), l.scale(), scaleStore(l), BufferPool.unpooled());
        CellRange range = lone.grid().cellRange(Box.of(lo, hi));
        List<long[]> cells = new ArrayList<>();
        range.forEach(c -> cells.add(c.clone()));

        // The minimum, from one sequential taker on a fresh store.
        CountingStore sequential = new CountingStore(scaleStore(l));
        ScaleChunkStore seq = new ScaleChunkStore(l.info(), l.scale(), sequential, BufferPool.unpooled());
        ScaleChunkStore.Fetcher fs = seq.fetcher(range);
        for (long[] c : cells) fs.fetch(c).close();

        CountingStore counting = new CountingStore(scaleStore(l));
        ScaleChunkStore driver = new ScaleChunkStore(l.info(), l.scale(), counting, new BufferPool(16));
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<byte[]>> got = takeConcurrently(driver.fetcher(range), cells, threads, ex);
            for (int i = 0; i < cells.size(); i++) {
                try (ReadResult want = lone.fetch(cells.get(i))) {
                    assertArrayEquals(want.toByteArray(), got.get(i).get(60, TimeUnit.SECONDS), "chunk " + lone.key(cells.get(i)));
                }
            }
        }
        assertEquals(sequential.reads.size(), counting.reads.size(), "requests with " + threads + " takers vs one: " + counting.reads);
        assertEquals(new HashSet<>(sequential.reads), new HashSet<>(counting.reads), "the same reads, whoever makes them");
    }

    /** One shard, one minishard: its two index reads succeed, the read of its chunks fails; every taker sees the failure. */
    @Test
    void aFailingRunFailsItsTakersAndLeavesNoneWaiting() throws Exception {
        ShardingSpec spec = new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 0, 0, Compression.NONE, Compression.NONE);
        Layer l = write(spec, 7);
        AtomicInteger reads = new AtomicInteger();
        KeyValueStore failing = new org.bigarrays.kvstore.ForwardingStore(scaleStore(l)) {
            @Override
            public ReadResult read(String key, ReadOptions options) {
                if (reads.incrementAndGet() > 2) throw new StorageException(uri(), key, "read", "injected failure");
                return base.read(key, options);
            }
        };
        ScaleChunkStore driver = new ScaleChunkStore(l.info(), l.scale(), failing, BufferPool.unpooled());
        // Every other chunk along x is taken (by 6 threads); the rest are read by helpers or never.
        CellRange range = driver.grid().cellRange(Box.of(new long[] {0, 0, 0}, new long[] {32, 28, 16}));
        List<long[]> cells = new ArrayList<>();
        range.forEach(c -> {
            if (c[0] % 2 == 0) cells.add(c.clone());
        });
        Set<String> messages = new HashSet<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<byte[]> f : takeConcurrently(driver.fetcher(range), cells, 6, ex)) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
                assertInstanceOf(StorageException.class, e.getCause());
                messages.add(e.getCause().getMessage());
            }
        }
        assertTrue(messages.stream().allMatch(m -> m.contains("injected failure")), messages.toString());
    }
}
