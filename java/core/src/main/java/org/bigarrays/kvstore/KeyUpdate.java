package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One key's change in a batched write: a value that replaces whatever is stored ({@link #put};
 * a null value removes the key), or a {@link Patch} of the stored value, applied inside the
 * store's conditional read-modify-write and applied again to the newer value when another writer
 * got there first. A store that groups keys (a shard file) writes a group that only puts, and
 * covers it whole, without reading it.
 *
 * @param key the key
 * @param value the new value of a put; null removes the key (and is null for a patch)
 * @param patch the change of the stored value; null for a put
 */
public record KeyUpdate(String key, MemorySegment value, Patch patch) {
    /** A change computed from the stored value. */
    @FunctionalInterface
    public interface Patch {
        /**
         * The new value of the key, given {@code stored} (its value and generation, or
         * {@link ReadResult#MISSING}), which the patch owns and closes; null: the key is to be
         * absent. The returned bytes must stay valid until the batch's write returns.
         */
        MemorySegment apply(ReadResult stored);
    }

    public KeyUpdate {
        Objects.requireNonNull(key, "key");
        if (patch != null && value != null) throw new IllegalArgumentException("a patch of '" + key + "' has no value of its own");
    }

    /** Replace the stored value by {@code value} (null: remove the key). */
    public static KeyUpdate put(String key, MemorySegment value) {
        return new KeyUpdate(key, value, null);
    }

    /** Change the stored value by {@code patch}. */
    public static KeyUpdate patch(String key, Patch patch) {
        return new KeyUpdate(key, null, Objects.requireNonNull(patch, "patch"));
    }

    /** Whether the new value does not depend on the stored one. */
    public boolean blind() {
        return patch == null;
    }
}
