package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link KeyValueStore} keeps, written once: subclasses only say how to
 * make a fresh, empty store. Backends that cannot do something (none so far) would override
 * the test with a reason.
 */
public abstract class KeyValueStoreContract {
    /** A new, empty store; called once per test. */
    protected abstract KeyValueStore newStore() throws Exception;

    protected KeyValueStore store;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    protected static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    protected static String text(ReadResult r) {
        return new String(r.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void readOfAbsentKeyIsMissingNotAnError() {
        ReadResult r = store.read("nothing/here");
        assertFalse(r.found());
        assertFalse(store.exists("nothing/here"));
        assertFalse(store.read("nothing", ByteRange.of(0, 4)).found());
        assertFalse(store.read("nothing", ByteRange.suffix(4)).found());
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
    void emptyValueIsAValue() {
        store.write("empty", MemorySegment.ofArray(new byte[0]));
        ReadResult r = store.read("empty");
        assertTrue(r.found());
        assertEquals(0, r.bytes().byteSize());
        assertTrue(store.exists("empty"));
    }

    @Test
    void callerMayReuseItsBufferAfterWrite() {
        byte[] v = "first".getBytes(StandardCharsets.UTF_8);
        store.write("k", MemorySegment.ofArray(v));
        Arrays.fill(v, (byte) 'x');
        assertEquals("first", text(store.read("k")));
    }

    @Test
    void rangeReadsAreClippedToTheValue() {
        store.write("r", bytes("0123456789"));
        assertEquals("234", text(store.read("r", ByteRange.of(2, 5))));
        assertEquals("0123456789", text(store.read("r", ByteRange.ALL)));
        assertEquals("789", text(store.read("r", ByteRange.of(7, 100))));
        assertEquals("", text(store.read("r", ByteRange.of(10, 20))));
        assertEquals("", text(store.read("r", ByteRange.of(50, 60))));
        assertEquals("", text(store.read("r", ByteRange.of(3, 3))));
    }

    @Test
    void suffixReadsReturnTheLastBytes() {
        store.write("s", bytes("0123456789"));
        assertEquals("789", text(store.read("s", ByteRange.suffix(3))));
        assertEquals("0123456789", text(store.read("s", ByteRange.suffix(10))));
        assertEquals("0123456789", text(store.read("s", ByteRange.suffix(1000))));
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
    void generationChangesWhenTheValueChanges() {
        store.write("g", bytes("one"));
        String g1 = store.read("g").generation();
        store.write("g", bytes("two, longer"));
        String g2 = store.read("g").generation();
        if (!g1.isEmpty() || !g2.isEmpty()) assertFalse(g1.equals(g2), "generation " + g1 + " did not change on overwrite");
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
    void invalidKeysAreRejectedByEveryOperation(String key) {
        assertRejects(key, () -> store.read(key));
        assertRejects(key, () -> store.read(key, ByteRange.of(0, 1)));
        assertRejects(key, () -> store.write(key, bytes("v")));
        assertRejects(key, () -> store.exists(key));
        assertRejects(key, () -> store.delete(key));
        assertEquals(List.of(), store.list(""), "a rejected write must store nothing");
    }

    private static void assertRejects(String key, org.junit.jupiter.api.function.Executable op) {
        InvalidInputException e = assertThrows(InvalidInputException.class, op);
        assertTrue(e.getMessage().contains("'" + key + "'"), "message should name the key: " + e.getMessage());
    }

    @Test
    void prefixesThatNoValidKeyStartsWithListNothing() {
        store.write("x/y", bytes("v"));
        for (String p : new String[] {"../", "..", "/", "/x", "./x", "x//", "x/../"}) {
            assertEquals(List.of(), store.list(p), "list(\"" + p + "\")");
        }
        assertEquals(List.of("x/y"), store.list("x/"));
    }

    @Test
    void keysWithDotsInsideSegmentsAreValid() {
        store.write("a.b/..c/x..", bytes("ok"));
        assertEquals("ok", text(store.read("a.b/..c/x..")));
        store.write("-100-0_-100-0_-5-0.gz", bytes("neg"));
        assertEquals("neg", text(store.read("-100-0_-100-0_-5-0.gz")));
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
    void readIntoCallerMemoryGivesTheSameBytes() {
        store.write("k", bytes("hello world"));
        org.bigarrays.core.BufferPool pool = new org.bigarrays.core.BufferPool(4);
        try (ReadResult r = store.read("k", ReadOptions.range(ByteRange.of(6, 11)).withBuffers(pool))) {
            assertEquals("world", text(r));
        }
        try (ReadResult missing = store.read("absent", ReadOptions.ALL.withBuffers(pool))) {
            assertFalse(missing.found());
            assertNull(missing.lease(), "no memory is leased for a missing key");
        }
    }
}
