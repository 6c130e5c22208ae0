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

    private StoreValue(KeyValueStore store, String key, String generation, long size) {
        this.store = store;
        this.key = key;
        this.generation = generation;
        this.size = size;
    }

    /**
     * The value at {@code key}, or null if there is none.
     * @param block bytes read at once; a value shorter than this is sized by its first read
     */
    static StoreValue open(KeyValueStore store, String key, long block) {
        String gen;
        long size;
        try (ReadResult first = store.read(key, ReadOptions.range(ByteRange.of(0, block)))) {
            if (!first.found()) return null;
            gen = first.generation();
            size = first.bytes().byteSize();
        }
        if (size == block) size = probeSize(store, key, gen, block);
        return new StoreValue(store, key, gen, size);
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
        try (ReadResult r = store.read(key, ReadOptions.range(ByteRange.of(position, position + n)).withIfEqual(generation))) {
            if (!r.found()) throw changed(store, key, r.state() == ReadResult.State.MISSING ? "deleted" : "replaced");
            if (r.bytes().byteSize() != n) throw changed(store, key, "shortened");
            MemorySegment.copy(r.bytes(), 0, dst, 0, n);
        }
    }

    @Override
    public void close() {}
}
