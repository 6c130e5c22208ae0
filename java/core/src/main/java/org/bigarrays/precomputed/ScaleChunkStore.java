package org.bigarrays.precomputed;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigarrays.ConflictException;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;

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
    private final String directory; // where the chunks lie under the layer, for messages: the scale key unless a driver says otherwise

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
        this(info, scale, scaleStore, buffers, IoBudget.defaults());
    }

    /**
     * @param scaleStore the store rooted at this scale's directory
     * @param buffers where fetched bytes and decoded chunks are leased from
     * @param io the I/O budget a sharded scale's shard reads and writes take permits of (the context's)
     */
    public ScaleChunkStore(Info info, Scale scale, KeyValueStore scaleStore, BufferPool buffers, IoBudget io) {
        this.info = info;
        this.scale = scale;
        this.store = scaleStore;
        this.grid = new ChunkGrid(scale.voxelOffset(), scale.size(), scale.chunkSize());
        this.codec = ChunkCodec.forScale(info, scale);
        this.buffers = buffers;
        this.shards = scale.isSharded() ? new ScaleShards(scaleStore, scale, grid, maxStoredChunkBytes(), io) : null;
        this.storage = shards != null ? shards : new PlainChunkStorage(scaleStore, grid);
        this.leased = ReadOptions.ALL.withBuffers(buffers);
        this.directory = scale.key();
    }

    /**
     * A scale whose chunks another format driver stores and encodes (Zarr): its own
     * {@code storage} (chunk keys, shards) and {@code codec}; {@code scale} gives the grid.
     * @param scaleStore the store rooted at this scale's directory
     */
    public ScaleChunkStore(Info info, Scale scale, KeyValueStore scaleStore, BufferPool buffers, ChunkStorage storage, ChunkCodec codec) {
        this(info, scale, scale.key(), scaleStore, buffers, storage, codec);
    }

    /**
     * As above, with the chunks lying under {@code directory} (relative to the layer; "" for the
     * layer root, as a lone Zarr array's) rather than the scale key: what messages name them by.
     */
    public ScaleChunkStore(Info info, Scale scale, String directory, KeyValueStore scaleStore, BufferPool buffers, ChunkStorage storage, ChunkCodec codec) {
        this.info = info;
        this.scale = scale;
        this.store = scaleStore;
        this.grid = new ChunkGrid(scale.voxelOffset(), scale.size(), scale.chunkSize());
        this.codec = codec;
        this.buffers = buffers;
        this.shards = null;
        this.storage = storage;
        this.leased = ReadOptions.ALL.withBuffers(buffers);
        this.directory = directory;
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

    /** Whether this is a precomputed sharded scale (see {@link #shards()}). */
    public boolean isSharded() {
        return shards != null;
    }

    /**
     * Whether chunks are stored in groups written as one unit (shard files of any format): a
     * write then covers whole groups or reads them, see {@link #writeGroups}.
     */
    public boolean groupsChunks() {
        return storage.groupsChunks();
    }

    /** See {@link ChunkStorage#unitShapeInChunks()}: the shape of a shard that is a block of the grid, in chunks; else null. */
    public long[] unitShapeInChunks() {
        return storage.unitShapeInChunks();
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
        return directory.isEmpty() ? key(cell) : directory + "/" + key(cell);
    }


    /** The chunk's stored bytes (in a leased buffer where the store can) and generation, or MISSING. */
    public ReadResult fetch(long[] cell) {
        return storage.read(cell, leased);
    }

    /**
     * {@link #fetch(long[])} whose stored bytes go to {@code sink} as they arrive where the
     * store can ({@link ReadResult.State#DELIVERED}, nothing to decode: see
     * {@link ChunkCodec#storedAsChunk} for the check of their first bytes); else as {@link #fetch(long[])}.
     * For a scale that does not group chunks ({@link #groupsChunks}).
     */
    public ReadResult fetch(long[] cell, BodySink sink) {
        return storage.read(cell, leased, sink);
    }

    /**
     * Reads for a cutout piece {@code range}: a sharded scale reads each shard's chunks of the
     * range as one batch.
     */
    public Fetcher fetcher(CellRange range) {
        return storage.fetcher(range, leased);
    }

    /**
     * {@link #fetcher(CellRange)} whose fetches hand raw chunks' stored bytes to their sinks as
     * they arrive where the storage can (a sharded scale's runs of chunks without
     * {@code data_encoding}): such a chunk is fetched {@link ReadResult.State#DELIVERED} (see
     * {@link ChunkCodec#storedAsChunk} for the check of its sink's first bytes), maybe by another
     * chunk's fetch; {@code sinks} answers a chunk's sink, the same one each time it is asked.
     */
    public Fetcher fetcher(CellRange range, java.util.function.Function<long[], BodySink> sinks) {
        return storage.fetcher(range, leased, sinks);
    }

    /**
     * Whether {@link #readPlainInto} can read this scale's chunks: raw chunks (no shard
     * {@code data_encoding}, no whole-chunk compression) stored one per file on local disk.
     */
    public boolean readsPlainInto() {
        return codec.storesPlain() && shards == null && storage.readsScattered();
    }

    /**
     * Read the chunk of {@code cell}, when it is stored as the chunk array itself ({@link #layout}'s
     * byte order), straight into {@code dst}: {@code spans} are triples {@code (offset in the
     * chunk array, offset in dst, length)}, in increasing chunk order. Only when
     * {@link #readsPlainInto}; the caller keeps {@code dst} alive for the call.
     * @return false when the chunk is not stored that way here (missing, under a compressed name,
     *     transport-compressed, another size): then read it with {@link #fetch} and {@link #decode},
     *     whose copy overwrites whatever of {@code dst}'s spans this wrote
     */
    public boolean readPlainInto(long[] cell, MemorySegment dst, long[] spans, int count) {
        long size = layout(cell).byteSize();
        try (Arena a = Arena.ofConfined()) { // off-heap: the C library's reads take native memory only
            MemorySegment head = a.allocate(Math.min(CodecPipeline.HEAD_BYTES, size));
            return storage.readScattered(cell, size, dst, spans, count, head) && codec.storedAsChunk(head);
        }
    }

    /**
     * The stored bytes of {@code cells} (distinct, all in {@code located}'s shard, which
     * {@link ScaleShards#locate} found) in leased buffers, in order: no shard index is read again.
     */
    public java.util.List<ReadResult> fetch(ScaleShards.Located located, java.util.List<long[]> cells) {
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
            if (inPlace != null) return new DecodedChunk(layout, inPlace, stored.generation(), stored, true);
            Lease out = buffers.lease(layout.byteSize());
            try {
                codec.decode(stored.bytes(), layout, out.segment(), key);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            stored.close();
            return new DecodedChunk(layout, out.segment(), stored.generation(), out, false);
        } catch (RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    /**
     * Whether this scale's chunks can be decoded by part straight into a cutout
     * ({@link #decodeBox}) instead of into a chunk buffer that is then copied out: the codec's
     * capability ({@link ChunkCodec#decodesBoxes}), sharded or not.
     */
    public boolean decodesBoxes() {
        return codec.decodesBoxes();
    }

    /**
     * Decode the voxels {@code region} (inside the cell's chunk box) of the chunk of {@code stored}
     * (from {@link #fetch}, which this takes ownership of and closes) straight into {@code dst}:
     * the voxel at {@code region.min()}, channel 0, at byte {@code dstOffset}, with byte strides
     * {@code dstStrides} [x, y, z, channel]. Nothing else of {@code dst} is written.
     * @return false when the chunk is missing (nothing written)
     * @throws org.bigarrays.CorruptChunkException naming the chunk when its bytes are malformed
     */
    public boolean decodeBox(long[] cell, ReadResult stored, Box region, MemorySegment dst, long dstOffset, long[] dstStrides) {
        try (stored) {
            if (!stored.found()) return false;
            Box chunkBox = chunkBox(cell);
            ChunkLayout layout = new ChunkLayout(chunkBox.shape(), info.numChannels(), info.dataType());
            long[] min = new long[3];
            for (int i = 0; i < 3; i++) min[i] = region.min(i) - chunkBox.min(i);
            codec.decodeBox(stored.bytes(), layout, min, region.shape(), dst, dstOffset, dstStrides, describe(cell));
            return true;
        }
    }

    /**
     * Encode a chunk array ({@link #layout}) for storing: with {@code transport} compression
     * where the scale's chunks have keys of their own; a sharded scale's chunks are compressed
     * by its {@code data_encoding} instead, so {@code transport} is ignored there.
     */
    public MemorySegment encode(long[] cell, MemorySegment chunk, Compression transport) {
        return encode(cell, chunk, transport, org.bigarrays.codec.ZstdCodec.LEVEL);
    }

    /**
     * {@link #encode(long[], MemorySegment, Compression)} with zstd (the transport, or a BigArrays.jl
     * {@code zstd} encoding) written at {@code zstdLevel}; a sharded scale's {@code data_encoding}
     * (raw or gzip) has no zstd level.
     */
    public MemorySegment encode(long[] cell, MemorySegment chunk, Compression transport, int zstdLevel) {
        return codec.encode(chunk, layout(cell), storage.groupsChunks() ? Compression.NONE : transport, zstdLevel, describe(cell));
    }

    /**
     * Whether a patch ({@link ChunkUpdate#patch}) may return null for a stored chunk: only on a
     * sharded scale, where the removal is part of the shard's conditional rewrite. A chunk with a
     * key of its own has no conditional delete, so a patch there returns bytes for a stored chunk
     * (those of a chunk of the fill value, say) and null only for a missing one.
     */
    public boolean patchMayRemove() {
        return storage.groupsChunks();
    }

    /**
     * The one write path of the scale: store {@code updates} (encoded with {@link #encode}),
     * each chunk in one atomic step. Unsharded, a put is one unconditional write of its key (a
     * null put a delete), a patch a read-modify-write of its chunk conditioned on the generation
     * it read; sharded, the batch is grouped by shard and each shard written in one atomic step
     * (written whole without reading when the batch replaces every chunk of it, else a
     * conditional read-modify-write of the shard file). Patches see the stored bytes as they are
     * ({@link #decode} them), and conditional rewrites are retried under {@code retry}.
     * @param transport the compression the bytes were encoded with: on local disk a gzip chunk is
     *     {@code <key>.gz} and a zstd one {@code <key>.zstd} (CloudFiles' names, see
     *     {@link ChunkNames}); elsewhere the plain key, gzip marked {@code Content-Encoding: gzip}
     *     where the store keeps metadata (s3, gs), as CloudVolume does, so Neuroglancer reads it
     *     straight from the bucket
     * @throws org.bigarrays.ConflictException naming the chunk or shard file that other writers
     *     changed during every attempt
     */
    public void update(List<ChunkUpdate> updates, Compression transport, ConflictRetry retry) {
        if (storage.groupsChunks()) {
            storage.update(updates, retry);
            return;
        }
        WriteOptions put = transport == Compression.GZIP ? WriteOptions.UNCONDITIONAL.withContentEncoding("gzip") : WriteOptions.UNCONDITIONAL;
        // BigArrays.jl encodings are compressed by themselves and take no transport: their chunks
        // keep the plain key, the only name BigArrays.jl reads.
        Compression applied = transport == Compression.NONE ? transport : codec.pipeline().effective(transport);
        for (ChunkUpdate u : updates) {
            if (u.patch() == null) {
                if (u.value() == null) {
                    storage.delete(u.cell());
                } else {
                    storage.write(u.cell(), u.value(), applied, put);
                }
            } else {
                patch(u, put, applied, retry);
            }
        }
    }

    /** A read-modify-write of one chunk with a key of its own. */
    private void patch(ChunkUpdate u, WriteOptions put, Compression applied, ConflictRetry retry) {
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) retry.backoff(attempt - 1);
            // In the store's own memory: the patch decodes it, so no lease is needed.
            ReadResult stored = storage.read(u.cell(), ReadOptions.ALL);
            boolean found = stored.found();
            String gen = found ? stored.generation() : Generation.NO_VALUE;
            MemorySegment next = u.patch().apply(stored);
            if (next == null) {
                if (found) throw new IllegalStateException("a patch returned no bytes for stored chunk '" + describe(u.cell()) + "' (see patchMayRemove)");
                return; // missing, and to stay so
            }
            if (storage.write(u.cell(), next, applied, new WriteOptions(gen, put.contentEncoding())).written()) return;
        }
        throw new ConflictException(store.uri(), key(u.cell()), retry.attempts());
    }

    /**
     * The cells of {@code range} in the groups one {@link #update} each should write: the cells
     * of one shard per group on a sharded scale (so a group is one atomic shard write), else runs
     * of up to {@code cellsPerGroup} cells. Made as they are taken: a range of millions of
     * chunks is never materialised unsharded.
     */
    public Iterator<WriteGroup> writeGroups(CellRange range, long cellsPerGroup) {
        if (!storage.groupsChunks()) {
            Iterator<CellRange> pieces = range.split(cellsPerGroup);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return pieces.hasNext();
                }

                @Override
                public WriteGroup next() {
                    List<long[]> cells = new ArrayList<>();
                    pieces.next().forEach(c -> cells.add(c.clone()));
                    return new WriteGroup(cells, null, 1);
                }
            };
        }
        return storage.writeGroups(range).iterator();
    }

    /**
     * Cells that one {@link #update} writes, and the unit stored atomically that they belong to.
     * @param unit the shard file the cells are in (for messages); null when each chunk is a unit of its own
     * @param unitCells how many chunks of the grid the unit holds: a write that changes fewer, or
     *     changes some in part, must read the unit to keep the rest
     */
    public record WriteGroup(List<long[]> cells, String unit, long unitCells) {}

    /**
     * What is stored in this scale: the cells of its chunks (from a listing of the scale
     * directory, or the shard indexes of a sharded scale), and what does not fit the grid.
     */
    public StoredChunks stored() {
        StoredChunks own = storage.stored();
        return own != null ? own : StoredChunks.of(this);
    }

    /**
     * The transport compression of this scale's stored chunks, from the magic number of the first
     * stored one among the first 64 cells in grid order; null when none of them is stored, or when
     * the scale is sharded (chunks in a shard carry the spec's data_encoding, no magic of their own).
     * @throws org.bigarrays.StorageException when the store fails
     */
    public Compression storedCompression() {
        return storage instanceof PlainChunkStorage ? StoredProbes.compression(storage, grid) : null;
    }

    /** The bytes this scale stores: its chunk objects, or its shard files. */
    public long storedBytes() {
        return StoredProbes.bytes(store, shards);
    }
}
