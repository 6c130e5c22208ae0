package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.core.Lease;

/**
 * The outcome of a read: the value's bytes, {@link #MISSING}, or "condition not met". Missing is
 * a value, not an exception: for array data it means "fill value". {@code generation} identifies
 * the stored version for conditional reads and writes ({@link Generation#NO_VALUE} when missing).
 * When the bytes live in a leased buffer ({@link ReadOptions#buffers()}), this result owns the
 * lease: {@link #close()} gives it back, after which {@code value} must not be used.
 */
public record ReadResult(State state, MemorySegment value, String generation, Lease lease) implements AutoCloseable {
    public enum State {
        /** The key exists; {@code value} holds the bytes asked for. */
        VALUE,
        /** The key does not exist. */
        MISSING,
        /** The read's generation condition was not met; no bytes were read. */
        CONDITION_NOT_MET,
        /** The key exists and its bytes went to the read's {@link BodySink}, all of them; {@code value} is null. */
        DELIVERED
    }

    public static final ReadResult MISSING = new ReadResult(State.MISSING, null, Generation.NO_VALUE, null);

    public ReadResult {
        if ((state == State.VALUE) != (value != null)) throw new IllegalArgumentException("a value exactly when the state is VALUE");
        if (generation == null) throw new IllegalArgumentException("generation must not be null");
    }

    public static ReadResult of(MemorySegment value, String generation) {
        return new ReadResult(State.VALUE, value, generation, null);
    }

    /** A value held in {@code lease}, which the result now owns. */
    public static ReadResult leased(MemorySegment value, String generation, Lease lease) {
        return new ReadResult(State.VALUE, value, generation, lease);
    }

    /** A value whose bytes all went to the read's {@link BodySink}. */
    public static ReadResult delivered(String generation) {
        return new ReadResult(State.DELIVERED, null, generation, null);
    }

    public static ReadResult of(byte[] value) {
        return of(MemorySegment.ofArray(value), Generation.UNKNOWN);
    }

    public static ReadResult conditionNotMet(String current) {
        return new ReadResult(State.CONDITION_NOT_MET, null, current, null);
    }

    /** Whether the key exists and its bytes are here. */
    public boolean found() {
        return state == State.VALUE;
    }

    /** The value; throws if there is none. */
    public MemorySegment bytes() {
        if (value == null) throw new IllegalStateException("no value: " + state);
        return value;
    }

    /** A copy of the value as a Java array. */
    public byte[] toByteArray() {
        return bytes().toArray(ValueLayout.JAVA_BYTE);
    }

    /** Gives back the leased buffer, if any. */
    @Override
    public void close() {
        if (lease != null) lease.close();
    }
}
