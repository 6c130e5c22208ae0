package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.KeyUpdate;
import org.bigarrays.kvstore.MemoryStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;

/**
 * Random sequences of single-chunk writes and deletes, patches ({@code writeChunks}) and
 * whole-shard replacements ({@code writeShards}) against a map model, under random sharding
 * parameters (both hashes, gzip on and off): every read and listing agrees with the model,
 * including from a second store with a cold cache.
 */
class ShardedKeyValueStorePropertyTest {
    private static final ShardLimits LIMITS = ShardLimits.of(4096, 1 << 20);

    record Op(int kind, List<Long> ids, byte[] value) {}

    @Provide
    Arbitrary<ShardingSpec> specs() {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.of(ShardingSpec.Hash.values()),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3), Arbitraries.of(ShardingSpec.ENCODINGS),
                Arbitraries.of(ShardingSpec.ENCODINGS)).as(ShardingSpec::new);
    }

    @Provide
    Arbitrary<Long> ids() {
        // A small universe so chunks collide in shards; plus a few far ids (2^40, 2^63, -1).
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 63), Arbitraries.of(1L << 40, Long.MIN_VALUE, -1L, Long.MAX_VALUE));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 3), ids().list().ofMinSize(1).ofMaxSize(6), values).as(Op::new);
        return op.list().ofMaxSize(25);
    }

    @Property(tries = 150)
    void matchesAMapModel(@ForAll("specs") ShardingSpec spec, @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 0, max = 2) int cacheEntries) {
        MemoryStore mem = new MemoryStore("mem://p/");
        ShardedKeyValueStore store = new ShardedKeyValueStore(mem, spec, "p/", LIMITS.withCacheEntries(cacheEntries * 8));
        TreeMap<String, byte[]> model = new TreeMap<>();
        for (Op op : ops) {
            long first = op.ids().getFirst();
            switch (op.kind()) {
                case 0 -> {
                    store.write(ShardedKeyValueStore.key(first), MemorySegment.ofArray(op.value()));
                    model.put(ShardedKeyValueStore.key(first), op.value());
                }
                case 1 -> assertEquals(model.remove(ShardedKeyValueStore.key(first)) != null, store.delete(ShardedKeyValueStore.key(first)));
                case 2 -> {
                    // A batch: puts at even positions, patches (append a byte to what is stored) at odd ones.
                    List<KeyUpdate> batch = new ArrayList<>();
                    for (int i = 0; i < op.ids().size(); i++) {
                        String key = ShardedKeyValueStore.key(op.ids().get(i));
                        if (batch.stream().anyMatch(u -> u.key().equals(key))) continue;
                        if (i % 2 == 0) {
                            byte[] v = java.util.Arrays.copyOf(op.value(), Math.min(op.value().length, 10 * i + 1));
                            batch.add(KeyUpdate.put(key, MemorySegment.ofArray(v)));
                            model.put(key, v);
                        } else {
                            byte[] old = model.getOrDefault(key, new byte[0]);
                            byte[] v = java.util.Arrays.copyOf(old, old.length + 1);
                            v[old.length] = (byte) i;
                            batch.add(KeyUpdate.patch(key, stored -> {
                                try (stored) {
                                    byte[] s = stored.found() ? stored.toByteArray() : new byte[0];
                                    byte[] n = java.util.Arrays.copyOf(s, s.length + 1);
                                    n[s.length] = (byte) v[v.length - 1];
                                    return MemorySegment.ofArray(n);
                                }
                            }));
                            model.put(key, v);
                        }
                    }
                    store.update(batch, ConflictRetry.DEFAULT);
                }
                default -> {
                    // Replace the first id's shard with the listed ids that belong to it.
                    long shard = spec.shardOf(first);
                    TreeMap<Long, MemorySegment> whole = new TreeMap<>();
                    model.keySet().removeIf(k -> spec.shardOf(ShardedKeyValueStore.idOf(k)) == shard);
                    for (long id : op.ids()) {
                        if (spec.shardOf(id) != shard) continue;
                        whole.put(id, MemorySegment.ofArray(op.value()));
                        model.put(ShardedKeyValueStore.key(id), op.value());
                    }
                    store.writeShards(Map.of(shard, whole));
                }
            }
            check(store, model, op.ids());
        }
        check(new ShardedKeyValueStore(mem, spec, "p/", LIMITS), model, List.of());
    }

    private static void check(ShardedKeyValueStore store, TreeMap<String, byte[]> model, List<Long> alsoAbsent) {
        List<String> keys = new ArrayList<>(model.keySet());
        for (long id : alsoAbsent) keys.add(ShardedKeyValueStore.key(id));
        List<ReadResult> got = store.readMany(keys, ReadOptions.ALL);
        for (int i = 0; i < keys.size(); i++) {
            byte[] want = model.get(keys.get(i));
            if (want == null) {
                assertFalse(got.get(i).found(), keys.get(i));
            } else {
                assertArrayEquals(want, got.get(i).toByteArray(), keys.get(i));
            }
        }
        assertEquals(List.copyOf(model.keySet()), store.list(""));
    }

    @Property(tries = 50)
    void singleReadsMatchBatchReads(@ForAll("specs") ShardingSpec spec, @ForAll("ops") List<Op> ops) {
        ShardedKeyValueStore store = new ShardedKeyValueStore(new MemoryStore("mem://p/"), spec, "", LIMITS);
        for (Op op : ops) store.write(ShardedKeyValueStore.key(op.ids().getFirst()), MemorySegment.ofArray(op.value()));
        List<String> keys = new ArrayList<>();
        for (Op op : ops) for (long id : op.ids()) keys.add(ShardedKeyValueStore.key(id));
        List<ReadResult> batch = store.readMany(keys, ReadOptions.ALL);
        for (int i = 0; i < keys.size(); i++) {
            ReadResult one = store.read(keys.get(i));
            assertEquals(one.found(), batch.get(i).found(), keys.get(i));
            if (one.found()) {
                assertArrayEquals(one.toByteArray(), batch.get(i).toByteArray());
                assertEquals(one.generation(), batch.get(i).generation());
            }
        }
    }
}
