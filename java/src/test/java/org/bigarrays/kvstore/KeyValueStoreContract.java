package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link KeyValueStore} contract, written once and run against every writable store: each
 * subclass hands out a fresh, empty store per test.
 */
public abstract class KeyValueStoreContract {
    protected KeyValueStore store;

    /** A new empty store (a fresh prefix or directory). */
    protected abstract KeyValueStore newStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = newStore();
    }

    protected static MemorySegment bytes(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    protected static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] get(String key, ByteRange r) {
        ReadResult rr = store.read(key, r);
        assertTrue(rr.found(), () -> "expected key '" + key + "' to be found in " + store.uri());
        return rr.toByteArray();
    }

    @Test
    void missingKeyReadsAsMissing() {
        assertSame(ReadResult.MISSING, store.read("0-64_0-64_0-64"));
        assertSame(ReadResult.MISSING, store.read("nested/absent", ByteRange.of(0, 10)));
        assertSame(ReadResult.MISSING, store.read("absent", ByteRange.suffix(4)));
        assertFalse(store.exists("0-64_0-64_0-64"));
    }

    @Test
    void writeThenReadWholeValue() {
        byte[] v = random(100_000, 1);
        store.write("8_8_8/0-64_0-64_0-64", bytes(v));
        assertArrayEquals(v, get("8_8_8/0-64_0-64_0-64", ByteRange.ALL));
        assertTrue(store.exists("8_8_8/0-64_0-64_0-64"));
    }

    @Test
    void emptyValueIsFoundAndEmpty() {
        store.write("empty", bytes(new byte[0]));
        assertEquals(0, get("empty", ByteRange.ALL).length);
        assertTrue(store.exists("empty"));
    }

    @Test
    void rangeReadsReturnExactlyTheRangeClippedToTheValue() {
        byte[] v = random(1000, 2);
        store.write("shard", bytes(v));
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 10, 20), get("shard", ByteRange.of(10, 20)));
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 0, 1), get("shard", ByteRange.of(0, 1)));
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 990, 1000), get("shard", ByteRange.of(990, 5000)));
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 500, 1000), get("shard", ByteRange.of(500, Long.MAX_VALUE)));
        assertEquals(0, get("shard", ByteRange.of(7, 7)).length);
        assertEquals(0, get("shard", ByteRange.of(2000, 3000)).length);
    }

    @Test
    void suffixReadsReturnTheLastBytes() {
        byte[] v = random(1000, 3);
        store.write("shard", bytes(v));
        assertArrayEquals(java.util.Arrays.copyOfRange(v, 984, 1000), get("shard", ByteRange.suffix(16)));
        assertArrayEquals(v, get("shard", ByteRange.suffix(5000)));
    }

    @Test
    void overwriteReplacesTheWholeValue() {
        store.write("k", bytes(random(5000, 4)));
        byte[] shorter = "short".getBytes(StandardCharsets.UTF_8);
        store.write("k", bytes(shorter));
        assertArrayEquals(shorter, get("k", ByteRange.ALL));
    }

    @Test
    void deleteRemovesAndSaysWhetherTheKeyExisted() {
        store.write("a/b", bytes(new byte[] {1, 2, 3}));
        assertTrue(store.delete("a/b"));
        assertFalse(store.exists("a/b"));
        assertSame(ReadResult.MISSING, store.read("a/b"));
        assertFalse(store.delete("a/b"));
    }

    @Test
    void listReturnsKeysWithThePrefixSorted() {
        List<String> keys = List.of("info", "8_8_8/64-128_0-64_0-64", "8_8_8/0-64_0-64_0-64", "16_16_8/0-64_0-64_0-64", "8_8_80/x");
        for (String k : keys) store.write(k, bytes(k.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("8_8_8/0-64_0-64_0-64", "8_8_8/64-128_0-64_0-64"), store.list("8_8_8/"));
        assertEquals(List.of("8_8_8/0-64_0-64_0-64", "8_8_8/64-128_0-64_0-64", "8_8_80/x"), store.list("8_8_8"));
        assertEquals(keys.stream().sorted().toList(), store.list(""));
        assertEquals(List.of(), store.list("nothing/"));
    }

    @Test
    void listPaginatesPastOnePage() throws Exception {
        // 1100 keys > S3's and GCS's default page of 1000.
        // Written concurrently (stores are thread-safe), so remote stores do not take 1100 round trips in a row.
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                int n = i;
                fs.add(pool.submit(() -> store.write(String.format("many/%04d", n), bytes(new byte[] {(byte) n}))));
            }
            for (var f : fs) f.get();
        }
        List<String> got = store.list("many/");
        assertEquals(1100, got.size());
        assertEquals("many/0000", got.get(0));
        assertEquals("many/1099", got.get(1099));
    }
}
