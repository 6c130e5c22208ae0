package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole contract of a writable {@link KeyValueStore}, written once: the read side
 * ({@link ReadOnlyStoreContract}) plus writes, conditional writes, deletes and listing.
 * Subclasses only say how to make a fresh, empty store. A store whose
 * {@link KeyValueStore#conditionalWrites()} is false must refuse conditional writes with
 * {@link UnsupportedOperationException} (checked here), never ignore the condition.
 */
public abstract class KeyValueStoreContract extends ReadOnlyStoreContract {
    /**
     * Threads in {@link #casIncrementsFromManyThreadsLoseNothing}; a test server that evaluates
     * write conditions but not atomically with the write (S3Proxy) says 1, and why.
     */
    protected int casThreads() {
        return 8;
    }

    /** Compare-and-set increments per thread in {@link #casIncrementsFromManyThreadsLoseNothing}. */
    protected int casIncrementsPerThread() {
        return 25;
    }

    @Test
    void writeThenReadWholeValue() {
        byte[] v = new byte[10_000];
        new SplittableRandom(7).nextBytes(v);
        store.write("a/b/c", MemorySegment.ofArray(v));
        ReadResult r = store.read("a/b/c");
        assertTrue(r.found());
        assertArrayEquals(v, r.toByteArray());
        assertTrue(store.exists("a/b/c"));
    }

    @Test
    void callerMayReuseItsBufferAfterWrite() {
        byte[] v = "first".getBytes(StandardCharsets.UTF_8);
        store.write("k", MemorySegment.ofArray(v));
        Arrays.fill(v, (byte) 'x');
        assertEquals("first", text(store.read("k")));
    }

    @Test
    void overwriteReplacesTheWholeValue() {
        store.write("o", bytes("a long first value"));
        store.write("o", bytes("short"));
        assertEquals("short", text(store.read("o")));
        store.write("o", bytes("longer than short again"));
        assertEquals("longer than short again", text(store.read("o")));
    }

    @Test
    void deleteRemovesAndSaysWhetherTheKeyExisted() {
        store.write("d/x", bytes("x"));
        assertTrue(store.delete("d/x"));
        assertFalse(store.exists("d/x"));
        assertFalse(store.read("d/x").found());
        assertFalse(store.delete("d/x"));
        assertFalse(store.delete("never/was"));
    }

    @Test
    void listReturnsSortedKeysWithThePrefix() {
        List<String> keys = List.of("a", "ab", "a/b", "a/c/d", "b/a", "abc/x", "b0");
        for (String k : keys) {
            if (k.equals("a")) continue; // "a" cannot be both a value and a directory on a file system
            store.write(k, bytes(k));
        }
        assertEquals(List.of("a/b", "a/c/d", "ab", "abc/x", "b/a", "b0"), store.list(""));
        assertEquals(List.of("a/b", "a/c/d", "ab", "abc/x"), store.list("a"));
        assertEquals(List.of("a/b", "a/c/d"), store.list("a/"));
        assertEquals(List.of("a/c/d"), store.list("a/c"));
        assertEquals(List.of("ab", "abc/x"), store.list("ab"));
        assertEquals(List.of("abc/x"), store.list("abc/"));
        assertEquals(List.of("b/a", "b0"), store.list("b"));
        assertEquals(List.of(), store.list("c"));
        assertEquals(List.of(), store.list("a/c/d/e"));
        store.delete("a/c/d");
        assertEquals(List.of("a/b"), store.list("a/"));
    }

    @Test
    void listOfAnEmptyStoreIsEmpty() {
        assertEquals(List.of(), store.list(""));
        assertEquals(List.of(), store.list("x/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "trailing/", "a//b", "./a", "a/./b", "a/..", "../up", "..", "."})
    void invalidKeysAreRejectedByEveryWrite(String key) {
        assertRejects(key, () -> store.write(key, bytes("v")));
        assertRejects(key, () -> store.write(key, bytes("v"), WriteOptions.ifMissing()));
        assertRejects(key, () -> store.delete(key));
        assertEquals(List.of(), store.list(""), "a rejected write must store nothing");
    }

    @Test
    void prefixesThatNoValidKeyStartsWithListNothing() {
        store.write("x/y", bytes("v"));
        for (String p : new String[] {"../", "..", "/", "/x", "./x", "x//", "x/../"}) {
            assertEquals(List.of(), store.list(p), "list(\"" + p + "\")");
        }
        assertEquals(List.of("x/y"), store.list("x/"));
    }

    /** Readers racing one writer see a whole old or a whole new value, never a torn one. */
    @Test
    void concurrentReadersNeverSeeATornValue() throws Exception {
        byte[] small = new byte[1000];
        byte[] large = new byte[300_000];
        Arrays.fill(small, (byte) 1);
        Arrays.fill(large, (byte) 2);
        store.write("race", MemorySegment.ofArray(small));
        AtomicReference<String> problem = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 40; i++) store.write("race", MemorySegment.ofArray(i % 2 == 0 ? large : small));
        });
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (writer.isAlive()) {
                    byte[] got = store.read("race").toByteArray();
                    boolean whole = Arrays.equals(got, small) || Arrays.equals(got, large);
                    if (!whole) problem.compareAndSet(null, "torn read of " + got.length + " bytes");
                }
            }));
        }
        writer.join();
        for (Thread r : readers) r.join();
        assertEquals(null, problem.get());
    }

    @Test
    void listPaginatesPastOnePage() throws Exception {
        // 1100 keys > S3's and GCS's default page of 1000. Written concurrently (stores are
        // thread-safe), so remote stores do not take 1100 round trips in a row.
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                int n = i;
                fs.add(pool.submit(() -> store.write(String.format("many/%04d", n), MemorySegment.ofArray(new byte[] {(byte) n}))));
            }
            for (var f : fs) f.get();
        }
        List<String> got = store.list("many/");
        assertEquals(1100, got.size());
        assertEquals("many/0000", got.get(0));
        assertEquals("many/1099", got.get(1099));
    }

    @Test
    void writeReportsTheGenerationThatReadsThen() {
        WriteResult w = store.write("w", bytes("v"));
        assertTrue(w.written());
        assertEquals(store.read("w").generation(), w.generation());
    }

    @Test
    void conditionalWriteSucceedsOnlyOnTheCurrentGeneration() {
        if (!store.conditionalWrites()) {
            assertThrows(UnsupportedOperationException.class, () -> store.write("x", bytes("v"), WriteOptions.ifMissing()));
            return;
        }
        String g1 = store.write("c", bytes("one")).generation();
        WriteResult w2 = store.write("c", bytes("two"), WriteOptions.ifEqual(g1));
        assertTrue(w2.written());
        assertNotEquals(g1, w2.generation());
        assertEquals(w2.generation(), store.read("c").generation());

        WriteResult stale = store.write("c", bytes("three"), WriteOptions.ifEqual(g1));
        assertFalse(stale.written(), "a write conditioned on a replaced generation must fail");
        assertTrue(stale.generation().equals(w2.generation()) || stale.generation().equals(Generation.UNKNOWN), stale.generation());
        assertEquals("two", text(store.read("c")));
        assertEquals(w2.generation(), store.read("c").generation(), "a failed conditional write leaves the generation alone");

        assertFalse(store.write("c", bytes("four"), WriteOptions.ifMissing()).written(), "ifMissing on a present key");
        assertEquals("two", text(store.read("c")));
    }

    @Test
    void ifMissingWritesOnlyTheFirstTime() {
        if (!store.conditionalWrites()) return; // checked in conditionalWriteSucceedsOnlyOnTheCurrentGeneration
        WriteResult first = store.write("m/k", bytes("first"), WriteOptions.ifMissing());
        assertTrue(first.written());
        assertFalse(store.write("m/k", bytes("second"), WriteOptions.ifMissing()).written());
        assertEquals("first", text(store.read("m/k")));
        store.delete("m/k");
        assertTrue(store.write("m/k", bytes("third"), WriteOptions.ifMissing()).written(), "absent again after delete");
        assertEquals("third", text(store.read("m/k")));
    }

    @Test
    void conditionalWriteOnAnAbsentKeyWithAGenerationFails() {
        if (!store.conditionalWrites()) return;
        String other = store.write("other", bytes("o")).generation();
        WriteResult w = store.write("absent", bytes("v"), WriteOptions.ifEqual(other));
        assertFalse(w.written());
        assertFalse(store.exists("absent"));
        assertFalse(store.write("absent", bytes("v"), WriteOptions.ifEqual("no-such-generation")).written());
        assertFalse(store.exists("absent"));
    }

    /** Every write of a new value gets a generation never seen before for the key (no A-B-A). */
    @Test
    void generationChangesOnEveryWrite() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            WriteResult w = store.write("gen", bytes(String.format("v%04d", i))); // same size, same millisecond
            String read = store.read("gen").generation();
            assertEquals(read, w.generation());
            assertTrue(seen.add(read), "generation " + read + " repeated at write " + i);
        }
    }

    /**
     * N threads each add 1 to a counter K times by read, compare-and-set, retry: the counter ends
     * at N*K exactly. Proves that a conditional write's check and replace are one atomic step.
     */
    @Test
    void casIncrementsFromManyThreadsLoseNothing() throws Exception {
        if (!store.conditionalWrites()) return;
        int threads = casThreads();
        int each = casIncrementsPerThread();
        store.write("counter", bytes("0"));
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong conflicts = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            ReadResult r = store.read("counter");
                            long n = Long.parseLong(text(r));
                            if (store.write("counter", bytes(Long.toString(n + 1)), WriteOptions.ifEqual(r.generation())).written()) break;
                            conflicts.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : ts) t.join();
        if (failure.get() != null) throw new AssertionError("a CAS thread failed: " + failure.get(), failure.get());
        assertEquals(Long.toString((long) threads * each), text(store.read("counter")), "lost updates (" + conflicts.get() + " conflicts retried)");
    }
}
