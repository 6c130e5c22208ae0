package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.KeyUpdate;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;

/**
 * Concurrent writers of one shard through the production write path
 * ({@link ShardedKeyValueStore#update}), each with a store of its own over the same base store,
 * as separate processes would be (no shared lock): each writer owns some chunks of the one shard
 * and increments a counter in each of them, round after round, by a patch, so a lost update
 * shows as a counter short of the rounds. Run over memory and file stores here and over S3Proxy
 * in the s3 module.
 */
public final class ShardWriters {
    private ShardWriters() {}

    /** One shard (identity hash, no shard bits), 4 minishards, gzip data and indexes. */
    static final ShardingSpec ONE_SHARD = new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 2, 0, Compression.GZIP, Compression.GZIP);

    /**
     * {@code writers} threads, each incrementing its {@code chunksEach} chunks {@code rounds}
     * times; asserts that every counter reached {@code rounds}.
     */
    public static void incrementsAllSurvive(KeyValueStore base, int writers, int chunksEach, int rounds) throws Exception {
        ConflictRetry patient = new ConflictRetry(200, 1, 20); // many writers of one shard: conflicts are the point
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            ShardedKeyValueStore store = new ShardedKeyValueStore(base, ONE_SHARD, "", ShardLimits.of(1 << 16, 1 << 16).withRetry(patient));
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        List<KeyUpdate> batch = new ArrayList<>();
                        for (int i = 0; i < chunksEach; i++) batch.add(KeyUpdate.patch(ShardedKeyValueStore.key((long) i * writers + writer), ShardWriters::increment));
                        store.update(batch, patient);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError("a writer failed: " + failure.get(), failure.get());
        ShardedKeyValueStore check = new ShardedKeyValueStore(base, ONE_SHARD, "", ShardLimits.of(1 << 16, 1 << 16));
        for (long id = 0; id < (long) writers * chunksEach; id++) {
            try (ReadResult r = check.read(ShardedKeyValueStore.key(id))) {
                assertEquals(rounds, r.bytes().get(ValueLayout.JAVA_INT_UNALIGNED, 0), "increments of chunk " + id + " (writer " + id % writers + ")");
            }
        }
        assertEquals(writers * chunksEach, check.list("").size());
    }

    /**
     * Two writers of one shard that collide for sure: writer B updates the shard while writer A
     * is inside its read-modify-write (A's patch runs B's whole update), so A's conditional write
     * is refused, A reads the shard again and applies its patch again, and both updates survive.
     * Deterministic, so it also holds over a server whose conditional PUTs are not atomic under
     * truly simultaneous requests (S3Proxy; see the s3 module's tests).
     */
    public static void aWriterThatLostReappliesItsPatch(KeyValueStore base) {
        ShardLimits limits = ShardLimits.of(1 << 16, 1 << 16);
        ShardedKeyValueStore a = new ShardedKeyValueStore(base, ONE_SHARD, "", limits);
        ShardedKeyValueStore b = new ShardedKeyValueStore(base, ONE_SHARD, "", limits);
        a.update(List.of(KeyUpdate.put(ShardedKeyValueStore.key(7), MemorySegment.ofArray(new byte[] {1, 2, 3}))), ConflictRetry.DEFAULT);
        java.util.concurrent.atomic.AtomicInteger applied = new java.util.concurrent.atomic.AtomicInteger();
        a.update(List.of(KeyUpdate.patch(ShardedKeyValueStore.key(0), stored -> {
            if (applied.incrementAndGet() == 1) b.update(List.of(KeyUpdate.patch(ShardedKeyValueStore.key(1), ShardWriters::increment)), ConflictRetry.DEFAULT);
            return increment(stored);
        })), ConflictRetry.DEFAULT);
        assertEquals(2, applied.get(), "A's patch runs again after B's write refused A's first");
        ShardedKeyValueStore check = new ShardedKeyValueStore(base, ONE_SHARD, "", limits);
        for (long id : new long[] {0, 1}) {
            try (ReadResult r = check.read(ShardedKeyValueStore.key(id))) {
                assertEquals(1, r.bytes().get(ValueLayout.JAVA_INT_UNALIGNED, 0), "chunk " + id);
            }
        }
        assertEquals(List.of(ShardedKeyValueStore.key(0), ShardedKeyValueStore.key(1), ShardedKeyValueStore.key(7)), check.list(""));
    }

    /** The counter stored in a chunk (4 bytes, little-endian; missing: 0), plus one. */
    private static MemorySegment increment(ReadResult stored) {
        try (stored) {
            int n = stored.found() ? stored.bytes().get(ValueLayout.JAVA_INT_UNALIGNED, 0) : 0;
            MemorySegment out = MemorySegment.ofArray(new byte[4]);
            out.set(ValueLayout.JAVA_INT_UNALIGNED, 0, n + 1);
            return out;
        }
    }
}
