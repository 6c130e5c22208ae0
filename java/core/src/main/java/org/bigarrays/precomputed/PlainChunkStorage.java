package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Unsharded chunks: one key per chunk, {@code x0-x1_y0-y1_z0-z1}.
 *
 * <p><b>One name per chunk.</b> Every write stores the plain key, whatever the transport
 * compression (gzip, zstd and lz4 are recognised on read by their magic numbers, and raw bytes
 * that happen to look compressed are resolved by whether they inflate to exactly the chunk's
 * size). A chunk's state change is therefore one atomic write of one key: two writers with
 * different compression replace each other's value, never delete it, and a reader sees the old
 * bytes or the new ones. This is what BigArrays.jl writes, and what CloudVolume writes to cloud
 * stores (gzip bytes under the plain key, with a {@code Content-Encoding} header that a server
 * in front of a local layer can add); Neuroglancer only ever requests the plain key, so it
 * never saw chunks written as {@code <key>.gz}.
 *
 * <p><b>Reading {@code <key>.gz}</b>, which CloudVolume writes on local disk: it is a legacy
 * name, read only when the plain key is absent; writes never create it and remove it after
 * storing the plain key. The lookup order is fixed (plain, then {@code .gz}, then plain once
 * more), which makes reads deterministic even when both names exist (after a crash between the
 * write and the removal, the plain key wins), and never reports a stored chunk as missing: a
 * writer replaces the legacy name by storing the plain key <em>before</em> removing the old
 * one, so if {@code .gz} vanished between a reader's first two lookups, the third finds the
 * plain key. A chunk found under the legacy name reports generation {@link Generation#NO_VALUE}
 * (its plain key is absent), so a conditional read-modify-write of it creates the plain key only
 * if no other writer did first.
 */
final class PlainChunkStorage implements ChunkStorage {
    static final String LEGACY_GZIP_SUFFIX = ".gz";

    private final KeyValueStore store;
    private final ChunkGrid grid;

    PlainChunkStorage(KeyValueStore store, ChunkGrid grid) {
        this.store = store;
        this.grid = grid;
    }

    @Override
    public String key(long[] cell) {
        return ChunkKeys.of(grid.cellBox(cell));
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options) {
        String k = key(cell);
        ReadResult r = store.read(k, options);
        if (r.state() != ReadResult.State.MISSING) return r;
        ReadResult legacy = store.read(k + LEGACY_GZIP_SUFFIX, options);
        if (legacy.found()) return new ReadResult(ReadResult.State.VALUE, legacy.value(), Generation.NO_VALUE, legacy.lease());
        legacy.close();
        return store.read(k, options);
    }

    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        return cell -> read(cell, options);
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, WriteOptions options) {
        String k = key(cell);
        WriteResult w = store.write(k, encoded, options);
        // After the plain key is stored, a leftover legacy name is never read again; drop it.
        if (w.written()) store.delete(k + LEGACY_GZIP_SUFFIX);
        return w;
    }

    @Override
    public boolean delete(long[] cell) {
        String k = key(cell);
        // The legacy name first: a reader between the two deletes then still finds the plain
        // key (the same old value), never the legacy one after the plain key is gone.
        boolean legacy = store.delete(k + LEGACY_GZIP_SUFFIX);
        return store.delete(k) | legacy;
    }
}
