package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bigarrays.ConflictException;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.KeyUpdate;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.MemoryStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.junit.jupiter.api.Test;

/** {@link ShardedKeyValueStore}: keys, batching, conditions, concurrent writers, caps and bombs. */
class ShardedKeyValueStoreTest {
    private static final ShardLimits LIMITS = ShardLimits.of(1 << 16, 1 << 12);

    private static MemorySegment seg(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(ReadResult r) {
        return new String(r.toByteArray(), StandardCharsets.UTF_8);
    }

    private static String k(long id) {
        return ShardedKeyValueStore.key(id);
    }

    private static ShardingSpec spec(int preshift, ShardingSpec.Hash h, int minishard, int shard, boolean gzip) {
        Compression e = gzip ? Compression.GZIP : Compression.NONE;
        return new ShardingSpec(preshift, h, minishard, shard, e, e);
    }

    @Test
    void keysAreFixedWidthLowerCaseHexInNumericOrder() {
        assertEquals("0000000000000000", k(0));
        assertEquals("00000000000000ff", k(255));
        assertEquals("ffffffffffffffff", k(-1));
        for (long id : new long[] {0, 1, 255, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1}) assertEquals(id, ShardedKeyValueStore.idOf(k(id)));
        assertTrue(k(9).compareTo(k(10)) < 0 && k(255).compareTo(k(256)) < 0 && k(Long.MAX_VALUE).compareTo(k(Long.MIN_VALUE)) < 0);
        for (String bad : new String[] {"", "ff", "00000000000000FF", "0x00000000000000f", "000000000000000g", "00000000000000000", "a/b"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ShardedKeyValueStore.idOf(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Requests of a batch: one shard-index read per shard, one per uncached minishard, one per run. */
    @Test
    void batchReadsCostIndexReadsPlusMinishardReadsPlusRuns() {
        ShardingSpec spec = spec(2, ShardingSpec.Hash.IDENTITY, 2, 1, false);
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore writer = new ShardedKeyValueStore(mem, spec, "s/", LIMITS);
        // ids 0..31: minishard = (id >> 2) & 3, shard = (id >> 4) & 1; chunks stored per minishard in id order.
        Map<Long, SortedMap<Long, MemorySegment>> shards = new TreeMap<>();
        Set<Long> stored = new HashSet<>();
        for (long id = 0; id < 32; id++) {
            if (id % 5 == 3) continue; // some absent chunks
            shards.computeIfAbsent(spec.shardOf(id), s -> new TreeMap<>()).put(id, seg("chunk " + id));
            stored.add(id);
        }
        writer.writeShards(shards);
        List<Long> want = List.of(0L, 1L, 2L, 5L, 6L, 7L, 8L, 9L, 13L, 20L, 21L, 22L, 23L, 31L, 3L);
        // Expected runs: per minishard, maximal blocks of stored ids (in order) that are all wanted.
        int runs = 0;
        Set<Integer> minishards = new HashSet<>();
        Set<Long> shardsTouched = new HashSet<>();
        for (long shard = 0; shard < 2; shard++) {
            for (int m = 0; m < 4; m++) {
                boolean inRun = false;
                for (long id = 0; id < 32; id++) {
                    if (spec.shardOf(id) != shard || spec.minishardOf(id) != m || !stored.contains(id)) continue;
                    boolean w = want.contains(id);
                    if (w && !inRun) runs++;
                    inRun = w;
                }
            }
        }
        for (long id : want) {
            shardsTouched.add(spec.shardOf(id));
            minishards.add((int) (spec.shardOf(id) * 4 + spec.minishardOf(id)));
        }
        CountingStore counting = new CountingStore(mem);
        ShardedKeyValueStore store = new ShardedKeyValueStore(counting, spec, "s/", LIMITS);
        List<ReadResult> got = store.readMany(want.stream().map(ShardedKeyValueStoreTest::k).toList(), ReadOptions.ALL);
        for (int i = 0; i < want.size(); i++) {
            long id = want.get(i);
            if (stored.contains(id)) {
                assertEquals("chunk " + id, str(got.get(i)));
            } else {
                assertFalse(got.get(i).found());
            }
        }
        assertEquals(shardsTouched.size() + minishards.size() + runs, counting.reads.size(), "reads: " + counting.reads);
        // Again: the minishard indexes are cached, so only the runs are read.
        counting.reads.clear();
        store.readMany(want.stream().map(ShardedKeyValueStoreTest::k).toList(), ReadOptions.ALL);
        assertEquals(runs, counting.reads.size(), "reads: " + counting.reads);
    }

    /** The runs of a batch are read at once: two data reads must meet at a barrier. */
    @Test
    void runsOfABatchAreReadInParallel() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 1, 0, true);
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore store0 = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        store0.update(List.of(KeyUpdate.put(k(0), seg("zero")), KeyUpdate.put(k(1), seg("one"))), ConflictRetry.DEFAULT);
        CyclicBarrier barrier = new CyclicBarrier(2);
        AtomicInteger met = new AtomicInteger();
        KeyValueStore meeting = new CountingStore(mem) {
            @Override
            public ReadResult read(String key, ReadOptions options) {
                if (options.ifEqual() != null && !options.range().isSuffix() && options.range().start() >= spec.shardIndexSize()) {
                    try {
                        barrier.await(5, TimeUnit.SECONDS);
                        met.incrementAndGet();
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        throw new AssertionError("reads of one batch did not run in parallel", e);
                    }
                }
                return super.read(key, options);
            }
        };
        ShardedKeyValueStore store = new ShardedKeyValueStore(meeting, spec, "", LIMITS);
        // Two minishards: two minishard-index reads, then two runs, each pair at once.
        List<ReadResult> r = store.readMany(List.of(k(0), k(1)), ReadOptions.ALL);
        assertEquals("zero", str(r.get(0)));
        assertEquals("one", str(r.get(1)));
        assertEquals(4, met.get());
    }

    @Test
    void conditionsUseTheShardGeneration() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 1, 1, true);
        ShardedKeyValueStore store = new ShardedKeyValueStore(new MemoryStore("mem://t/"), spec, "", LIMITS);
        WriteResult w1 = store.write(k(0), seg("a"), WriteOptions.ifMissing());
        assertTrue(w1.written());
        assertFalse(store.write(k(0), seg("b"), WriteOptions.ifMissing()).written(), "ifMissing on a present chunk");
        String g = store.read(k(0)).generation();
        assertEquals(w1.generation(), g);
        assertEquals("a", str(store.read(k(0), ReadOptions.ALL.withIfEqual(g))));
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read(k(0), ReadOptions.ALL.withIfEqual("nope")).state());
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read(k(0), ReadOptions.ALL.withIfNotEqual(g)).state());
        // Another chunk of the same shard (id 1: minishard 1, shard 0) changes chunk 0's generation.
        assertEquals(0, spec.shardOf(1));
        store.write(k(1), seg("other"));
        String g2 = store.read(k(0)).generation();
        assertNotEquals(g, g2);
        WriteResult stale = store.write(k(0), seg("c"), WriteOptions.ifEqual(g));
        assertFalse(stale.written());
        assertEquals(g2, stale.generation());
        assertEquals("a", str(store.read(k(0))));
        assertTrue(store.write(k(0), seg("c"), WriteOptions.ifEqual(g2)).written());
        assertEquals("c", str(store.read(k(0))));
        // An absent chunk (in an existing or a missing shard) has generation NO_VALUE.
        for (long absent : new long[] {3, 2}) {
            assertEquals(ReadResult.State.MISSING, store.read(k(absent), ReadOptions.ALL.withIfEqual(Generation.NO_VALUE)).state());
            assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read(k(absent), ReadOptions.ALL.withIfEqual(g2)).state());
            assertFalse(store.write(k(absent), seg("x"), WriteOptions.ifEqual(g2)).written());
        }
        assertEquals(1, spec.shardOf(2));
        assertTrue(store.write(k(2), seg("new shard"), WriteOptions.ifEqual(Generation.NO_VALUE)).written());
        assertEquals("new shard", str(store.read(k(2))));
    }

    @Test
    void rangesApplyToTheDecodedChunk() {
        ShardedKeyValueStore store = new ShardedKeyValueStore(new MemoryStore("mem://t/"), spec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 1, true), "", LIMITS);
        store.write(k(42), seg("0123456789"));
        assertEquals("234", str(store.read(k(42), ByteRange.of(2, 5))));
        assertEquals("789", str(store.read(k(42), ByteRange.suffix(3))));
        assertEquals("", str(store.read(k(42), ByteRange.of(12, 20))));
        assertTrue(store.exists(k(42)));
        assertFalse(store.exists(k(43)));
    }

    /** Two stores (as two processes would) updating different chunks of one shard: no update is lost. */
    @Test
    void twoWritersOfOneShardBothSurvive() throws Exception {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 1, 0, true);
        MemoryStore mem = new MemoryStore("mem://t/");
        AtomicInteger conflicts = new AtomicInteger();
        KeyValueStore counting = new CountingStore(mem) {
            @Override
            public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                WriteResult w = super.write(key, value, options);
                if (!w.written()) conflicts.incrementAndGet();
                return w;
            }
        };
        int perWriter = 40;
        int rounds = 3;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int parity = w;
            ShardedKeyValueStore store = new ShardedKeyValueStore(counting, spec, "", LIMITS);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        for (int i = 0; i < perWriter; i++) store.write(k(2L * i + parity), seg("w" + parity + " chunk " + i + " round " + round));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError("a writer failed", failure.get());
        ShardedKeyValueStore check = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        for (int w = 0; w < 2; w++) {
            for (int i = 0; i < perWriter; i++) {
                assertEquals("w" + w + " chunk " + i + " round " + (rounds - 1), str(check.read(k(2L * i + w))), "chunk " + (2 * i + w));
            }
        }
        assertEquals(2 * perWriter, check.list("").size());
        System.getLogger("test").log(System.Logger.Level.DEBUG, "conflicts retried: " + conflicts.get());
    }

    @Test
    void aWriterThatAlwaysLosesGivesUpWithOneLineNamingTheShard() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 0, 2, false);
        KeyValueStore alwaysChanged = new CountingStore(new MemoryStore("mem://t/")) {
            @Override
            public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                return WriteResult.conditionNotMet("someone else's");
            }
        };
        ShardedKeyValueStore store = new ShardedKeyValueStore(alwaysChanged, spec, "scale/", LIMITS.withRetry(new ConflictRetry(3, 0, 0)));
        ConflictException e = assertThrows(ConflictException.class, () -> store.write(k(2), seg("x")));
        assertTrue(e.getMessage().contains("mem://t/ key '2.shard'") && e.getMessage().contains("3 read-modify-write attempts"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void deleteRemovesOneChunkAndKeepsTheOthers() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 0, false);
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        store.write(k(1), seg("one"));
        store.write(k(2), seg("two"));
        assertTrue(store.delete(k(1)));
        assertFalse(store.delete(k(1)));
        assertFalse(store.read(k(1)).found());
        assertEquals("two", str(store.read(k(2))));
        assertTrue(store.delete(k(2)));
        assertEquals(List.of(), store.list(""));
        // The emptied shard stays as a valid empty shard file (see the class notes on why).
        assertEquals(List.of("0.shard"), mem.list(""));
        assertEquals(spec.shardIndexSize(), mem.read("0.shard").bytes().byteSize());
    }

    @Test
    void writeShardsReplacesWholeShardsAndUpdateKeepsWhatItDoesNotList() {
        ShardingSpec spec = spec(1, ShardingSpec.Hash.IDENTITY, 1, 2, true);
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        // shard of id = (id >> 2) & 3
        store.writeShards(Map.of(0L, new TreeMap<>(Map.of(0L, seg("a0"), 1L, seg("a1"), 2L, seg("a2"))), 1L, new TreeMap<>(Map.of(4L, seg("b4")))));
        assertEquals(List.of(k(0), k(1), k(2), k(4)), store.list(""));
        store.writeShards(Map.of(0L, new TreeMap<>(Map.of(3L, seg("a3")))));
        assertEquals(List.of(k(3), k(4)), store.list(""));
        store.update(List.of(KeyUpdate.put(k(0), seg("p0")), KeyUpdate.put(k(5), seg("p5")), KeyUpdate.put(k(9), seg("p9"))), ConflictRetry.DEFAULT);
        assertEquals(List.of(k(0), k(3), k(4), k(5), k(9)), store.list(""));
        assertEquals("a3", str(store.read(k(3))));
        assertEquals("p5", str(store.read(k(5))));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> store.writeShards(Map.of(0L, new TreeMap<>(Map.of(4L, seg("x"))))));
        assertTrue(e.getMessage().contains("chunk 4 belongs to 1.shard, not 0.shard"), e.getMessage());
        store.writeShards(Map.of(1L, new TreeMap<>()));
        assertFalse(mem.exists("1.shard"));
        assertEquals(List.of(k(0), k(3), k(9)), store.list(""));
    }

    @Test
    void listFiltersByKeyPrefixInNumericOrder() {
        ShardedKeyValueStore store = new ShardedKeyValueStore(new MemoryStore("mem://t/"), spec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 2, 3, true), "", LIMITS);
        TreeMap<String, String> model = new TreeMap<>();
        for (long id : new long[] {0x10, 0x11, 0x1ff, 0xabc, 0xabd, 1L << 40, Long.MAX_VALUE, -1, Long.MIN_VALUE, 7}) {
            store.write(k(id), seg(Long.toHexString(id)));
            model.put(k(id), Long.toHexString(id));
        }
        store.base().write("not-a-shard.txt", seg("ignored"));
        for (String p : new String[] {"", "0", "00000000000001", "0000000000000a", "00000000000000ab", "7", "8", "f", "ffffffffffffffff"}) {
            assertEquals(model.keySet().stream().filter(x -> x.startsWith(p)).toList(), store.list(p), "prefix " + p);
        }
        for (String p : new String[] {"G", "x/", "00000000000000001", "A"}) assertEquals(List.of(), store.list(p), "prefix " + p);
        List<ReadResult> all = store.readMany(List.copyOf(model.keySet()), ReadOptions.ALL);
        int i = 0;
        for (String v : model.values()) assertEquals(v, str(all.get(i++)));
    }

    @Test
    void encoderOutputThroughTheStoreMatchesTensorstoreByteForByte() {
        var v = Fixtures.json("tensorstore/sharded_kvstore_vectors.json").get("shard_encoder_raw");
        ShardingSpec spec = ShardingSpec.parse(v.get("sharding"), "t");
        TreeMap<Long, MemorySegment> chunks = new TreeMap<>();
        for (var w : v.get("writes_in_order")) chunks.put(w.get("chunk_id").asLong(), MemorySegment.ofArray(Fixtures.hex(w.get("data_hex").asText())));
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        store.writeShards(Map.of(0L, chunks));
        assertArrayEquals(Fixtures.bytes("tensorstore/shard_encoder_raw/0.shard"), mem.read("0.shard").toByteArray());
        // Single-chunk writes in any order build the same file (chunks are kept sorted).
        MemoryStore mem2 = new MemoryStore("mem://t/");
        ShardedKeyValueStore store2 = new ShardedKeyValueStore(mem2, spec, "", LIMITS);
        for (long id : chunks.descendingKeySet()) store2.write(k(id), chunks.get(id));
        assertArrayEquals(Fixtures.bytes("tensorstore/shard_encoder_raw/0.shard"), mem2.read("0.shard").toByteArray());
    }

    // ---------------------------------------------------------------- caps and bombs (issue 15.7)

    private static long allocatedBytes(Runnable r) {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(id);
        r.run();
        return bean.getThreadAllocatedBytes(id) - before;
    }

    private static MemorySegment withIsize(MemorySegment gz, int isize) {
        byte[] b = gz.toArray(ValueLayout.JAVA_BYTE);
        MemorySegment.ofArray(b).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), b.length - 4, isize);
        return MemorySegment.ofArray(b);
    }

    /** A 64 MiB gzip bomb as a chunk: rejected at once, whether its trailer tells the truth or lies. */
    @Test
    void gzipBombChunkIsCorruptQuicklyWithBoundedMemory() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 0, 0, true);
        MemorySegment bomb = Compression.GZIP.compress(MemorySegment.ofArray(new byte[64 << 20]));
        for (MemorySegment stored : List.of(bomb, withIsize(bomb, 100))) {
            MemoryStore mem = new MemoryStore("mem://t/");
            mem.write("0.shard", ShardEncoder.assemble(spec, Map.of(7L, stored)));
            ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "scale/", ShardLimits.of(4096, 1000));
            long t0 = System.nanoTime();
            long allocated = allocatedBytes(() -> {
                CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> store.read(k(7)));
                assertTrue(e.getMessage().contains("scale/0.shard, chunk 7"), e.getMessage());
                assertThrows(CorruptChunkException.class, () -> store.readShard(0));
            });
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "took " + (System.nanoTime() - t0) / 1e6 + " ms");
            assertTrue(allocated < 8 * (bomb.byteSize() + (1 << 20)), "allocated " + allocated + " bytes");
        }
    }

    /** A gzip-bomb minishard index (48 MiB of entries for a grid of 1000 chunks). */
    @Test
    void gzipBombMinishardIndexIsCorruptQuicklyWithBoundedMemory() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 0, 0, true);
        MemorySegment bomb = Compression.GZIP.compress(MemorySegment.ofArray(new byte[48 << 20]));
        for (MemorySegment stored : List.of(bomb, withIsize(bomb, 24 * 10))) {
            byte[] file = new byte[16 + (int) stored.byteSize()];
            MemorySegment f = MemorySegment.ofArray(file);
            f.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8, stored.byteSize());
            MemorySegment.copy(stored, 0, f, 16, stored.byteSize());
            MemoryStore mem = new MemoryStore("mem://t/");
            mem.write("0.shard", f);
            ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "scale/", ShardLimits.of(4096, 1000));
            long t0 = System.nanoTime();
            long allocated = allocatedBytes(() -> {
                CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> store.read(k(7)));
                assertTrue(e.getMessage().contains("scale/0.shard, chunk 7") && e.getMessage().contains("minishard 0 index"), e.getMessage());
                assertThrows(CorruptChunkException.class, () -> store.list(""));
            });
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "took " + (System.nanoTime() - t0) / 1e6 + " ms");
            assertTrue(allocated < 8 * (stored.byteSize() + (1 << 20)), "allocated " + allocated + " bytes");
        }
    }

    @Test
    void rawIndexesAndChunksBeyondTheCapsAreCorruptBeforeTheyAreRead() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 0, 0, false);
        TreeMap<Long, MemorySegment> chunks = new TreeMap<>();
        for (long id = 0; id < 20; id++) chunks.put(id, MemorySegment.ofArray(new byte[100]));
        MemoryStore mem = new MemoryStore("mem://t/");
        mem.write("0.shard", ShardEncoder.encode(spec, chunks));
        // 20 chunks in the index, a grid of 10: the 480-byte index is too large to be one.
        CountingStore counting = new CountingStore(mem);
        var e = assertThrows(CorruptChunkException.class, () -> new ShardedKeyValueStore(counting, spec, "", ShardLimits.of(4096, 10)).read(k(3)));
        assertTrue(e.getMessage().contains("larger than the 240 bytes an index of 10 chunks can take"), e.getMessage());
        assertEquals(1, counting.reads.size(), "only the shard index was read");
        // Chunks of 100 bytes where the largest chunk is 64.
        var c = assertThrows(CorruptChunkException.class, () -> new ShardedKeyValueStore(counting, spec, "", ShardLimits.of(64, 100)).read(k(3)));
        assertTrue(c.getMessage().contains("chunk 3") && c.getMessage().contains("larger than the 64"), c.getMessage());
        // And writing one is refused.
        var w = assertThrows(InvalidInputException.class, () -> new ShardedKeyValueStore(mem, spec, "", ShardLimits.of(64, 100)).write(k(3), MemorySegment.ofArray(new byte[65])));
        assertTrue(w.getMessage().contains("chunk 3 of 65 bytes"), w.getMessage());
    }

    @Test
    void aShardIndexShorterThanItsSizeIsCorrupt() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 3, 0, false);
        MemoryStore mem = new MemoryStore("mem://t/");
        mem.write("0.shard", MemorySegment.ofArray(new byte[16 * 8 - 1]));
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        var e = assertThrows(CorruptChunkException.class, () -> store.read(k(7)));
        assertTrue(e.getMessage().contains("shard index requires 128 bytes (file has 127)"), e.getMessage());
        assertThrows(CorruptChunkException.class, () -> store.list(""));
        assertThrows(CorruptChunkException.class, () -> store.write(k(1), seg("x")), "a corrupt shard is not overwritten by a chunk update");
    }

    @Test
    void aMinishardIndexListingAForeignChunkIsCorrupt() {
        ShardingSpec spec = spec(0, ShardingSpec.Hash.IDENTITY, 1, 0, false);
        // Build with a spec of one minishard, read with two: chunk 1 sits in minishard 0's index.
        ShardingSpec one = spec(0, ShardingSpec.Hash.IDENTITY, 0, 0, false);
        MemoryStore mem = new MemoryStore("mem://t/");
        byte[] f = ShardEncoder.encode(one, new TreeMap<>(Map.of(0L, seg("a"), 1L, seg("b")))).toArray(ValueLayout.JAVA_BYTE);
        // Prepend an empty entry for minishard 1 and shift minishard 0's entry by 16.
        byte[] g = new byte[f.length + 16];
        MemorySegment gs = MemorySegment.ofArray(g);
        var le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        gs.set(le, 0, MemorySegment.ofArray(f).get(le, 0));
        gs.set(le, 8, MemorySegment.ofArray(f).get(le, 8));
        System.arraycopy(f, 16, g, 32, f.length - 16);
        mem.write("0.shard", gs);
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "", LIMITS);
        var e = assertThrows(CorruptChunkException.class, () -> store.read(k(0)));
        assertTrue(e.getMessage().contains("lists chunk 1, which belongs to minishard 1"), e.getMessage());
    }
}
