package org.bigarrays.kvstore;

/**
 * How to write a value.
 *
 * @param ifEqual write only if the stored generation equals this one: null for no condition,
 *     {@link Generation#NO_VALUE} for "only if the key is absent". The check and the write are
 *     one atomic step (see each store's notes for how).
 */
public record WriteOptions(String ifEqual) {
    public static final WriteOptions UNCONDITIONAL = new WriteOptions(null);

    public static WriteOptions ifEqual(String generation) {
        if (generation == null) throw new IllegalArgumentException("generation must not be null");
        return new WriteOptions(generation);
    }

    public static WriteOptions ifMissing() {
        return new WriteOptions(Generation.NO_VALUE);
    }

    public boolean conditional() {
        return ifEqual != null;
    }
}
