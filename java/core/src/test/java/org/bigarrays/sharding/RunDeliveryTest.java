package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.MemoryStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.junit.jupiter.api.Test;

/**
 * {@link ShardedKeyValueStore#readLocated(ShardedKeyValueStore.Located, List, ReadOptions, LongFunction)}:
 * a run of chunks adjacent in the shard file, read at once, delivered to each chunk's sink as the
 * body arrives in pieces of any size, checked against the chunks as values (the model); what is not
 * delivered (a sink refusing, {@code data_encoding}, a shard changed since it was located) comes back
 * as values.
 */
class RunDeliveryTest {
    private static final ShardLimits LIMITS = ShardLimits.of(1 << 16, 1 << 12);
    // 32 ids: shard = (id >> 4) & 1, minishard = (id >> 2) & 3; chunks of a minishard adjacent in the file.
    private static final ShardingSpec RAW = new ShardingSpec(2, ShardingSpec.Hash.IDENTITY, 2, 1, Compression.NONE, Compression.NONE);
    private static final ShardingSpec GZIP = new ShardingSpec(2, ShardingSpec.Hash.IDENTITY, 2, 1, Compression.GZIP, Compression.GZIP);

    /**
     * A base store that delivers a body in pieces of random sizes, like a remote store, and
     * checks a generation condition only after delivering (a server that ignored it).
     */
    private static final class DeliveringStore extends ForwardingStore {
        final Random random;
        final AtomicInteger delivered = new AtomicInteger();

        DeliveringStore(MemoryStore base, long seed) {
            super(base);
            this.random = new Random(seed);
        }

        @Override
        public ReadResult read(String key, ReadOptions options, BodySink sink) {
            ReadResult r = base.read(key, ReadOptions.range(options.range()));
            if (!r.found() || !sink.begin(r.bytes().byteSize())) return base.read(key, options);
            MemorySegment b = r.bytes();
            long pos = 0;
            while (pos < b.byteSize()) {
                long n;
                synchronized (random) {
                    n = Math.min(b.byteSize() - pos, 1 + random.nextInt(40));
                }
                sink.accept(pos, b.asSlice(pos, n));
                pos += n;
            }
            delivered.incrementAndGet();
            return options.admits(r.generation()) ? ReadResult.delivered(r.generation()) : ReadResult.conditionNotMet(r.generation());
        }
    }

    /** A chunk's bytes as its sink got them. */
    private static final class Collected implements BodySink {
        final long expected; // the size this sink takes; -1: refuses
        byte[] bytes;
        int begun;

        Collected(long expected) {
            this.expected = expected;
        }

        @Override
        public synchronized boolean begin(long length) {
            begun++;
            if (length != expected) return false;
            bytes = new byte[(int) length];
            java.util.Arrays.fill(bytes, (byte) 0x5A);
            return true;
        }

        @Override
        public synchronized void accept(long offset, MemorySegment piece) {
            MemorySegment.copy(piece, 0, MemorySegment.ofArray(bytes), offset, piece.byteSize());
        }
    }

    private static byte[] chunk(long id, int generation) {
        byte[] b = new byte[(int) (20 + id * 7 % 53)];
        new Random(id * 31 + generation).nextBytes(b);
        return b;
    }

    private static void writeAll(ShardedKeyValueStore writer, ShardingSpec spec, int generation) {
        Map<Long, SortedMap<Long, MemorySegment>> shards = new TreeMap<>();
        for (long id = 0; id < 32; id++) {
            if (id % 5 == 3) continue; // some absent chunks
            shards.computeIfAbsent(spec.shardOf(id), s -> new TreeMap<>()).put(id, MemorySegment.ofArray(chunk(id, generation)));
        }
        writer.writeShards(shards);
    }

    @Property(tries = 40)
    void everyChunkOfARunReachesItsSinkWhole(@ForAll long seed, @ForAll @IntRange(min = 1, max = 31) int wanted) {
        MemoryStore mem = new MemoryStore("mem://t/");
        writeAll(new ShardedKeyValueStore(mem, RAW, "s/", LIMITS), RAW, 0);
        DeliveringStore base = new DeliveringStore(mem, seed);
        ShardedKeyValueStore store = new ShardedKeyValueStore(base, RAW, "s/", LIMITS);
        Random r = new Random(seed);
        List<Long> ids = new ArrayList<>();
        for (long id = 0; id < 16; id++) if (r.nextInt(32) < wanted) ids.add(id); // shard 0
        if (ids.isEmpty()) ids.add(0L);
        Map<Long, Collected> sinks = new HashMap<>();
        for (long id : ids) sinks.put(id, new Collected(chunk(id, 0).length));
        List<ReadResult> got = store.readLocated(store.locate(0, ids), ids, ReadOptions.ALL, sinks::get);
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            if (id % 5 == 3) {
                assertEquals(ReadResult.State.MISSING, got.get(i).state(), "chunk " + id);
                continue;
            }
            assertEquals(ReadResult.State.DELIVERED, got.get(i).state(), "chunk " + id);
            assertArrayEquals(chunk(id, 0), sinks.get(id).bytes, "chunk " + id);
        }
        assertTrue(base.delivered.get() > 0 || ids.stream().allMatch(id -> id % 5 == 3), "nothing went through a sink");
    }

    @Test
    void aRunWithASinkThatRefusesIsReadAsValues() {
        MemoryStore mem = new MemoryStore("mem://t/");
        writeAll(new ShardedKeyValueStore(mem, RAW, "s/", LIMITS), RAW, 0);
        ShardedKeyValueStore store = new ShardedKeyValueStore(new DeliveringStore(mem, 1), RAW, "s/", LIMITS);
        List<Long> ids = List.of(0L, 1L, 2L, 4L, 5L); // runs {0,1,2} and {4,5}
        Map<Long, Collected> sinks = new HashMap<>();
        for (long id : ids) sinks.put(id, new Collected(id == 1 ? -1 : chunk(id, 0).length));
        sinks.remove(5L); // no sink at all: its run is read as values too
        List<ReadResult> got = store.readLocated(store.locate(0, ids), ids, ReadOptions.ALL, sinks::get);
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ReadResult.State.VALUE, got.get(i).state(), "chunk " + ids.get(i));
            assertArrayEquals(chunk(ids.get(i), 0), got.get(i).toByteArray());
        }
    }

    @Test
    void encodedChunksAreNeverDelivered() {
        MemoryStore mem = new MemoryStore("mem://t/");
        writeAll(new ShardedKeyValueStore(mem, GZIP, "s/", LIMITS), GZIP, 0);
        DeliveringStore base = new DeliveringStore(mem, 2);
        ShardedKeyValueStore store = new ShardedKeyValueStore(base, GZIP, "s/", LIMITS);
        List<Long> ids = List.of(0L, 1L, 2L);
        List<ReadResult> got = store.readLocated(store.locate(0, ids), ids, ReadOptions.ALL, id -> new Collected(-2));
        for (int i = 0; i < ids.size(); i++) assertArrayEquals(chunk(ids.get(i), 0), got.get(i).toByteArray());
        assertEquals(0, base.delivered.get());
    }

    /**
     * The shard rewritten between locating and reading, by a server that ignores the generation
     * condition: the sinks got bytes of the other version, so every chunk comes back as a value of
     * the new version (which the caller writes over what its sink placed), none as delivered.
     */
    @Test
    void aShardChangedAfterItWasLocatedIsReadAgainAsValues() {
        MemoryStore mem = new MemoryStore("mem://t/");
        ShardedKeyValueStore writer = new ShardedKeyValueStore(mem, RAW, "s/", LIMITS);
        writeAll(writer, RAW, 0);
        DeliveringStore base = new DeliveringStore(mem, 3);
        ShardedKeyValueStore store = new ShardedKeyValueStore(base, RAW, "s/", LIMITS);
        List<Long> ids = List.of(0L, 1L, 2L, 4L, 5L, 6L, 7L);
        ShardedKeyValueStore.Located located = store.locate(0, ids);
        writeAll(writer, RAW, 1); // same sizes, other bytes, new generation
        Map<Long, Collected> sinks = new HashMap<>();
        for (long id : ids) sinks.put(id, new Collected(chunk(id, 0).length));
        List<ReadResult> got = store.readLocated(located, ids, ReadOptions.ALL, sinks::get);
        assertTrue(base.delivered.get() > 0, "the stale run never went through a sink: the test proves nothing");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ReadResult.State.VALUE, got.get(i).state(), "chunk " + ids.get(i));
            assertArrayEquals(chunk(ids.get(i), 1), got.get(i).toByteArray(), "chunk " + ids.get(i));
        }
    }

    @Property(tries = 60)
    void runSinkSplitsAnyPiecesAtChunkBoundaries(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(6);
        List<ShardFile.Entry> run = new ArrayList<>();
        long at = 1000 + r.nextInt(100);
        long first = at;
        for (int i = 0; i < n; i++) {
            long size = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(50);
            run.add(new ShardFile.Entry(i, at, at + size));
            at += size;
        }
        byte[] body = new byte[(int) (at - first)];
        r.nextBytes(body);
        List<Collected> each = new ArrayList<>();
        for (ShardFile.Entry e : run) each.add(new Collected(e.size()));
        RunSink sink = new RunSink(run, new ArrayList<>(each));
        assertEquals(false, sink.begin(body.length + 1L), "a body that is not the run");
        for (int attempt = 0; attempt < 2; attempt++) { // a retry delivers everything again
            assertTrue(sink.begin(body.length));
            long pos = 0;
            while (pos < body.length) {
                long k = Math.min(body.length - pos, 1 + r.nextInt(70));
                sink.accept(pos, MemorySegment.ofArray(body).asSlice(pos, k));
                pos += k;
            }
        }
        for (int i = 0; i < n; i++) {
            ShardFile.Entry e = run.get(i);
            byte[] want = java.util.Arrays.copyOfRange(body, (int) (e.start() - first), (int) (e.end() - first));
            assertArrayEquals(want, each.get(i).bytes, "chunk " + i + " of " + run);
        }
    }
}
