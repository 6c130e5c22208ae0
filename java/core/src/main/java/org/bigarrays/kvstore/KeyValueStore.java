package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Keys to bytes: the one thing BigArrays asks of storage. Keys are relative paths with '/'
 * separators, no leading slash and no "." or ".." segments (see {@link Keys}).
 *
 * <p>Contract, for every implementation: {@link #read} returns {@link ReadResult#MISSING} for an
 * absent key and throws {@link org.bigarrays.StorageException} for anything else that went wrong
 * (permission denied is an error, never "missing"); {@link #write} is atomic (readers see the old
 * value or the new one, never a torn one) and throws if it did not happen. Implementations are
 * thread-safe.
 */
public interface KeyValueStore extends AutoCloseable {

    /** The bytes of {@code key} within {@code range} (clipped to the value's size), or MISSING. */
    ReadResult read(String key, ByteRange range);

    /**
     * Like {@link #read(String, ByteRange)}, but the bytes may be placed in memory the caller
     * provides: {@code allocator} is asked for a segment of at least the value's length and the
     * result's value is a slice of it (stores that cannot do this return memory of their own).
     * Cutouts use it to reuse pooled chunk buffers instead of allocating one per chunk. The
     * result carries no generation.
     */
    default ReadResult read(String key, ByteRange range, LongFunction<MemorySegment> allocator) {
        return read(key, range);
    }

    /** The whole value of {@code key}, or MISSING. */
    default ReadResult read(String key) {
        return read(key, ByteRange.ALL);
    }

    /** Store {@code value} under {@code key}, atomically replacing any previous value. */
    void write(String key, MemorySegment value);

    /** Remove {@code key}; true if it existed. */
    boolean delete(String key);

    /** Whether {@code key} exists. */
    boolean exists(String key);

    /** All keys that start with {@code prefix}, sorted. */
    List<String> list(String prefix);

    /** The URL this store was opened at, for messages. */
    String uri();

    @Override
    default void close() {}
}
