package org.bigarrays.zarr;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.ChunkStorage;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.StoredChunks;

/**
 * A Zarr array without sharding: one key per chunk, named by its chunk key encoding. The Zarr
 * codecs do all compression, so a write's transport compression is ignored (the codec writes
 * none, see {@link ZarrFormat}).
 */
final class ZarrChunkStorage implements ChunkStorage {
    private final KeyValueStore store;
    private final ZarrChunkKeys keys;
    private final ChunkGrid grid;
    private final boolean readOnly; // a Zarr v2 array
    private final ChannelGroups groups;

    ZarrChunkStorage(KeyValueStore store, ZarrChunkKeys keys, ChunkGrid grid, boolean readOnly, ChannelGroups groups) {
        this.store = store;
        this.keys = keys;
        this.grid = grid;
        this.readOnly = readOnly;
        this.groups = groups;
    }

    private void checkWritable() {
        if (readOnly) throw new org.bigarrays.InvalidInputException("Zarr v2 array " + store.uri() + " is read only: transcode it to --format zarr3 or ome-zarr to write");
    }

    @Override
    public String key(long[] cell) {
        return keys.key(cell);
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options) {
        if (groups.single()) return store.read(key(cell), options);
        // Channels split over several Zarr chunks: read them all, packed as one value (ChannelGroups).
        List<ReadResult> reads = new java.util.ArrayList<>(groups.groups);
        try {
            for (int g = 0; g < groups.groups; g++) reads.add(store.read(keys.key(cell, g), ReadOptions.ALL));
            if (reads.stream().noneMatch(ReadResult::found)) return ReadResult.MISSING;
            // Packed straight from the values read: one copy.
            List<MemorySegment> parts = reads.stream().map(r -> r.found() ? r.bytes() : null).toList();
            return ReadResult.of(ChannelGroups.pack(parts), ChannelGroups.joinGenerations(reads.stream().map(ReadResult::generation).toList()));
        } finally {
            reads.forEach(ReadResult::close);
        }
    }

    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        return cell -> read(cell, options);
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options) {
        checkWritable();
        if (groups.single()) return store.write(key(cell), encoded, new WriteOptions(options.ifEqual()));
        // Each channel chunk is written on its own condition: a lost race on one makes the caller
        // read them all again and apply its patch again, which rewrites the others to the same bytes.
        List<MemorySegment> parts = groups.unpack(encoded, key(cell));
        List<String> expected = options.ifEqual() == null ? null : groups.splitGenerations(options.ifEqual());
        List<String> written = new java.util.ArrayList<>();
        boolean all = true;
        for (int g = 0; g < groups.groups; g++) {
            String k = keys.key(cell, g);
            if (parts.get(g) == null) {
                store.delete(k);
                written.add(org.bigarrays.kvstore.Generation.NO_VALUE);
                continue;
            }
            WriteResult w = store.write(k, parts.get(g), new WriteOptions(expected == null ? null : expected.get(g)));
            all &= w.written();
            written.add(w.generation());
        }
        String gen = ChannelGroups.joinGenerations(written);
        return all ? WriteResult.written(gen) : WriteResult.conditionNotMet(gen);
    }

    @Override
    public boolean delete(long[] cell) {
        checkWritable();
        if (groups.single()) return store.delete(key(cell));
        boolean any = false;
        for (int g = 0; g < groups.groups; g++) any |= store.delete(keys.key(cell, g));
        return any;
    }

    @Override
    public StoredChunks stored() {
        if (!store.listable()) return StoredChunks.of(grid, null, List.of());
        return StoredChunks.of(grid, keys.cells(store.list(""), grid), List.of());
    }
}
