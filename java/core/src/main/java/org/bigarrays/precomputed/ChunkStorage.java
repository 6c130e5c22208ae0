package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.Compression;
import java.util.List;
import org.bigarrays.core.CellRange;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Where a scale's stored chunk bytes live: one key per chunk ({@link PlainChunkStorage}) or
 * shard files ({@link ScaleShards}) in precomputed, and a format driver's own (Zarr's chunk
 * keys and {@code sharding_indexed} shards). The one place that knows which; a format driver
 * hands one to {@link ScaleChunkStore}.
 */
public interface ChunkStorage {
    /** Where the chunk lives, relative to the scale directory (for messages and unsharded keys). */
    String key(long[] cell);

    /** The chunk's stored bytes and generation, or MISSING. */
    ReadResult read(long[] cell, ReadOptions options);

    /**
     * {@link #read(long[], ReadOptions)} whose stored bytes go to {@code sink} as they arrive where
     * the storage can (one key per chunk on a remote store: {@link ReadResult.State#DELIVERED});
     * the default reads as usual.
     */
    default ReadResult read(long[] cell, ReadOptions options, BodySink sink) {
        return read(cell, options);
    }

    /**
     * Whether {@link #readScattered} can read here (unsharded chunks on local disk); false by default.
     */
    default boolean readsScattered() {
        return false;
    }

    /**
     * Read byte ranges of the chunk's value under its plain name straight into {@code dst}, and
     * its first bytes into {@code head}, if it is exactly {@code expectedSize} bytes long (see
     * {@link org.bigarrays.kvstore.FileStore#readScattered}).
     * @return false, nothing written, when it is not (absent, another name or size): read it with {@link #read}
     */
    default boolean readScattered(long[] cell, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
        return false;
    }

    /** Reads for the cells of {@code range}, batched where the storage can (one batch per shard). */
    ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options);

    /**
     * {@link #fetcher(CellRange, ReadOptions)} whose reads hand a chunk's stored bytes to
     * {@code sinks.apply(cell)} (null: none) as they arrive where the storage can, fetching
     * {@link ReadResult.State#DELIVERED}; the sink of a chunk may be filled by the fetch of
     * another chunk of its batch (a run of a shard file read at once). The default delivers nothing.
     */
    default ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options, java.util.function.Function<long[], BodySink> sinks) {
        return fetcher(range, options);
    }

    /**
     * Store one chunk's encoded bytes, compressed with {@code transport} (which may choose the
     * stored name, see {@link ChunkNames}), in one atomic step, if {@code options}' condition holds.
     */
    WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options);

    /** Remove one chunk (unconditionally, every name it is stored under); true if it was stored. */
    boolean delete(long[] cell);

    /**
     * Whether chunks are stored in groups that are written as one unit (shard files): then
     * writes go through {@link #writeGroups} and {@link #update}, never {@link #write} per chunk.
     */
    default boolean groupsChunks() {
        return false;
    }

    /** The cells of {@code range} grouped by the unit they are stored in (only when {@link #groupsChunks}). */
    default List<ScaleChunkStore.WriteGroup> writeGroups(CellRange range) {
        throw new UnsupportedOperationException("chunks are stored one per key");
    }

    /**
     * Store {@code updates} one atomic write per unit: written whole without reading when the
     * batch replaces every chunk of the unit, else a conditional read-modify-write retried under
     * {@code retry} (only when {@link #groupsChunks}).
     * @throws org.bigarrays.ConflictException naming the unit other writers changed during every attempt
     */
    default void update(List<ChunkUpdate> updates, ConflictRetry retry) {
        throw new UnsupportedOperationException("chunks are stored one per key");
    }

    /**
     * What this storage holds, listed its own way; null: the precomputed listing (chunk keys,
     * or the shard indexes of {@link ScaleShards}) applies.
     */
    default StoredChunks stored() {
        return null;
    }

    /**
     * The shape in chunks {@code [x, y, z]} of the blocks of the grid stored as one unit (a
     * shard that is a block of the grid), truncated by the volume; null when units are single
     * chunks or not blocks (hashed shards).
     */
    default long[] unitShapeInChunks() {
        return null;
    }
}
