package org.bigarrays.server;

import java.lang.foreign.MemorySegment;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;

/**
 * A value of a layer in any store (s3, gs, http, memory), read in ranges, each conditional on the
 * generation of the first: a value replaced mid-response fails the read instead of mixing two
 * versions. Stores have no size query, so a value larger than the first block is sized by
 * ranged probes (a range past the end reads as empty in every store): doubling offsets, then
 * halving, {@link #PROBE} bytes each, about 2·log2(size / PROBE) small reads (34 for 5 GiB),
 * paid only by values larger than a block.
 */
final class StoreValue implements StoredValue {
    static final long PROBE = 64 << 10;

    private final KeyValueStore store;
    private final String key;
    private final String generation;
    private final long size;
    private ReadResult whole; // the value, when the first read held all of it; else null
    private final ByteBudget budget;
    private int units; // what whole holds of the budget

    private StoreValue(KeyValueStore store, String key, String generation, long size, ReadResult whole, ByteBudget budget, int units) {
        this.store = store;
        this.key = key;
        this.generation = generation;
        this.size = size;
        this.whole = whole;
        this.budget = budget;
        this.units = units;
    }

    /**
     * The value at {@code key}, or null if there is none. The first read takes one block of
     * {@code budget}; a value shorter than a block is then held whole (one request per small
     * value, such as a chunk) and keeps its share of the budget until {@link #close()}.
     * @param block bytes read at once; a value shorter than this is sized by its first read
     * @throws HttpError 503 when the budget stays full
     */
    static StoreValue open(KeyValueStore store, String key, long block, ByteBudget budget) {
        int taken = budget.acquire(block);
        ReadResult first = null;
        try {
            first = store.read(key, ReadOptions.range(ByteRange.of(0, block)));
            if (!first.found()) return null;
            String gen = first.generation();
            long size = first.bytes().byteSize();
            if (size < block) {
                StoreValue v = new StoreValue(store, key, gen, size, first, budget, taken);
                first = null;
                taken = 0;
                return v;
            }
            first.close();
            first = null;
            budget.release(taken);
            taken = 0;
            return new StoreValue(store, key, gen, probeSize(store, key, gen, block), null, budget, 0);
        } finally {
            if (first != null) first.close();
            if (taken > 0) budget.release(taken);
        }
    }

    @Override
    public MemorySegment held() {
        return whole == null ? null : whole.bytes();
    }

    /** Bytes read at {@code offset} (at most PROBE), under the generation condition. */
    private static long bytesAt(KeyValueStore store, String key, String gen, long offset) {
        try (ReadResult r = store.read(key, ReadOptions.range(ByteRange.of(offset, offset + PROBE)).withIfEqual(gen))) {
            if (!r.found()) throw changed(store, key, r.state() == ReadResult.State.MISSING ? "deleted" : "replaced");
            return r.bytes().byteSize();
        }
    }

    /** The size of a value known to hold at least {@code atLeast} bytes. */
    private static long probeSize(KeyValueStore store, String key, String gen, long atLeast) {
        long lo = atLeast; // size >= lo
        long hi; // size <= hi
        long step = Math.max(PROBE, atLeast);
        while (true) { // doubling: find a window that is not full
            long at = lo + step;
            long n = bytesAt(store, key, gen, at);
            if (n > 0 && n < PROBE) return at + n;
            if (n == 0) {
                hi = at;
                break;
            }
            lo = at + PROBE;
            step = Math.multiplyExact(step, 2);
        }
        while (hi - lo > PROBE) { // halving
            long mid = lo + (hi - lo) / 2;
            long n = bytesAt(store, key, gen, mid);
            if (n > 0 && n < PROBE) return mid + n;
            if (n == 0) hi = mid;
            else lo = mid + PROBE;
        }
        return lo + bytesAt(store, key, gen, lo);
    }

    private static StorageException changed(KeyValueStore store, String key, String how) {
        return new StorageException(store.uri(), key, "read", "value " + how + " while it was being sent; ask again");
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long position, MemorySegment dst) {
        long n = dst.byteSize();
        if (whole != null) {
            MemorySegment.copy(whole.bytes(), position, dst, 0, n);
            return;
        }
        try (ReadResult r = store.read(key, ReadOptions.range(ByteRange.of(position, position + n)).withIfEqual(generation))) {
            if (!r.found()) throw changed(store, key, r.state() == ReadResult.State.MISSING ? "deleted" : "replaced");
            if (r.bytes().byteSize() != n) throw changed(store, key, "shortened");
            MemorySegment.copy(r.bytes(), 0, dst, 0, n);
        }
    }

    @Override
    public void close() {
        if (whole != null) {
            whole.close();
            whole = null;
            budget.release(units);
            units = 0;
        }
    }
}
