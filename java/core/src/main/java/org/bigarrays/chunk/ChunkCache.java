package org.bigarrays.chunk;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bigarrays.core.Box;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Decoded chunks shared by every reader of a {@link org.bigarrays.array.BigArraysContext}:
 * bounded by bytes (the decoded size of the chunks it keeps), least recently used out first.
 *
 * <p><b>Single flight.</b> The first reader that misses a chunk fetches and decodes it; readers
 * that need the same chunk meanwhile wait for that one load instead of starting their own. A
 * failed load is reported to all of them and not kept.
 *
 * <p><b>Lifetimes.</b> A cached chunk owns leased memory. Every reader holds a {@link Ref} while
 * it copies from the chunk, and the cache holds one of its own while the chunk is resident; the
 * memory goes back to the pool when the last of them is closed. Evicting a chunk only drops the
 * cache's reference, so a chunk being copied from is never freed under its reader.
 *
 * <p><b>Writes.</b> Writers through the same context call {@link #invalidate}: it drops the
 * chunks of the written box and makes loads that were in flight meanwhile deliver their (older)
 * bytes to their waiting readers without keeping them, so no later reader sees a chunk older
 * than the last write. Writes by other processes are not seen until the chunk is evicted.
 * Thread-safe; the lock is held only for map updates, never while a chunk loads.
 */
public final class ChunkCache {
    /** What a missing chunk (no data: the fill value) counts as. */
    private static final long MISSING_BYTES = 64;

    /** Counters since the cache was made, and the bytes resident now. */
    public record Stats(long hits, long misses, long waits, long loads, long evictions, long bytes, int entries, long capacity) {}

    private record Key(ScaleChunkStore scale, long x, long y, long z) {
        // ScaleChunkStore has identity equality: one per layer and scale in a context.
    }

    /** A chunk and its reference count (one per open {@link Ref}, plus one while resident). */
    private static final class Entry {
        final DecodedChunk chunk;
        final long bytes;
        final AtomicInteger refs = new AtomicInteger(1);

        Entry(DecodedChunk chunk, long bytes) {
            this.chunk = chunk;
            this.bytes = bytes;
        }

        /** Take a reference unless the chunk has already been freed. */
        boolean retain() {
            for (int r = refs.get(); r > 0; r = refs.get()) {
                if (refs.compareAndSet(r, r + 1)) return true;
            }
            return false;
        }

        void release() {
            if (refs.decrementAndGet() == 0) chunk.close();
        }
    }

    /** A map slot: loading (future only) or resident (entry set). */
    private static final class Slot {
        final CompletableFuture<Entry> loading = new CompletableFuture<>();
        Entry entry; // guarded by the cache
    }

    /** A reader's hold on a chunk: use {@link #chunk()} until {@link #close()}. Not thread-safe. */
    public static final class Ref implements AutoCloseable {
        private Entry entry;

        private Ref(Entry entry) {
            this.entry = entry;
        }

        /** The decoded chunk; read-only, shared with other readers. */
        public DecodedChunk chunk() {
            if (entry == null) throw new IllegalStateException("chunk reference already closed");
            return entry.chunk;
        }

        @Override
        public void close() {
            Entry e = entry;
            if (e == null) return;
            entry = null;
            e.release();
        }
    }

    private final long capacity;
    private final LinkedHashMap<Key, Slot> map = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long epoch;
    private long hits, misses, waits, loads, evictions;

    /** A cache keeping at most {@code capacityBytes} of decoded chunks. */
    public ChunkCache(long capacityBytes) {
        if (capacityBytes < 0) throw new IllegalArgumentException("cache capacity must be ≥ 0 bytes, found " + capacityBytes);
        this.capacity = capacityBytes;
    }

    public long capacity() {
        return capacity;
    }

    /**
     * The chunk of {@code cell} in {@code scale}: from the cache, from a load in flight, or loaded
     * by {@code load} on this thread (which then owns the chunk it returns until it is cached).
     * @throws RuntimeException whatever the load threw (also to the readers that waited for it)
     */
    public Ref get(ScaleChunkStore scale, long[] cell, Supplier<DecodedChunk> load) {
        Key k = new Key(scale, cell[0], cell[1], cell[2]);
        while (true) {
            Slot slot;
            Slot mine = null;
            long startEpoch;
            synchronized (this) {
                slot = map.get(k);
                startEpoch = epoch;
                if (slot != null && slot.entry != null && slot.entry.retain()) {
                    hits++;
                    return new Ref(slot.entry);
                }
                if (slot == null) {
                    mine = new Slot();
                    map.put(k, mine);
                    misses++;
                } else {
                    waits++;
                }
            }
            if (mine != null) return load(k, mine, startEpoch, load);
            Entry e = await(slot.loading);
            if (e.retain()) return new Ref(e);
            // Loaded, handed out and freed already (not kept): load again.
        }
    }

    private Ref load(Key k, Slot slot, long startEpoch, Supplier<DecodedChunk> load) {
        DecodedChunk c;
        try {
            c = load.get();
        } catch (RuntimeException | Error t) {
            synchronized (this) {
                map.remove(k, slot);
            }
            slot.loading.completeExceptionally(t);
            throw t;
        }
        Entry e = new Entry(c, c.found() ? c.layout().byteSize() : MISSING_BYTES);
        List<Entry> evicted = new ArrayList<>();
        synchronized (this) {
            loads++;
            boolean current = map.get(k) == slot;
            if (current && epoch == startEpoch && e.bytes <= capacity) {
                slot.entry = e;
                e.refs.incrementAndGet(); // the cache's own reference
                bytes += e.bytes;
                evictOver(capacity, evicted);
            } else if (current) {
                map.remove(k);
            }
        }
        evicted.forEach(Entry::release);
        slot.loading.complete(e);
        return new Ref(e);
    }

    private static Entry await(CompletableFuture<Entry> f) {
        try {
            return f.get();
        } catch (ExecutionException | CompletionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a chunk", ex);
        }
    }

    /** Drop least recently used resident chunks until at most {@code limit} bytes remain (lock held). */
    private void evictOver(long limit, List<Entry> evicted) {
        Iterator<Map.Entry<Key, Slot>> it = map.entrySet().iterator();
        while (bytes > limit && it.hasNext()) {
            Slot s = it.next().getValue();
            if (s.entry == null) continue; // loading: not counted yet
            it.remove();
            bytes -= s.entry.bytes;
            evictions++;
            evicted.add(s.entry);
        }
    }

    /**
     * Forget the chunks of {@code scale} that overlap {@code box} (null: all of the scale's), and
     * keep loads in flight from being cached: called after a write through this context.
     */
    public void invalidate(ScaleChunkStore scale, Box box) {
        List<Entry> dropped = new ArrayList<>();
        synchronized (this) {
            epoch++;
            Iterator<Map.Entry<Key, Slot>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Slot> me = it.next();
                Key k = me.getKey();
                if (k.scale() != scale) continue;
                if (box != null && scale.chunkBox(new long[] {k.x(), k.y(), k.z()}).intersect(box).isEmpty()) continue;
                it.remove();
                Slot s = me.getValue();
                if (s.entry != null) {
                    bytes -= s.entry.bytes;
                    dropped.add(s.entry);
                }
            }
        }
        dropped.forEach(Entry::release);
    }

    /** Drop every resident chunk (memory goes back once readers holding one are done). */
    public void clear() {
        List<Entry> dropped = new ArrayList<>();
        synchronized (this) {
            epoch++;
            evictOver(-1, dropped);
            map.values().removeIf(s -> s.entry == null);
        }
        dropped.forEach(Entry::release);
    }

    public synchronized Stats stats() {
        int resident = 0;
        for (Slot s : map.values()) if (s.entry != null) resident++;
        return new Stats(hits, misses, waits, loads, evictions, bytes, resident, capacity);
    }
}
