package org.bigarrays.kvstore;

import org.bigarrays.core.BufferPool;

/**
 * How to read a value: which bytes, under which generation condition, into whose memory.
 *
 * @param range the bytes wanted ({@link ByteRange#ALL} for the whole value)
 * @param ifEqual read only if the stored generation equals this one (null: no condition;
 *     {@link Generation#NO_VALUE}: only if the key is absent); otherwise the result is
 *     {@link ReadResult.State#CONDITION_NOT_MET}
 * @param ifNotEqual read only if the stored generation differs from this one (null: no
 *     condition), e.g. to revalidate a cached value; otherwise {@code CONDITION_NOT_MET}
 * @param buffers where stores that can should put the bytes (the result then owns a
 *     {@link org.bigarrays.core.Lease} that its {@link ReadResult#close()} gives back); null:
 *     the store's own memory
 */
public record ReadOptions(ByteRange range, String ifEqual, String ifNotEqual, BufferPool buffers) {
    /** The whole value, unconditionally, in the store's memory. */
    public static final ReadOptions ALL = new ReadOptions(ByteRange.ALL, null, null, null);

    public ReadOptions {
        if (range == null) throw new IllegalArgumentException("range must not be null (use ByteRange.ALL)");
    }

    public static ReadOptions range(ByteRange r) {
        return new ReadOptions(r, null, null, null);
    }

    public ReadOptions withRange(ByteRange r) {
        return new ReadOptions(r, ifEqual, ifNotEqual, buffers);
    }

    public ReadOptions withIfEqual(String generation) {
        return new ReadOptions(range, generation, ifNotEqual, buffers);
    }

    public ReadOptions withIfNotEqual(String generation) {
        return new ReadOptions(range, ifEqual, generation, buffers);
    }

    public ReadOptions withBuffers(BufferPool pool) {
        return new ReadOptions(range, ifEqual, ifNotEqual, pool);
    }

    /** Whether a value stored at {@code generation} satisfies both conditions. */
    public boolean admits(String generation) {
        return (ifEqual == null || ifEqual.equals(generation)) && (ifNotEqual == null || !ifNotEqual.equals(generation));
    }
}
