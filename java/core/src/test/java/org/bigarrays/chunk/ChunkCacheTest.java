package org.bigarrays.chunk;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.junit.jupiter.api.Test;

/** The decoded-chunk cache: one fetch per chunk for concurrent readers, bytes bound, lifetimes, invalidation. */
class ChunkCacheTest {
    private static final AtomicInteger N = new AtomicInteger();

    /** Counts reads of chunk keys (not "info") per key, slowed down so that concurrent readers overlap. */
    private static final class Counting {
        final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
        volatile boolean fail;
        volatile long delayMs;

        KeyValueStore open(URI uri) {
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public ReadResult read(String key, ReadOptions options) {
                    if (!key.equals("info")) {
                        reads.computeIfAbsent(uri + key, k -> new AtomicInteger()).incrementAndGet();
                        if (fail) throw new StorageException(uri.toString(), key, "read", "injected failure");
                        sleep(delayMs);
                    }
                    return super.read(key, options);
                }
            };
        }

        int total() {
            return reads.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        int max() {
            return reads.values().stream().mapToInt(AtomicInteger::get).max().orElse(0);
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A 64³ uint16 layer of 16³ chunks (64 chunks), gzip, filled with a position pattern. */
    private static String layer() {
        String url = "mem://cache-" + N.incrementAndGet() + "/layer";
        Info info = Info.builder(DataType.UINT16, new long[] {64, 64, 64}, new long[] {16, 16, 16}).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withCompression(Compression.GZIP))) {
            NdView v = a.read(a.bounds());
            for (int z = 0; z < 64; z++) for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) v.set(new long[] {x, y, z, 0}, (short) (x + 64 * y + 4096 * z));
            a.write(v);
        }
        return url;
    }

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void concurrentReadersOfTheSameChunksFetchEachOnce() throws Exception {
        String url = layer();
        Box box = Box.parse("5,5,5:59,59,59"); // all 64 chunks
        byte[] expected;
        try (BigArray a = BigArray.open(url)) {
            expected = bytes(a.read(box));
        }
        Counting c = new Counting();
        c.delayMs = 5;
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open, 64L << 20)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            int threads = 16;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[]>> got = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                got.add(pool.submit(() -> {
                    start.await();
                    return bytes(a.read(box));
                }));
            }
            start.countDown();
            for (Future<byte[]> f : got) assertTrue(java.util.Arrays.equals(expected, f.get()), "a cached read differs from the uncached one");
            pool.shutdown();
            assertEquals(64, c.reads.size(), "distinct chunk keys read: " + c.reads.keySet());
            assertEquals(1, c.max(), "some chunk was fetched more than once: " + c.reads);
            ChunkCache.Stats s = ctx.chunkCache().stats();
            assertEquals(64, s.loads());
            assertEquals(64, s.entries());
            assertEquals(64L * 16 * 16 * 16 * 2, s.bytes());
            assertTrue(s.waits() + s.hits() >= 15 * 64, "other readers waited for or hit the loaded chunks: " + s);
        }
    }

    @Test
    void evictsLeastRecentlyUsedChunksToStayUnderItsBytes() {
        String url = layer();
        long chunkBytes = 16 * 16 * 16 * 2;
        Counting c = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open, 4 * chunkBytes)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            Box first = Box.parse("0,0,0:32,32,16");   // 4 chunks: fit exactly
            a.read(first);
            assertEquals(4, c.total());
            a.read(first);
            assertEquals(4, c.total(), "second read of the same chunks comes from the cache");
            a.read(Box.parse("0,0,16:16,16,32"));       // a fifth chunk: the least recently used one goes
            ChunkCache.Stats s = ctx.chunkCache().stats();
            assertEquals(5, c.total());
            assertEquals(1, s.evictions());
            assertEquals(4 * chunkBytes, s.bytes());
            assertTrue(s.bytes() <= s.capacity());
            a.read(Box.parse("0,0,0:64,64,64"));        // 64 chunks through a 4-chunk cache
            s = ctx.chunkCache().stats();
            assertTrue(s.bytes() <= 4 * chunkBytes && s.entries() <= 4, "over its bytes: " + s);
        }
    }

    @Test
    void cachedReadsEqualUncachedReadsForRandomBoxes() {
        String url = layer();
        Random r = new Random(14);
        try (BigArray plain = BigArray.open(url);
             BigArraysContext ctx = BigArraysContext.create(12 * 16 * 16 * 16 * 2)) {
            BigArray cached = BigArray.open(url, Options.defaults().withFillValue(0), ctx);
            for (int i = 0; i < 150; i++) {
                long[] lo = new long[3];
                long[] hi = new long[3];
                for (int d = 0; d < 3; d++) {
                    lo[d] = r.nextInt(80) - 8;          // some boxes reach outside the volume
                    hi[d] = lo[d] + 1 + r.nextInt(24);
                }
                Box b = Box.of(lo, hi);
                assertTrue(java.util.Arrays.equals(bytes(plain.read(b)), bytes(cached.read(b))), "box " + b);
            }
            assertTrue(ctx.chunkCache().stats().hits() > 0);
        }
    }

    @Test
    void writesThroughTheContextReplaceCachedChunks() {
        String url = layer();
        try (BigArraysContext ctx = BigArraysContext.create(64L << 20)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            Box chunk = Box.parse("16,16,16:32,32,32");
            assertEquals((short) (20 + 64 * 20 + 4096 * 20), a.read(chunk).getShort(20, 20, 20, 0));
            NdView v = a.read(chunk);
            v.set(new long[] {20, 20, 20, 0}, 7);
            a.write(v);
            assertEquals(7, a.read(chunk).getShort(20, 20, 20, 0), "the cached chunk was replaced by the write");
            assertEquals(7, a.read(Box.parse("0,0,0:64,64,64")).getShort(20, 20, 20, 0));
        }
    }

    @Test
    void aFailedLoadIsReportedAndNotKept() {
        String url = layer();
        Counting c = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open, 64L << 20)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            c.fail = true;
            assertThrows(StorageException.class, () -> a.read(Box.parse("0,0,0:16,16,16")));
            c.fail = false;
            assertEquals((short) (1 + 64 + 4096), a.read(Box.parse("0,0,0:16,16,16")).getShort(1, 1, 1, 0));
        }
    }

    @Test
    void anEvictedChunkStaysUsableUntilItsReaderIsDone() {
        String url = layer();
        try (BigArraysContext ctx = BigArraysContext.create(64L << 20)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            ScaleChunkStore scale = ArrayInternals.chunks(a);
            ChunkCache cache = ctx.chunkCache();
            long[] cell = {1, 0, 0};
            ChunkCache.Ref held = cache.get(scale, cell, () -> scale.decode(cell, scale.fetch(cell)));
            DecodedChunk chunk = held.chunk();
            cache.clear();                       // evicts: the cache lets go of its reference
            assertEquals(0, cache.stats().bytes());
            assertEquals((short) 16, chunk.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0), "still readable while held");
            held.close();                        // the last reference: now the memory goes back
            assertThrows(IllegalStateException.class, chunk::data);
            // A second get loads again (the chunk is no longer resident) and yields a live chunk.
            try (ChunkCache.Ref again = cache.get(scale, cell, () -> scale.decode(cell, scale.fetch(cell)))) {
                assertEquals((short) 16, again.chunk().data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
            }
        }
    }

    @Test
    void aChunkLargerThanTheCacheIsReadButNotKept() {
        String url = layer();
        try (BigArraysContext ctx = BigArraysContext.create(100)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            assertEquals((short) (3 + 64 * 4 + 4096 * 5), a.read(Box.parse("0,0,0:16,16,16")).getShort(3, 4, 5, 0));
            assertEquals(0, ctx.chunkCache().stats().entries());
        }
    }
}
