package org.bigarrays.chunk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.ConflictException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.Lease;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteBatch;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.precomputed.ChunkUpdate;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Writes boxes of one scale, sharded or not, through one path: the cells are cut into the
 * groups the scale stores atomically ({@link ScaleChunkStore#writeGroups}: the chunks of one
 * shard, or runs of chunks that each have a key of their own), and each group's chunks go to
 * {@link ScaleChunkStore#update} as one batch. A chunk the box covers is encoded here and put;
 * a chunk it covers in part (read-modify-write) is a patch, applied by the store to the chunk's
 * stored contents inside the conditional rewrite of the chunk or its shard, and applied again
 * when another writer got there first, under {@link ConflictRetry}; then it fails with a
 * {@link ConflictException} naming the chunk or shard file. Concurrent writers of disjoint parts
 * of one chunk or shard all survive. Groups run a bounded number at a time; each task closes the
 * buffers it leased. Thread-safe.
 */
public final class ChunkWriter {
    private final ScaleChunkStore chunks;
    private final ChunkExecutor executor;
    private final ChunkExecutor shardExecutor;
    private final ConflictRetry retry;
    private final ChunkCache cache; // null: no cache to keep current

    /**
     * @param executor runs groups of chunks that each have a key of their own
     * @param shardExecutor runs groups that are shards (each holds a whole shard in memory: keep it small)
     */
    public ChunkWriter(ScaleChunkStore chunks, ChunkExecutor executor, ChunkExecutor shardExecutor, ConflictRetry retry) {
        this(chunks, executor, shardExecutor, retry, null);
    }

    /** A writer that drops the chunks it writes from {@code cache} (null for none) once they are stored. */
    public ChunkWriter(ScaleChunkStore chunks, ChunkExecutor executor, ChunkExecutor shardExecutor, ConflictRetry retry, ChunkCache cache) {
        this.chunks = chunks;
        this.executor = executor;
        this.shardExecutor = shardExecutor;
        this.retry = retry;
        this.cache = cache;
    }

    /** Drop what was (or may have been, on failure) written from the cache. */
    private void invalidate(Box box) {
        if (cache != null) cache.invalidate(chunks, box);
    }

    /**
     * How to write: the fill value of voxels a read-modify-write finds missing, whether unaligned
     * boxes (and partial shards) may be read-modified-written, the transport compression, progress,
     * and whether a chunk that is entirely the fill value is stored (true) or left out (false:
     * a missing chunk reads back as the same values, so sparse layers stay sparse; a stored chunk
     * it replaces is deleted, never left stale). Only a fill value of 0 is left out: other readers
     * (Neuroglancer) show a missing chunk as 0. {@code zstdLevel} is the level zstd writes at
     * (transport zstd and the BigArrays.jl {@code zstd} encoding; see {@link ZstdCodec#atLevel}).
     */
    public record Settings(long fillBits, boolean readModifyWrite, Compression compression, Progress progress, boolean storeFillChunks,
                           int zstdLevel) {
        public Settings {
            ZstdCodec.checkLevel(zstdLevel);
        }

        /** Settings writing zstd at its default level. */
        public Settings(long fillBits, boolean readModifyWrite, Compression compression, Progress progress, boolean storeFillChunks) {
            this(fillBits, readModifyWrite, compression, progress, storeFillChunks, ZstdCodec.LEVEL);
        }

        /** Settings that leave out chunks that are entirely the fill value. */
        public Settings(long fillBits, boolean readModifyWrite, Compression compression, Progress progress) {
            this(fillBits, readModifyWrite, compression, progress, false);
        }
    }

    /**
     * Write {@code src} (rank 4 {@code [x,y,z,c]}, origin {@code box.min()}) to {@code box}.
     * @throws InvalidInputException on a box outside the volume, or an unaligned box (or partial
     *     shard) without read-modify-write; nothing is written then
     * @throws ConflictException when a read-modify-write kept conflicting with other writers
     */
    public void write(Box box, NdView src, Settings s) {
        try {
            writeBox(box, src, s);
        } finally {
            invalidate(box);
        }
    }

    private void writeBox(Box box, NdView src, Settings s) {
        ChunkGrid grid = chunks.grid();
        grid.checkInside(box, "write");
        if (!s.readModifyWrite() && !grid.isAligned(box)) {
            throw new InvalidInputException("write box " + box + " is not chunk-aligned (chunks " + Arrays.toString(grid.chunkShape())
                    + " from voxel_offset " + Arrays.toString(grid.volume().min()) + "); the nearest aligned box containing it is "
                    + grid.alignOutward(box) + "; or enable read-modify-write");
        }
        ChunkFiller fromBox = (cell, chunkBox, layout, buf, old) -> assemble(layout, buf, old, chunkBox, box, src, s.fillBits());
        ChunkExecutor ex = ChunkExecutor.forMemoryOf(src, executorFor());
        Iterator<ScaleChunkStore.WriteGroup> groups = groups(grid.cellRange(box), ex);
        if (!s.readModifyWrite()) groups = checkWhole(groups, box);
        try (WriteBatch batch = chunks.store().batch()) {
            run(groups, new Target(box, fromBox, s.fillBits(), s.storeFillChunks(), s.compression(), s.zstdLevel(), s.progress(), batch), ex);
        }
    }

    /** A chunk's new array in {@code buf}: from the written box (and {@code old} where patched) or a source. */
    @FunctionalInterface
    private interface ChunkFiller {
        void fill(long[] cell, Box chunkBox, ChunkLayout layout, MemorySegment buf, DecodedChunk old);
    }

    /**
     * What a write stores: chunks {@code box} covers are replaced (null: every chunk of the
     * groups), others patched; chunks entirely of {@code fillBits} are left out unless {@code storeFillChunks}.
     * Every group is stored through {@code batch}, closed when the write returns: a durable file
     * store then syncs the scale directory once per write, not once per chunk.
     */
    private record Target(Box box, ChunkFiller filler, long fillBits, boolean storeFillChunks, Compression compression, int zstdLevel,
                          Progress progress, WriteBatch batch) {}

    private ChunkExecutor executorFor() {
        return chunks.groupsChunks() ? shardExecutor : executor;
    }

    private Iterator<ScaleChunkStore.WriteGroup> groups(CellRange range, ChunkExecutor ex) {
        long perTask = Planning.cellsPerTask(chunks.grid(), chunks.info().numChannels(), chunks.info().dataType().size(), range.count(),
                ex.cpuThreads() + ex.ioConcurrency());
        return chunks.writeGroups(range, perTask);
    }

    /**
     * {@code groups}, refused before anything is written if one covers its atomic unit (a
     * shard) in part: that takes a read-modify-write.
     */
    private Iterator<ScaleChunkStore.WriteGroup> checkWhole(Iterator<ScaleChunkStore.WriteGroup> groups, Box box) {
        if (!chunks.groupsChunks()) return groups; // each chunk is its own unit, and the box is aligned
        List<ScaleChunkStore.WriteGroup> all = new ArrayList<>();
        groups.forEachRemaining(all::add);
        for (ScaleChunkStore.WriteGroup g : all) {
            boolean whole = g.cells().size() == g.unitCells() && g.cells().stream().allMatch(c -> covers(box, c));
            if (!whole) {
                throw new InvalidInputException("write box " + box + " covers " + g.cells().size() + " of the " + g.unitCells() + " chunks of "
                        + g.unit() + " of scale '" + chunks.scale().key()
                        + "'; a sharded scale is written whole shards at a time: write a box that covers whole shards (up to the volume's edge), or enable read-modify-write");
            }
        }
        return all.iterator();
    }

    private void run(Iterator<ScaleChunkStore.WriteGroup> groups, Target t, ChunkExecutor ex) {
        long total = chunks.grid().cellRange(t.box() == null ? chunks.grid().volume() : t.box()).count();
        AtomicLong done = new AtomicLong();
        ex.run(Planning.map(groups, g -> new GroupWriteTask(g, t, done, total)), n -> {});
    }

    /**
     * Store a whole chunk array (layout of the cell) unconditionally: copies between layers.
     * @return the number of bytes stored
     */
    public long writeChunk(long[] cell, MemorySegment chunk, Compression compression) {
        return writeChunk(cell, chunk, compression, 0, true);
    }

    /**
     * {@link #writeChunk(long[], MemorySegment, Compression)}, except that a chunk entirely of
     * {@code fillBits} is not stored unless {@code storeFillChunks}: any stored chunk of the cell
     * is deleted instead (it reads back as the fill value).
     * @return the number of bytes stored (0 when left out)
     */
    public long writeChunk(long[] cell, MemorySegment chunk, Compression compression, long fillBits, boolean storeFillChunks) {
        return writeChunk(cell, chunk, compression, ZstdCodec.LEVEL, fillBits, storeFillChunks);
    }

    /** {@link #writeChunk(long[], MemorySegment, Compression, long, boolean)} with zstd at {@code zstdLevel}. */
    public long writeChunk(long[] cell, MemorySegment chunk, Compression compression, int zstdLevel, long fillBits, boolean storeFillChunks) {
        ChunkLayout layout = chunks.layout(cell);
        try {
            if (!storeFillChunks && FillCheck.isAllFill(chunk, layout.byteSize(), layout.dataType().size(), fillBits)) {
                chunks.update(List.of(ChunkUpdate.put(cell, null)), compression, retry);
                return 0;
            }
            MemorySegment encoded = chunks.encode(cell, chunk, compression, zstdLevel);
            chunks.update(List.of(ChunkUpdate.put(cell, encoded)), compression, retry);
            return encoded.byteSize();
        } finally {
            invalidate(chunks.chunkBox(cell));
        }
    }

    /**
     * Write every chunk of the scale, taking its voxels from {@code source}: on a sharded scale
     * each shard is written whole, without reading it, and only as many shards as the shard
     * executor runs are in memory at once.
     */
    public void writeAll(ChunkSource source, Progress progress) {
        writeAll(source, progress, 0, true);
    }

    /**
     * {@link #writeAll(ChunkSource, Progress)}, leaving chunks entirely of {@code fillBits}
     * out unless {@code storeFillChunks} (a shard left with no chunk is deleted).
     */
    public void writeAll(ChunkSource source, Progress progress, long fillBits, boolean storeFillChunks) {
        ChunkFiller fromSource = (cell, chunkBox, layout, buf, old) -> {
            long[] o = chunkBox.min();
            source.read(chunkBox, NdView.wrap(buf, 0, layout.dataType(), new long[] {o[0], o[1], o[2], 0}, layout.shape4(), layout.strides4()));
        };
        try (WriteBatch batch = chunks.store().batch()) {
            Target t = new Target(null, fromSource, fillBits, storeFillChunks, Compression.NONE, ZstdCodec.LEVEL, progress, batch);
            run(groups(chunks.grid().allCells(), executorFor()), t, executorFor());
        } finally {
            invalidate(null);
        }
    }

    /** Writes one group: puts of the chunks the target covers (encoded here), patches of the others (applied by the store). */
    private final class GroupWriteTask implements ChunkExecutor.ChunkTask<Void, List<ChunkUpdate>> {
        private final ScaleChunkStore.WriteGroup group;
        private final Target t;
        private final AtomicLong done;
        private final long total;
        private final Queue<Lease> held = new ConcurrentLinkedQueue<>(); // buffers the updates' bytes live in

        GroupWriteTask(ScaleChunkStore.WriteGroup group, Target t, AtomicLong done, long total) {
            this.group = group;
            this.t = t;
            this.done = done;
            this.total = total;
        }

        @Override
        public long ioBytes() {
            return group.cells().size() * chunks.layout(group.cells().getFirst()).byteSize();
        }

        @Override
        public Void fetch() {
            return null; // patches read in the store's read-modify-write, puts read nothing
        }

        @Override
        public List<ChunkUpdate> process(Void nothing) {
            List<ChunkUpdate> out = new ArrayList<>(group.cells().size());
            try {
                for (long[] cell : group.cells()) {
                    if (t.box() == null || covers(t.box(), cell)) {
                        out.add(ChunkUpdate.put(cell, chunkBytes(cell, null)));
                    } else {
                        out.add(ChunkUpdate.patch(cell, stored -> chunkBytes(cell, stored)));
                    }
                }
                return out;
            } catch (RuntimeException e) {
                releaseAll();
                throw e;
            }
        }

        @Override
        public void store(List<ChunkUpdate> updates) {
            try {
                t.batch().run(() -> chunks.update(updates, t.compression(), retry));
            } finally {
                releaseAll();
            }
            t.progress().update(done.addAndGet(group.cells().size()), total);
        }

        private void releaseAll() {
            for (Lease l; (l = held.poll()) != null;) l.close();
        }

        /**
         * The new encoded bytes of {@code cell}: the target's voxels, over {@code stored} (a
         * patch: the chunk's stored bytes, closed here) where it covers the chunk in part. Null
         * when the chunk is all fill and is to be left out: always for a put, and for a patch
         * where nothing is stored or the store can remove it in the same conditional step.
         */
        private MemorySegment chunkBytes(long[] cell, ReadResult stored) {
            ChunkLayout layout = chunks.layout(cell);
            Lease buf = chunks.buffers().lease(layout.byteSize());
            try (DecodedChunk old = stored == null ? null : chunks.decode(cell, stored)) {
                t.filler().fill(cell, chunks.chunkBox(cell), layout, buf.segment(), old);
                boolean mayLeaveOut = old == null || !old.found() || chunks.patchMayRemove();
                if (!t.storeFillChunks() && mayLeaveOut && FillCheck.isAllFill(buf.segment(), layout.byteSize(), layout.dataType().size(), t.fillBits())) {
                    buf.close();
                    return null;
                }
                MemorySegment enc = chunks.encode(cell, buf.segment(), t.compression(), t.zstdLevel());
                if (buf.segment().asOverlappingSlice(enc).isEmpty()) {
                    buf.close();
                } else if (group.unit() != null) {
                    // Raw bytes are the leased buffer itself; a shard's hundreds of chunks are
                    // copied out so that its buffers go back to the pool at once.
                    enc = MemorySegment.ofArray(enc.toArray(ValueLayout.JAVA_BYTE));
                    buf.close();
                } else {
                    held.add(buf);
                }
                return enc;
            } catch (RuntimeException e) {
                buf.close();
                throw e;
            }
        }
    }

    /**
     * Chunk {@code chunkBox}'s new array in {@code buf}: {@code old} (its stored contents, or the
     * fill value when missing; null when the box covers the chunk) overlaid with the box's voxels.
     */
    private void assemble(ChunkLayout layout, MemorySegment buf, DecodedChunk old, Box chunkBox, Box box, NdView src, long fillBits) {
        if (old != null) {
            if (old.found()) {
                MemorySegment.copy(old.data(), 0, buf, 0, layout.byteSize());
            } else {
                Kernels.get().fill(buf, 0, layout.strides4(), layout.shape4(), layout.dataType().size(), fillBits);
            }
        }
        Planning.viewToChunk(src, chunkBox.intersect(box), buf, layout, chunkBox);
    }

    private boolean covers(Box box, long[] cell) {
        Box cb = chunks.chunkBox(cell);
        return cb.intersect(box).equals(cb);
    }
}
