package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Unsharded chunks: one chunk per key {@code x0-x1_y0-y1_z0-z1}, stored under the name
 * {@link ChunkNames} gives it ({@code <key>.gz} / {@code <key>.zstd} for compressed chunks on
 * local disk, the plain key elsewhere). Every state change of a chunk is one atomic step, also
 * between names, so a reader sees one whole written version and never the fill value for a chunk
 * that exists; see {@link ChunkNames} and {@link org.bigarrays.kvstore.FileStore}'s "Keys with
 * several names".
 */
final class PlainChunkStorage implements ChunkStorage {
    private final ChunkNames names;
    private final ChunkGrid grid;

    PlainChunkStorage(KeyValueStore store, ChunkGrid grid) {
        this.names = ChunkNames.of(store);
        this.grid = grid;
    }

    @Override
    public String key(long[] cell) {
        return ChunkKeys.of(grid.cellBox(cell));
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options) {
        return names.read(key(cell), options);
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options, BodySink sink) {
        return names.read(key(cell), options, sink);
    }

    @Override
    public boolean readsScattered() {
        return names.readsScattered();
    }

    @Override
    public boolean readScattered(long[] cell, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
        return names.readScattered(key(cell), expectedSize, dst, spans, count, head);
    }

    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        return cell -> read(cell, options);
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options) {
        return names.write(key(cell), encoded, transport, options);
    }

    @Override
    public boolean delete(long[] cell) {
        return names.delete(key(cell)); // every name of the chunk
    }
}
