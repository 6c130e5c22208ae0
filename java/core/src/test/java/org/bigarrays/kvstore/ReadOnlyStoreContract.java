package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read side of the {@link KeyValueStore} contract, which every store keeps, read-only ones
 * (http(s)) included: subclasses say how to make a fresh, empty store and how to put a value
 * into it from outside ({@link #seed}). {@link KeyValueStoreContract} adds the write side.
 */
public abstract class ReadOnlyStoreContract {
    /** A new, empty store; called once per test. */
    protected abstract KeyValueStore newStore() throws Exception;

    /** Make {@code key} hold {@code value}, by whatever means the backend has (a write, a file). */
    protected void seed(String key, byte[] value) throws Exception {
        store.write(key, MemorySegment.ofArray(value));
    }

    /** Whether the store reads into {@link ReadOptions#buffers()} (all but the in-memory store, which returns views of its own memory). */
    protected boolean leasesBuffers() {
        return true;
    }

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
        return MemorySegment.ofArray(utf8(s));
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(ReadResult r) {
        return new String(r.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void readOfAbsentKeyIsMissingNotAnError() {
        ReadResult r = store.read("nothing/here");
        assertFalse(r.found());
        assertEquals(ReadResult.State.MISSING, r.state());
        assertEquals(Generation.NO_VALUE, r.generation());
        assertFalse(store.exists("nothing/here"));
        assertFalse(store.read("nothing", ByteRange.of(0, 4)).found());
        assertFalse(store.read("nothing", ByteRange.suffix(4)).found());
    }

    @Test
    void seededValueReadsBackWhole() throws Exception {
        byte[] v = new byte[10_000];
        new SplittableRandom(7).nextBytes(v);
        seed("a/b/c", v);
        ReadResult r = store.read("a/b/c");
        assertTrue(r.found());
        assertArrayEquals(v, r.toByteArray());
        assertTrue(store.exists("a/b/c"));
        assertNotEquals(Generation.NO_VALUE, r.generation(), "a found value has a generation");
    }

    @Test
    void emptyValueIsAValue() throws Exception {
        seed("empty", new byte[0]);
        ReadResult r = store.read("empty");
        assertTrue(r.found());
        assertEquals(0, r.bytes().byteSize());
        assertTrue(store.exists("empty"));
    }

    @Test
    void rangeReadsAreClippedToTheValue() throws Exception {
        seed("r", utf8("0123456789"));
        assertEquals("234", text(store.read("r", ByteRange.of(2, 5))));
        assertEquals("0123456789", text(store.read("r", ByteRange.ALL)));
        assertEquals("789", text(store.read("r", ByteRange.of(7, 100))));
        assertEquals("", text(store.read("r", ByteRange.of(10, 20))));
        assertEquals("", text(store.read("r", ByteRange.of(50, 60))));
        assertEquals("", text(store.read("r", ByteRange.of(3, 3))));
    }

    @Test
    void suffixReadsReturnTheLastBytes() throws Exception {
        seed("s", utf8("0123456789"));
        assertEquals("789", text(store.read("s", ByteRange.suffix(3))));
        assertEquals("0123456789", text(store.read("s", ByteRange.suffix(10))));
        assertEquals("0123456789", text(store.read("s", ByteRange.suffix(1000))));
    }

    @Test
    void generationChangesWhenTheValueChanges() throws Exception {
        seed("g", utf8("one"));
        String g1 = store.read("g").generation();
        seed("g", utf8("two, longer"));
        String g2 = store.read("g").generation();
        assertNotEquals(g1, g2, "generation did not change on overwrite");
        assertEquals(g2, store.read("g").generation(), "generation is stable while the value is");
    }

    @Test
    void conditionalReadsOfAPresentKey() throws Exception {
        seed("c", utf8("0123456789"));
        String g = store.read("c").generation();
        assertEquals("234", text(store.read("c", ReadOptions.range(ByteRange.of(2, 5)).withIfEqual(g))));
        assertEquals("0123456789", text(store.read("c", ReadOptions.ALL.withIfNotEqual("not-" + g))));

        ReadResult stale = store.read("c", ReadOptions.ALL.withIfEqual("not-" + g));
        assertEquals(ReadResult.State.CONDITION_NOT_MET, stale.state());
        assertNull(stale.value(), "no bytes when the condition fails");
        ReadResult same = store.read("c", ReadOptions.ALL.withIfNotEqual(g));
        assertEquals(ReadResult.State.CONDITION_NOT_MET, same.state());
        assertEquals(g, same.generation(), "ifNotEqual failing means the stored generation is the one given");
        ReadResult onlyIfAbsent = store.read("c", ReadOptions.ALL.withIfEqual(Generation.NO_VALUE));
        assertEquals(ReadResult.State.CONDITION_NOT_MET, onlyIfAbsent.state());
        assertEquals("0123456789", text(store.read("c", ReadOptions.ALL.withIfNotEqual(Generation.NO_VALUE))));
    }

    @Test
    void conditionalReadsOfAnAbsentKey() {
        assertEquals(ReadResult.State.MISSING, store.read("none", ReadOptions.ALL.withIfEqual(Generation.NO_VALUE)).state());
        assertEquals(ReadResult.State.MISSING, store.read("none", ReadOptions.ALL.withIfNotEqual("123")).state());
        ReadResult r = store.read("none", ReadOptions.ALL.withIfEqual("123"));
        assertEquals(ReadResult.State.CONDITION_NOT_MET, r.state());
        assertEquals(Generation.NO_VALUE, r.generation());
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read("none", ReadOptions.ALL.withIfNotEqual(Generation.NO_VALUE)).state());
    }

    @Test
    void readManyEqualsIndividualReads() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String k = "many/" + i;
            keys.add(k);
            if (i % 3 != 0) seed(k, utf8("value number " + i));
        }
        keys.add("many/1"); // a repeated key reads twice
        for (ReadOptions o : List.of(ReadOptions.ALL, ReadOptions.range(ByteRange.of(6, 12)), ReadOptions.range(ByteRange.suffix(2)))) {
            List<ReadResult> batch = store.readMany(keys, o);
            assertEquals(keys.size(), batch.size());
            for (int i = 0; i < keys.size(); i++) {
                ReadResult one = store.read(keys.get(i), o);
                assertEquals(one.state(), batch.get(i).state(), keys.get(i));
                assertEquals(one.generation(), batch.get(i).generation(), keys.get(i));
                if (one.found()) assertArrayEquals(one.toByteArray(), batch.get(i).toByteArray(), keys.get(i));
            }
        }
        assertEquals(List.of(), store.readMany(List.of(), ReadOptions.ALL));
        assertThrows(InvalidInputException.class, () -> store.readMany(List.of("many/1", "../bad"), ReadOptions.ALL));
    }

    @Test
    void leasedReadsGiveTheSameBytesAndCloseReturnsTheLease() throws Exception {
        byte[] v = new byte[5000];
        new SplittableRandom(11).nextBytes(v);
        seed("k", v);
        BufferPool pool = new BufferPool(4);
        for (ByteRange range : List.of(ByteRange.ALL, ByteRange.of(100, 900), ByteRange.suffix(7))) {
            ReadResult plain = store.read("k", range);
            Lease lease;
            try (ReadResult r = store.read("k", ReadOptions.range(range).withBuffers(pool))) {
                assertArrayEquals(plain.toByteArray(), r.toByteArray(), range.toString());
                assertEquals(plain.generation(), r.generation());
                lease = r.lease();
                if (!leasesBuffers()) {
                    assertNull(lease, "this store returns its own memory");
                    continue;
                }
                assertNotNull(lease, "a store given buffers returns the value in a lease");
                long at = r.value().address() - lease.segment().address();
                assertTrue(at >= 0 && at + r.value().byteSize() <= lease.segment().byteSize(), "the value lies in the leased memory");
            }
            if (lease != null) assertThrows(IllegalStateException.class, lease::segment, "close() gave the lease back");
        }
        for (ReadResult r : store.readMany(List.of("k", "absent"), ReadOptions.ALL.withBuffers(pool))) {
            try (r) {
                if (r.found()) assertArrayEquals(v, r.toByteArray());
                else assertNull(r.lease(), "no memory is leased for a missing key");
            }
        }
        try (ReadResult missing = store.read("absent", ReadOptions.ALL.withBuffers(pool))) {
            assertFalse(missing.found());
            assertNull(missing.lease(), "no memory is leased for a missing key");
        }
        String g = store.read("k").generation();
        try (ReadResult notMet = store.read("k", ReadOptions.ALL.withBuffers(pool).withIfNotEqual(g))) {
            assertNull(notMet.lease(), "no memory is leased when the condition fails");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "trailing/", "a//b", "./a", "a/./b", "a/..", "../up", "..", "."})
    void invalidKeysAreRejectedByEveryRead(String key) {
        assertRejects(key, () -> store.read(key));
        assertRejects(key, () -> store.read(key, ByteRange.of(0, 1)));
        assertRejects(key, () -> store.exists(key));
    }

    protected static void assertRejects(String key, org.junit.jupiter.api.function.Executable op) {
        InvalidInputException e = assertThrows(InvalidInputException.class, op);
        assertTrue(e.getMessage().contains("'" + key + "'"), "message should name the key: " + e.getMessage());
    }

    @Test
    void keysWithDotsInsideSegmentsAreValid() throws Exception {
        seed("a.b/..c/x..", utf8("ok"));
        assertEquals("ok", text(store.read("a.b/..c/x..")));
        seed("-100-0_-100-0_-5-0.gz", utf8("neg"));
        assertEquals("neg", text(store.read("-100-0_-100-0_-5-0.gz")));
    }
}
