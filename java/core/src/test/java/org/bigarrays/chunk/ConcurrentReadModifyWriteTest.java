package org.bigarrays.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bigarrays.ConflictException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15.4: writers on disjoint sub-boxes of shared chunks (and shards) all survive, because
 * read-modify-write is conditional; a writer whose conditional writes are always refused fails
 * with a one-line conflict error after bounded retries. Runs on every store that supports
 * conditional writes (memory always; file once it does).
 */
class ConcurrentReadModifyWriteTest {
    private static final int WRITERS = 8;
    private static final AtomicInteger N = new AtomicInteger();

    @TempDir
    static Path tmp;

    /** Layer URLs on each store kind that honours ifEqual. */
    static Stream<String> stores() {
        List<String> out = new ArrayList<>();
        out.add("mem://rmw-" + N.incrementAndGet() + "/layer");
        String file = tmp.resolve("rmw-" + N.incrementAndGet()).toString();
        if (conditionalWritesWork(file)) out.add(file);
        return out.stream();
    }

    private static boolean conditionalWritesWork(String url) {
        try (KeyValueStore s = KeyValueStores.open(url)) {
            s.write("probe", MemorySegment.ofArray(new byte[1]), WriteOptions.ifMissing());
            return !s.write("probe", MemorySegment.ofArray(new byte[1]), WriteOptions.ifMissing()).written();
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    static Stream<String> layouts() {
        return Stream.of("unsharded", "sharded");
    }

    private static Info info(boolean sharded) {
        var b = Info.builder(DataType.UINT16, new long[] {16, 16, 8}, new long[] {8, 8, 8});
        if (sharded) b.sharding(ShardingSpec.parseCli("0,1,1")); // 4 chunks in 2 shards of 2
        return b.build();
    }

    /** Writer w's slab: x in [2w, 2w + 2), the whole y and z: every writer touches every chunk at x < 8 or ≥ 8. */
    private static NdView slab(int w) {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {2L * w, 0, 0, 0}, new long[] {2, 16, 8, 1});
        for (long z = 0; z < 8; z++) for (long y = 0; y < 16; y++) for (long x = 0; x < 2; x++) v.set(new long[] {2L * w + x, y, z, 0}, 100 * (w + 1) + y);
        return v;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void writersOnDisjointPartsOfSharedChunksAllSurvive(String url, boolean sharded) throws Exception {
        try (BigArray a = BigArray.create(url, info(sharded), Options.defaults().withReadModifyWrite(true).withThreads(2, 4))) {
            CyclicBarrier start = new CyclicBarrier(WRITERS);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int round = 0; round < 3; round++) a.write(slab(id));
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            assertEquals(List.of(), failures);
            NdView back = a.read(a.bounds());
            for (long z = 0; z < 8; z++) for (long y = 0; y < 16; y++) for (long x = 0; x < 16; x++) {
                assertEquals(100 * (x / 2 + 1) + y, back.getAsLong(x, y, z, 0), "voxel " + x + "," + y + "," + z + " of " + url + (sharded ? " (sharded)" : ""));
            }
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        return stores().flatMap(u -> Stream.of(org.junit.jupiter.params.provider.Arguments.of(u + "-u", false),
                org.junit.jupiter.params.provider.Arguments.of(u + "-s", true)));
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void aStoreThatRefusesEveryConditionalWriteEndsInAConflictError(String layout) {
        boolean sharded = layout.equals("sharded");
        AtomicInteger refused = new AtomicInteger();
        String url = "mem://rmw-refuse-" + N.incrementAndGet() + "/layer";
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> refusing(KeyValueStores.open(u), refused));
             BigArray a = BigArray.create(url, info(sharded), Options.defaults().withReadModifyWrite(true), ctx)) {
            long t0 = System.nanoTime();
            ConflictException e = assertThrows(ConflictException.class, () -> a.write(slab(0)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // Names the chunk (either of the two the slab patches) or the shard file, on one line.
            assertTrue(e.getMessage().matches(sharded ? ".* key '[0-9a-f]+\\.shard' failed: .*" : ".* key '0-8_(0-8|8-16)_0-8' failed: .*"), e.getMessage());
            assertTrue(e.getMessage().contains("conflict") && e.getMessage().contains(ConflictRetry.DEFAULT.attempts() + " read-modify-write attempts"), e.getMessage());
            assertTrue(refused.get() >= ConflictRetry.DEFAULT.attempts() && ms < 20_000, refused + " refusals in " + ms + " ms");
            // An aligned (unconditional) write is not affected.
            NdView whole = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {16, 16, 8, 1});
            whole.fill(7);
            a.withOptions(Options.defaults()).write(whole);
            assertEquals(7, a.read(Box.parse("3,3,3:4,4,4")).getAsLong(3, 3, 3, 0));
        }
    }

    /** {@code base}, except that every conditional write is refused as if another writer got there first. */
    private static KeyValueStore refusing(KeyValueStore base, AtomicInteger refused) {
        return new ForwardingStore(base) {
            @Override
            public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                if (options.conditional()) {
                    refused.incrementAndGet();
                    return WriteResult.conditionNotMet("someone-else");
                }
                return base.write(key, value, options);
            }
        };
    }

}
