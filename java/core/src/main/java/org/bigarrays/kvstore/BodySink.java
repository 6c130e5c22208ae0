package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;

/**
 * Takes a value's bytes as they arrive from the store, each at its offset in the value, instead
 * of a buffer that holds them all: a reader that knows where the bytes go (a raw chunk's rows in
 * a cutout) then copies them once. See {@link KeyValueStore#read(String, ReadOptions, BodySink)}.
 *
 * <p>Per attempt of a read, a store calls {@link #begin} once the value's length is known and,
 * if the sink took it, {@link #accept} for consecutive pieces from offset 0 up to that length,
 * never past it. A failed attempt (a truncated or overlong body, a reset) may be followed by
 * another one, which calls {@code begin} again and delivers every byte again: a sink keeps no
 * count of what arrived across attempts, so a retried value is rewritten whole. Calls of one
 * attempt come one after the other, though maybe not all on one thread.
 */
public interface BodySink {
    /**
     * A value of {@code length} bytes is about to arrive.
     * @return whether this sink takes it; false: the store reads it as usual, into the result
     */
    boolean begin(long length);

    /** The bytes of the value at {@code offset}; valid during this call only. */
    void accept(long offset, MemorySegment bytes);
}
