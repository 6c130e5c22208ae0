package org.bigarrays.kvstore;

/**
 * Generations identify a stored version of a value (an ETag, a GCS generation, a counter,
 * mtime+size+file id). They are opaque strings, compared for equality only.
 */
public final class Generation {
    /** The generation of an absent key: conditions on it mean "only if missing". */
    public static final String NO_VALUE = "";
    /** Returned where a store cannot tell the generation (read-only HTTP without ETag). */
    public static final String UNKNOWN = "?";

    private Generation() {}
}
