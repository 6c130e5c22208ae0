package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * The chunks of one scale of a precomputed layer: grid cell → stored bytes → decoded chunk, and
 * back. It alone knows how a scale stores its chunks (one key each, or shard files: see
 * {@link #shards()}), and routes every decode and encode through the scale's {@link ChunkCodec}.
 * Reads go into leased buffers from the given pool, and a raw chunk is used in place. Built once
 * per scale and shared; thread-safe.
 */
public final class ScaleChunkStore {

    private final Info info;
    private final Scale scale;
    private final KeyValueStore store;
    private final ChunkGrid grid;
    private final ChunkCodec codec;
    private final BufferPool buffers;
    private final ChunkStorage storage;
    private final ScaleShards shards; // null when unsharded
    private final ReadOptions leased;

    /** Reads the stored bytes of chunks, possibly batched; see {@link #fetcher}. */
    @FunctionalInterface
    public interface Fetcher {
        /** The chunk's stored bytes (owning their lease) or MISSING. */
        ReadResult fetch(long[] cell);
    }

    /**
     * @param scaleStore the store rooted at this scale's directory
     * @param buffers where fetched bytes and decoded chunks are leased from
     */
    public ScaleChunkStore(Info info, Scale scale, KeyValueStore scaleStore, BufferPool buffers) {
        this.info = info;
        this.scale = scale;
        this.store = scaleStore;
        this.grid = new ChunkGrid(scale.voxelOffset(), scale.size(), scale.chunkSize());
        this.codec = ChunkCodec.forScale(info, scale);
        this.buffers = buffers;
        this.shards = scale.isSharded() ? new ScaleShards(scaleStore, scale, grid, maxStoredChunkBytes()) : null;
        this.storage = shards != null ? shards : new PlainChunkStorage(scaleStore, grid);
        this.leased = ReadOptions.ALL.withBuffers(buffers);
    }

    /**
     * The most bytes a stored chunk of this scale can take once its shard's data_encoding is
     * undone: what a full chunk encodes to at worst. Caps inflation of hostile shard data.
     */
    private long maxStoredChunkBytes() {
        ChunkLayout full = new ChunkLayout(grid.chunkShape(), info.numChannels(), info.dataType());
        try {
            return Math.max(full.byteSize(), codec.pipeline().maxStoredSize(full));
        } catch (org.bigarrays.FormatException unsupported) {
            return full.byteSize(); // nothing can be decoded anyway; the read fails naming the encoding
        }
    }

    public Info info() {
        return info;
    }

    public Scale scale() {
        return scale;
    }

    public ChunkGrid grid() {
        return grid;
    }

    /** The store rooted at the scale's directory. */
    public KeyValueStore store() {
        return store;
    }

    public ChunkCodec codec() {
        return codec;
    }

    public BufferPool buffers() {
        return buffers;
    }

    /** The shards of a sharded scale; null when each chunk has a key of its own. */
    public ScaleShards shards() {
        return shards;
    }

    public boolean isSharded() {
        return shards != null;
    }

    /** The voxels of grid cell {@code cell}. */
    public Box chunkBox(long[] cell) {
        return grid.cellBox(cell);
    }

    /** The grid cell whose chunk starts at {@code chunkBox}'s minimum. */
    public long[] cellAt(Box chunkBox) {
        long[] cell = new long[3];
        long[] c = grid.chunkShape();
        long[] o = scale.voxelOffset();
        for (int i = 0; i < 3; i++) cell[i] = Math.floorDiv(chunkBox.min(i) - o[i], c[i]);
        return cell;
    }

    /** The decoded layout of the chunk of {@code cell}. */
    public ChunkLayout layout(long[] cell) {
        return new ChunkLayout(chunkBox(cell).shape(), info.numChannels(), info.dataType());
    }

    /**
     * The chunk's key relative to the scale directory; for a sharded scale, where it lives:
     * {@code "<shard>.shard, chunk <id>"}.
     */
    public String key(long[] cell) {
        return storage.key(cell);
    }

    /** A key for messages: scale key / chunk key. */
    public String describe(long[] cell) {
        return scale.key() + "/" + key(cell);
    }

    /** The chunk's stored bytes (in a leased buffer where the store can) and generation, or MISSING. */
    public ReadResult fetch(long[] cell) {
        return storage.read(cell, leased);
    }

    /**
     * Reads for a cutout piece {@code range}: a sharded scale reads each shard's chunks of the
     * range as one batch.
     */
    public Fetcher fetcher(CellRange range) {
        return storage.fetcher(range, leased);
    }

    /**
     * The stored bytes of {@code cells} (distinct, all in {@code located}'s shard, which
     * {@link ScaleShards#locate} found) in leased buffers, in order: no shard index is read again.
     */
    public java.util.List<ReadResult> fetch(org.bigarrays.sharding.ShardedKeyValueStore.Located located, java.util.List<long[]> cells) {
        return shards.readLocated(located, cells, leased);
    }

    /**
     * The chunk of {@code stored} (from {@link #fetch}), which this takes ownership of: the
     * stored bytes themselves when they are the chunk array, else a leased buffer.
     */
    public DecodedChunk decode(long[] cell, ReadResult stored) {
        ChunkLayout layout = layout(cell);
        if (!stored.found()) {
            stored.close();
            return DecodedChunk.missing(layout, stored.generation());
        }
        try {
            String key = describe(cell);
            MemorySegment inPlace = codec.decodeInPlace(stored.bytes(), layout, key);
            if (inPlace != null) return new DecodedChunk(layout, inPlace, stored.generation(), stored);
            Lease out = buffers.lease(layout.byteSize());
            try {
                codec.decode(stored.bytes(), layout, out.segment(), key);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            stored.close();
            return new DecodedChunk(layout, out.segment(), stored.generation(), out);
        } catch (RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    /**
     * The chunk's stored bytes as they are now, with their exact generation (in the store's own
     * memory), for a conditional rewrite; decode them with {@link #decode}.
     */
    public ReadResult fetchForUpdate(long[] cell) {
        return storage.read(cell, ReadOptions.ALL);
    }

    /** Encode a chunk array ({@link #layout}) with {@code transport} compression: the bytes to store. */
    public MemorySegment encode(long[] cell, MemorySegment chunk, Compression transport) {
        return codec.encode(chunk, layout(cell), transport, describe(cell));
    }

    /**
     * Store the encoded bytes of a chunk of an unsharded scale, in one atomic step; with
     * {@code ifEqual} (not null) only if the chunk is still at that generation.
     * @return whether it was written, and the new generation
     * @throws IllegalStateException on a sharded scale (see {@link #shards()})
     */
    public WriteResult put(long[] cell, MemorySegment encoded, String ifEqual) {
        return put(cell, encoded, ifEqual, Compression.NONE);
    }

    /**
     * {@link #put(long[], MemorySegment, String)} of bytes encoded with {@code transport}: a gzip
     * chunk is stored under its plain key marked {@code Content-Encoding: gzip} where the store
     * keeps metadata (s3, gs), as CloudVolume does, so Neuroglancer reads it straight from the
     * bucket.
     */
    public WriteResult put(long[] cell, MemorySegment encoded, String ifEqual, Compression transport) {
        WriteOptions o = ifEqual == null ? WriteOptions.UNCONDITIONAL : WriteOptions.ifEqual(ifEqual);
        if (transport == Compression.GZIP) o = o.withContentEncoding("gzip");
        return storage.write(cell, encoded, o);
    }

    /**
     * Remove the chunk of {@code cell} of an unsharded scale, unconditionally (its legacy
     * {@code .gz} name too): it then reads as the fill value.
     * @return whether it was stored
     * @throws IllegalStateException on a sharded scale
     */
    public boolean remove(long[] cell) {
        return storage.delete(cell);
    }

    /**
     * What is stored in this scale: the cells of its chunks (from a listing of the scale
     * directory, or the shard indexes of a sharded scale), and what does not fit the grid.
     */
    public StoredChunks stored() {
        return StoredChunks.of(this);
    }

    /** {@link #encode} then {@link #put}. */
    public WriteResult write(long[] cell, MemorySegment chunk, Compression transport, String ifEqual) {
        return put(cell, encode(cell, chunk, transport), ifEqual, transport);
    }

    /**
     * The transport compression of this scale's stored chunks, from the magic number of the first
     * stored one among the first 64 cells in grid order; null when none of them is stored, or when
     * the scale is sharded (chunks in a shard carry the spec's data_encoding, no magic of their own).
     * @throws org.bigarrays.StorageException when the store fails
     */
    public Compression storedCompression() {
        return shards != null ? null : StoredProbes.compression(storage, grid);
    }

    /** The bytes this scale stores: its chunk objects, or its shard files. */
    public long storedBytes() {
        return StoredProbes.bytes(store, shards);
    }
}
