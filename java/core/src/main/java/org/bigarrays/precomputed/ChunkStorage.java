package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Where a scale's stored chunk bytes live: one key per chunk ({@link PlainChunkStorage}) or
 * shard files ({@link ScaleShards}). The one place that knows which.
 */
interface ChunkStorage {
    /** Where the chunk lives, relative to the scale directory (for messages and unsharded keys). */
    String key(long[] cell);

    /** The chunk's stored bytes and generation, or MISSING. */
    ReadResult read(long[] cell, ReadOptions options);

    /** Reads for the cells of {@code range}, batched where the storage can (one batch per shard). */
    ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options);

    /**
     * Store one chunk's encoded bytes, compressed with {@code transport} (which may choose the
     * stored name, see {@link ChunkNames}), in one atomic step, if {@code options}' condition holds.
     */
    WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options);

    /** Remove one chunk (unconditionally, every name it is stored under); true if it was stored. */
    boolean delete(long[] cell);
}
