package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.LongFunction;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.core.Box;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.ScratchPool;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.sharding.CompressedMorton;
import org.bigarrays.sharding.ShardedChunkStore;
import org.bigarrays.sharding.ShardingSpec;

/**
 * The precomputed format for one scale: where a chunk's bytes live (key, {@code .gz}
 * variant), and how they turn into a chunk array (transport compression, then the codec).
 * Thread-safe.
 */
public final class ScaleDriver {
    private final Info info;
    private final Scale scale;
    private final KeyValueStore store;
    private final CodecPipeline codec; // null when this build does not support the scale's encoding
    private final FormatException unsupported;
    private final ChunkGrid grid;
    // Which key variant held the last chunk found; tried first, so a .gz layer costs one read per chunk.
    private volatile boolean gzFirst;
    // Sharded scales only (null otherwise): chunks live in shard files, keyed by compressed Morton id.
    private final ShardedChunkStore sharded;
    private final int[] mortonBits;
    private volatile Map<Long, Long> chunksPerShard;

    /** @param store the store rooted at this scale's directory */
    public ScaleDriver(Info info, Scale scale, KeyValueStore store) {
        this.info = info;
        this.scale = scale;
        this.store = store;
        // An unsupported encoding fails on the first chunk decoded or encoded, not at open: the
        // info, bounds and keys of such a layer are still usable, and the error names the chunk.
        CodecPipeline c = null;
        FormatException u = null;
        try {
            c = ScaleCodecs.pipeline(info, scale);
        } catch (FormatException e) {
            u = e;
        }
        this.codec = c;
        this.unsupported = u;
        this.grid = new ChunkGrid(scale.voxelOffset(), scale.size(), scale.chunkSize());
        if (scale.isSharded()) {
            ShardingSpec spec = ShardingSpec.parse(scale.sharding(), "scale '" + scale.key() + "' sharding");
            this.sharded = new ShardedChunkStore(store, spec, "", scale.key() + "/", ShardedChunkStore.DEFAULT_CACHE_ENTRIES);
            this.mortonBits = CompressedMorton.bits(grid.gridShape());
        } else {
            this.sharded = null;
            this.mortonBits = null;
        }
    }

    public Scale scale() {
        return scale;
    }

    public ChunkGrid grid() {
        return grid;
    }

    public KeyValueStore store() {
        return store;
    }

    /**
     * The scale's codec pipeline.
     * @throws FormatException if this build does not support the scale's encoding
     */
    public CodecPipeline codec() {
        if (codec == null) throw new FormatException(unsupported.getMessage(), unsupported);
        return codec;
    }

    private CodecPipeline codecFor(Box chunkBox) {
        if (codec == null) throw new FormatException(unsupported.getMessage() + "; cannot decode or encode chunk '" + describe(chunkBox) + "'", unsupported);
        return codec;
    }

    /** The decoded layout of the chunk covering {@code chunkBox}. */
    public ChunkLayout layout(Box chunkBox) {
        return new ChunkLayout(chunkBox.shape(), info.numChannels(), info.dataType());
    }

    /**
     * The chunk's key relative to the scale directory (without any .gz); for a sharded scale,
     * where it lives: {@code "<shard>.shard, chunk <id>"}.
     */
    public String key(Box chunkBox) {
        if (sharded != null) return sharded.spec().shardFileName(shardOf(chunkBox)) + ", chunk " + Long.toUnsignedString(chunkId(chunkBox));
        return ChunkKeys.of(chunkBox);
    }

    /** A key for messages: scale key / chunk key. */
    public String describe(Box chunkBox) {
        return scale.key() + "/" + key(chunkBox);
    }

    /** Whether this scale stores its chunks in shard files. */
    public boolean isSharded() {
        return sharded != null;
    }

    /** The shard store of a sharded scale; null when unsharded. */
    public ShardedChunkStore sharded() {
        return sharded;
    }

    /** The chunk id (compressed Morton code of the grid cell) of a sharded scale's chunk. */
    public long chunkId(Box chunkBox) {
        long[] cell = new long[3];
        long[] c = grid.chunkShape();
        long[] o = scale.voxelOffset();
        for (int i = 0; i < 3; i++) cell[i] = Math.floorDiv(chunkBox.min(i) - o[i], c[i]);
        return CompressedMorton.encodeBits(cell, mortonBits);
    }

    /** The shard number holding a sharded scale's chunk. */
    public long shardOf(Box chunkBox) {
        return sharded.spec().shardOf(chunkId(chunkBox));
    }

    /**
     * How many chunks of the volume's grid belong to {@code shard}, so writers can tell whether a
     * box covers whole shards: directly for spatial (identity-hash) shards, else counted once
     * over the whole grid.
     */
    public long chunksInShard(long shard) {
        ShardingSpec spec = sharded.spec();
        long[] g = grid.gridShape();
        long[] block = spec.shardShapeInChunks(g);
        if (block != null) {
            // Spatial shards: the shard is the aligned block at the cell of its first id, cut by the grid.
            int low = spec.preshiftBits() + spec.minishardBits();
            int total = 0;
            for (int b : mortonBits) total += b;
            if (low >= 64) return shard == 0 ? g[0] * g[1] * g[2] : 0;
            long first = shard << low;
            if ((first >>> low) != shard || (total < 64 && (first >>> total) != 0)) return 0;
            long[] o = CompressedMorton.decodeBits(first, mortonBits);
            long n = 1;
            for (int i = 0; i < 3; i++) n *= Math.max(0, Math.min(block[i], g[i] - o[i]));
            return n;
        }
        Map<Long, Long> m = chunksPerShard;
        if (m == null) {
            m = new HashMap<>();
            long[] cell = new long[3];
            for (cell[2] = 0; cell[2] < g[2]; cell[2]++) {
                for (cell[1] = 0; cell[1] < g[1]; cell[1]++) {
                    for (cell[0] = 0; cell[0] < g[0]; cell[0]++) {
                        m.merge(spec.shardOf(CompressedMorton.encodeBits(cell, mortonBits)), 1L, Long::sum);
                    }
                }
            }
            chunksPerShard = m;
        }
        return m.getOrDefault(shard, 0L);
    }

    /** Fetches chunks for a read; sharded scales batch the reads of each shard. */
    @FunctionalInterface
    public interface Fetcher {
        /** The chunk's stored bytes; unsharded stores may place them in memory from {@code allocator}. */
        ReadResult fetch(Box chunkBox, LongFunction<MemorySegment> allocator);

        default ReadResult fetch(Box chunkBox) {
            return fetch(chunkBox, null);
        }
    }

    /**
     * A fetcher for the chunks {@code chunkBoxes} of one cutout. Unsharded: {@link #fetch}.
     * Sharded: the first fetch of a chunk in a shard reads all of that shard's chunks in the
     * cutout at once (shard index, minishard indexes, coalesced runs); each chunk's bytes are
     * handed out once, then dropped.
     */
    public Fetcher fetcher(List<Box> chunkBoxes) {
        if (sharded == null) return this::fetch;
        Map<Long, List<Long>> idsByShard = new HashMap<>();
        for (Box b : chunkBoxes) idsByShard.computeIfAbsent(shardOf(b), s -> new ArrayList<>()).add(chunkId(b));
        Map<Long, ShardBatch> batches = new HashMap<>();
        idsByShard.forEach((s, ids) -> batches.put(s, new ShardBatch(ids)));
        return (box, allocator) -> {
            long id = chunkId(box);
            ShardBatch b = batches.get(sharded.spec().shardOf(id));
            if (b == null) return sharded.read(id);
            return b.take(id);
        };
    }

    private final class ShardBatch {
        private final List<Long> ids;
        private Map<Long, ReadResult> results;

        ShardBatch(List<Long> ids) {
            this.ids = ids;
        }

        synchronized ReadResult take(long id) {
            if (results == null) results = new HashMap<>(sharded.readAll(ids));
            ReadResult r = results.remove(id);
            return r != null ? r : sharded.read(id);
        }
    }

    /** The stored bytes of a chunk ({@code <key>} or {@code <key>.gz}), or MISSING. I/O only. */
    public ReadResult fetch(Box chunkBox) {
        return fetch(chunkBox, null);
    }

    /**
     * Like {@link #fetch(Box)}; an unsharded store may place the bytes in memory from
     * {@code allocator} (null: the store's own), see {@link KeyValueStore#read(String, ByteRange, LongFunction)}.
     */
    public ReadResult fetch(Box chunkBox, LongFunction<MemorySegment> allocator) {
        if (sharded != null) return sharded.read(chunkId(chunkBox));
        String k = key(chunkBox);
        boolean gz = gzFirst;
        ReadResult r = readKey(gz ? k + ".gz" : k, allocator);
        if (r.found()) return r;
        r = readKey(gz ? k : k + ".gz", allocator);
        if (r.found()) gzFirst = !gz;
        return r;
    }

    private ReadResult readKey(String key, LongFunction<MemorySegment> allocator) {
        // TODO(chunk layer): leased buffers through ReadOptions.buffers(); the allocator is ignored meanwhile.
        return store.read(key);
    }

    /**
     * Decode fetched bytes: returns the chunk array, either the fetched bytes themselves (raw,
     * uncompressed) or a buffer borrowed from {@code pool} (give it back when done, see
     * {@link #isBorrowed}).
     */
    public MemorySegment decode(ReadResult fetched, Box chunkBox, ScratchPool pool) {
        ChunkLayout layout = layout(chunkBox);
        String key = describe(chunkBox);
        CodecPipeline pipeline = codecFor(chunkBox);
        MemorySegment inPlace = pipeline.decodeInPlace(fetched.bytes(), layout, key);
        if (inPlace != null) return inPlace;
        MemorySegment out = pool.borrow(layout.byteSize());
        try {
            pipeline.decode(fetched.bytes(), layout, out, key);
        } catch (RuntimeException e) {
            pool.giveBack(out);
            throw e;
        }
        return out;
    }

    /** Whether a segment from {@link #decode} is a pool buffer rather than the fetched bytes. */
    public boolean isBorrowed(MemorySegment decoded, ReadResult fetched) {
        return decoded != fetched.value();
    }

    /** Encode a dense chunk array and apply {@code compression}: the bytes to store. */
    public MemorySegment encode(MemorySegment chunk, Box chunkBox, Compression compression) {
        return codecFor(chunkBox).encode(chunk, layout(chunkBox), compression);
    }

    /** BigArrays.jl's gzip/zstd/blosclz encodings are compressed already: no transport compression on top. */
    private Compression effective(Compression c) {
        return codec == null ? c : codec.effective(c);
    }

    /** Store encoded bytes for a chunk, removing a stale variant under the other key. */
    public void store(Box chunkBox, MemorySegment encoded, Compression compression) {
        if (sharded != null) throw new IllegalStateException("scale '" + scale.key() + "' is sharded: chunks are stored whole shards at a time (storeShard)");
        compression = effective(compression);
        String k = key(chunkBox);
        store.write(k + compression.suffix(), encoded);
        // A chunk must exist under one name only, or a reader could find the stale one.
        store.delete(compression == Compression.GZIP ? k : k + ".gz");
    }

    /** Every chunk stored in a shard of a sharded scale (id → encoded chunk), for read-modify-write. */
    public SortedMap<Long, MemorySegment> readShard(long shard) {
        return sharded.readShard(shard);
    }

    /** Replace a shard of a sharded scale with exactly {@code chunks} (id → encoded chunk), atomically. */
    public void storeShard(long shard, SortedMap<Long, MemorySegment> chunks) {
        sharded.writeShard(shard, chunks);
    }

    /** Throw a corrupt-chunk error for this chunk. */
    public CorruptChunkException corrupt(Box chunkBox, String detail) {
        return new CorruptChunkException(describe(chunkBox), detail);
    }
}
