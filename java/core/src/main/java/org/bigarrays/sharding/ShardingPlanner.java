package org.bigarrays.sharding;

import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;

/**
 * Proposes sharding parameters, in the spirit of Igneous/CloudVolume's helpers (facts, not
 * their code): for images, shards of about a target uncompressed size that are spatial blocks
 * of the chunk grid (identity hash over the compressed Morton id), with minishards of
 * {@code 2^preshift_bits} Morton-consecutive chunks; for labels (meshes, skeletons), a murmur
 * hash sized so shard and minishard indexes stay small.
 */
public final class ShardingPlanner {
    /** Default uncompressed bytes per shard for images (CloudVolume uses 3.5 GB). */
    public static final long DEFAULT_SHARD_BYTES = 3_500_000_000L;
    /** Default shard index limit: 8 KiB = 512 minishards, one small first read per shard. */
    public static final long DEFAULT_SHARD_INDEX_BYTES = 8192;
    /** Default minishard index limit: 40 kB ≈ 1666 chunks. */
    public static final long DEFAULT_MINISHARD_INDEX_BYTES = 40_000;

    private ShardingPlanner() {}

    /** {@link #forImage(long[], long[], long, long, long, long)} with the defaults above. */
    public static ShardingSpec forImage(long[] size, long[] chunk, long bytesPerVoxel) {
        return forImage(size, chunk, bytesPerVoxel, DEFAULT_SHARD_BYTES, DEFAULT_SHARD_INDEX_BYTES, DEFAULT_MINISHARD_INDEX_BYTES);
    }

    /**
     * Parameters for an image volume.
     * @param size volume size in voxels [x, y, z]
     * @param chunk chunk shape [x, y, z]
     * @param bytesPerVoxel data type size × channels
     * @param targetShardBytes uncompressed bytes a shard should hold at most
     * @param maxShardIndexBytes bound on the shard index (16 bytes per minishard)
     * @param maxMinishardIndexBytes bound on one minishard index (24 bytes per chunk)
     */
    public static ShardingSpec forImage(long[] size, long[] chunk, long bytesPerVoxel, long targetShardBytes,
                                        long maxShardIndexBytes, long maxMinishardIndexBytes) {
        if (size.length != 3 || chunk.length != 3) throw new InvalidInputException("size and chunk need 3 values x,y,z");
        long chunkBytes = bytesPerVoxel;
        long[] grid = new long[3];
        for (int i = 0; i < 3; i++) {
            if (size[i] < 1 || chunk[i] < 1) throw new InvalidInputException("size and chunk must be ≥ 1, found size " + size[i] + ", chunk " + chunk[i]);
            grid[i] = Math.ceilDiv(size[i], chunk[i]);
            chunkBytes = Math.multiplyExact(chunkBytes, chunk[i]);
        }
        int totalBits = 0;
        for (int b : CompressedMorton.bits(grid)) totalBits += b;
        // Chunks per shard: the largest power of two whose chunks fit the target (at least one).
        int shardLevel = floorLog2(Math.max(1, targetShardBytes / Math.max(1, chunkBytes)));
        shardLevel = Math.min(shardLevel, totalBits);
        int maxMinishardBits = Math.min(32, floorLog2(Math.max(1, maxShardIndexBytes / 16)));
        int chunksPerMinishardBits = floorLog2(Math.max(1, maxMinishardIndexBytes / 24));
        // Prefer more chunks per minishard (fewer index reads) within the minishard-index bound.
        int minishardBits = Math.clamp(shardLevel - chunksPerMinishardBits, 0, Math.min(maxMinishardBits, shardLevel));
        int preshiftBits = shardLevel - minishardBits;
        int shardBits = totalBits - shardLevel;
        return new ShardingSpec(preshiftBits, ShardingSpec.Hash.IDENTITY, minishardBits, shardBits,
                Compression.GZIP, Compression.GZIP);
    }

    /**
     * Parameters for {@code numLabels} hashed objects (meshes, skeletons): murmur hash, no
     * preshift, minishards holding about {@code maxMinishardIndexBytes / 24} labels, and as many
     * shards as needed with at most {@code maxShardIndexBytes / 16} minishards each.
     */
    public static ShardingSpec forHashed(long numLabels, long maxShardIndexBytes, long maxMinishardIndexBytes) {
        if (numLabels < 0) throw new InvalidInputException("number of labels must be ≥ 0, found " + numLabels);
        long perMinishard = Math.max(1, maxMinishardIndexBytes / 24);
        long minishards = Math.ceilDiv(Math.max(1, numLabels), perMinishard);
        int maxMinishardBits = Math.min(32, floorLog2(Math.max(1, maxShardIndexBytes / 16)));
        int needBits = ceilLog2(minishards);
        int minishardBits = Math.min(needBits, maxMinishardBits);
        int shardBits = Math.min(64 - minishardBits, needBits - minishardBits);
        return new ShardingSpec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, minishardBits, shardBits,
                Compression.GZIP, Compression.GZIP);
    }

    private static int floorLog2(long v) {
        return 63 - Long.numberOfLeadingZeros(v);
    }

    private static int ceilLog2(long v) {
        return v <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(v - 1);
    }
}
