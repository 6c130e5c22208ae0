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

    ZarrChunkStorage(KeyValueStore store, ZarrChunkKeys keys, ChunkGrid grid, boolean readOnly) {
        this.store = store;
        this.keys = keys;
        this.grid = grid;
        this.readOnly = readOnly;
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
        return store.read(key(cell), options);
    }

    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        return cell -> read(cell, options);
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options) {
        checkWritable();
        return store.write(key(cell), encoded, new WriteOptions(options.ifEqual()));
    }

    @Override
    public boolean delete(long[] cell) {
        checkWritable();
        return store.delete(key(cell));
    }

    @Override
    public StoredChunks stored() {
        if (!store.listable()) return StoredChunks.of(grid, null, List.of());
        return StoredChunks.of(grid, keys.cells(store.list(""), grid), List.of());
    }
}
