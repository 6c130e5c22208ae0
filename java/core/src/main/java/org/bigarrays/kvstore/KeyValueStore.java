package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys to bytes: the one thing BigArrays asks of storage. Keys are relative paths with '/'
 * separators, validated by {@link Keys#check} (no leading slash, scheme, "." or ".." segments).
 *
 * <p>Contract, for every implementation: {@link #read} returns {@link ReadResult#MISSING} for an
 * absent key and throws {@link org.bigarrays.StorageException} for anything else that went wrong
 * (permission denied or a missing bucket is an error, never "missing"); a found value carries a
 * generation that changes whenever the value does. {@link #write} is atomic (readers see the old
 * value or the new one, never a torn one), honours its {@code ifEqual} condition in the same
 * atomic step, and throws if it failed. Implementations are thread-safe.
 */
public interface KeyValueStore extends AutoCloseable {

    /** The bytes of {@code key} as {@code options} ask (range clipped to the value's size). */
    ReadResult read(String key, ReadOptions options);

    /**
     * {@link #read(String, ReadOptions)}, whose found bytes a store that can hands to {@code sink}
     * as they arrive, if the sink takes them ({@link BodySink#begin}): the result is then
     * {@link ReadResult.State#DELIVERED}, else as {@code read} gives it. Only the remote stores
     * deliver; the default never does. A failure after some bytes were delivered throws (or
     * retries, delivering the whole value again): a DELIVERED result means every byte arrived.
     * With a generation condition that the server did not check, the store can tell only once
     * the body has arrived: the result is then "condition not met" although the sink got the
     * bytes of another version, which a caller asking with a condition must overwrite.
     */
    default ReadResult read(String key, ReadOptions options, BodySink sink) {
        return read(key, options);
    }

    /** The whole value of {@code key}, or MISSING. */
    default ReadResult read(String key) {
        return read(key, ReadOptions.ALL);
    }

    /** The bytes of {@code key} within {@code range}, or MISSING. */
    default ReadResult read(String key, ByteRange range) {
        return read(key, ReadOptions.range(range));
    }

    /**
     * Several reads as one batch, results in request order. Stores that can do better (sharded
     * stores coalescing a shard's chunks, remote stores running requests concurrently) override
     * this; the default reads one after the other.
     */
    default List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        List<ReadResult> out = new ArrayList<>(keys.size());
        try {
            for (String k : keys) out.add(read(k, options));
        } catch (RuntimeException e) {
            out.forEach(ReadResult::close);
            throw e;
        }
        return out;
    }

    /**
     * Store {@code value} under {@code key}, atomically, if {@code options}' condition holds.
     * @return whether it was written, and the new generation
     */
    WriteResult write(String key, MemorySegment value, WriteOptions options);

    /** Store {@code value} under {@code key}, atomically replacing any previous value. */
    default WriteResult write(String key, MemorySegment value) {
        return write(key, value, WriteOptions.UNCONDITIONAL);
    }

    /** Whether {@link #write} and {@link #delete} work here (false for read-only http(s) stores). */
    default boolean writable() {
        return true;
    }

    /**
     * Whether {@link #write} honours {@link WriteOptions#ifEqual()} (true for every writable store
     * here). A store that cannot must throw {@link UnsupportedOperationException} on a
     * conditional write, never ignore the condition. Conditional reads work on every store.
     */
    default boolean conditionalWrites() {
        return writable();
    }

    /** Remove {@code key}; true if it existed. */
    boolean delete(String key);

    /**
     * A batch for writes and deletes of this store ({@link WriteBatch#run}, from any thread): the
     * store may defer work each write would do until the batch is closed, as a durable file store
     * syncs each directory once instead of after every rename. Each write stays atomic on its own;
     * once {@link WriteBatch#close} returns, every write the batch ran is as durable as this store
     * makes single writes. The default defers nothing.
     */
    default WriteBatch batch() {
        return WriteBatch.NONE;
    }

    /** Whether {@code key} exists. */
    default boolean exists(String key) {
        try (ReadResult r = read(key, ReadOptions.range(ByteRange.of(0, 0)))) {
            return r.found();
        }
    }

    /** Whether {@link #list} works here (false for plain http(s), which has no listing). */
    default boolean listable() {
        return true;
    }

    /** All keys that start with {@code prefix}, sorted. */
    List<String> list(String prefix);

    /** The URL this store was opened at, for messages. */
    String uri();

    /**
     * Whether reads are served from this machine (memory, local disk, page cache) rather than
     * over a network: a read of a few small values then costs less than handing it to another
     * thread, so callers may do it inline. False unless a store says so.
     */
    default boolean local() {
        return false;
    }

    /** Releases what this store owns (clients, pools); a no-op for most stores. */
    @Override
    default void close() {}
}
