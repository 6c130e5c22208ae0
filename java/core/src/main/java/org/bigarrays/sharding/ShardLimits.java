package org.bigarrays.sharding;

import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.ConflictRetry;

/**
 * Bounds a {@link ShardedKeyValueStore} keeps on what it reads and does, so that a hostile or
 * damaged shard file costs at most a chunk's worth of memory (issue 15.7).
 *
 * @param maxChunkBytes the largest a chunk can be once {@code data_encoding} is undone (the
 *     format layer knows it from the chunk shape, data type and encoding); a gzip chunk is
 *     inflated into a buffer of at most this size, a larger chunk is corrupt
 * @param maxChunks the number of chunks in the scale's grid: a minishard index holds at most
 *     this many entries (24 bytes each)
 * @param cacheEntries decoded minishard indexes kept in the LRU cache
 * @param parallelReads base-store requests in flight at once for a store made without an I/O
 *     budget (one made by a scale takes its context's {@link org.bigarrays.kvstore.IoBudget})
 * @param retry how single-chunk writes and deletes ({@link ShardedKeyValueStore#write},
 *     {@link ShardedKeyValueStore#delete}) retry a shard's read-modify-write
 */
public record ShardLimits(long maxChunkBytes, long maxChunks, int cacheEntries, int parallelReads, ConflictRetry retry) {
    /** Default number of decoded minishard indexes kept. */
    public static final int DEFAULT_CACHE_ENTRIES = 4096;
    /** Default concurrent base reads per store. */
    public static final int DEFAULT_PARALLEL_READS = 32;

    public ShardLimits {
        if (maxChunkBytes < 0) throw new InvalidInputException("sharding: maximum chunk size must be ≥ 0, found " + maxChunkBytes);
        if (maxChunks < 1) throw new InvalidInputException("sharding: maximum number of chunks must be ≥ 1, found " + maxChunks);
        if (cacheEntries < 0 || parallelReads < 1) {
            throw new InvalidInputException("sharding: cache entries ≥ 0 and parallel reads ≥ 1 needed, found " + cacheEntries + ", " + parallelReads);
        }
        java.util.Objects.requireNonNull(retry, "retry");
    }

    /** The given caps with default cache, parallelism and retries. */
    public static ShardLimits of(long maxChunkBytes, long maxChunks) {
        return new ShardLimits(maxChunkBytes, maxChunks, DEFAULT_CACHE_ENTRIES, DEFAULT_PARALLEL_READS, ConflictRetry.DEFAULT);
    }

    public ShardLimits withCacheEntries(int n) {
        return new ShardLimits(maxChunkBytes, maxChunks, n, parallelReads, retry);
    }

    public ShardLimits withParallelReads(int n) {
        return new ShardLimits(maxChunkBytes, maxChunks, cacheEntries, n, retry);
    }

    public ShardLimits withRetry(ConflictRetry r) {
        return new ShardLimits(maxChunkBytes, maxChunks, cacheEntries, parallelReads, r);
    }

    /** The largest a minishard index can be once decoded: 24 bytes per chunk of the grid. */
    public long maxMinishardIndexBytes() {
        return maxChunks > Long.MAX_VALUE / 24 ? Long.MAX_VALUE : 24 * maxChunks;
    }
}
