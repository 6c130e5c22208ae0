package org.bigarrays.kvstore;

/**
 * How to write a value.
 *
 * @param ifEqual write only if the stored generation equals this one: null for no condition,
 *     {@link Generation#NO_VALUE} for "only if the key is absent". The check and the write are
 *     one atomic step (see each store's notes for how).
 * @param contentEncoding the value's HTTP {@code Content-Encoding} ("gzip" for a gzip stream),
 *     kept as object metadata by stores that have it (s3, gs) so that HTTP clients such as
 *     Neuroglancer inflate the bytes themselves; null for none. Stores without metadata ignore it.
 */
public record WriteOptions(String ifEqual, String contentEncoding) {
    public static final WriteOptions UNCONDITIONAL = new WriteOptions(null, null);

    /** A write conditioned on {@code ifEqual} (null: none), without content encoding. */
    public WriteOptions(String ifEqual) {
        this(ifEqual, null);
    }

    public static WriteOptions ifEqual(String generation) {
        if (generation == null) throw new IllegalArgumentException("generation must not be null");
        return new WriteOptions(generation);
    }

    public static WriteOptions ifMissing() {
        return new WriteOptions(Generation.NO_VALUE);
    }

    /** The same write, its value marked as encoded with {@code encoding} (e.g. "gzip"; null: none). */
    public WriteOptions withContentEncoding(String encoding) {
        return new WriteOptions(ifEqual, encoding);
    }

    public boolean conditional() {
        return ifEqual != null;
    }
}
