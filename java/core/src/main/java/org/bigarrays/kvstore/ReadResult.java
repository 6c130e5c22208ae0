package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;

/**
 * The outcome of a read: the value's bytes, or {@link #MISSING}. Missing is a value, not an
 * exception: for array data it means "fill value". {@code generation} identifies the stored
 * version (ETag, mtime+size) for conditional writes; empty where the store has none.
 */
public record ReadResult(MemorySegment value, String generation) {
    public static final ReadResult MISSING = new ReadResult(null, "");

    public static ReadResult of(MemorySegment value, String generation) {
        return new ReadResult(value, generation);
    }

    public static ReadResult of(byte[] value) {
        return new ReadResult(MemorySegment.ofArray(value), "");
    }

    public boolean found() {
        return value != null;
    }

    /** The value; throws if missing. */
    public MemorySegment bytes() {
        if (value == null) throw new IllegalStateException("value is missing");
        return value;
    }

    /** A copy of the value as a Java array. */
    public byte[] toByteArray() {
        return bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
