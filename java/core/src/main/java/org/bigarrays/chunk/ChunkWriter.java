package org.bigarrays.chunk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.bigarrays.ConflictException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.Lease;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.ScaleShards;

/**
 * Writes boxes of one scale. Chunks the box covers are encoded and stored unconditionally; a
 * chunk it covers in part (read-modify-write) is read with its generation, patched and written
 * only if it is still at that generation, retried under {@link ConflictRetry} (jittered backoff)
 * and then failed with a {@link ConflictException} naming the chunk: concurrent writers of
 * disjoint parts of one chunk all survive. On a sharded scale, shards the box covers are written
 * whole and unconditionally; a shard it covers in part is rewritten the same conditional way.
 * Cells are planned as ranges and handled a bounded number at a time; each task closes the
 * buffers it leased. Thread-safe.
 */
public final class ChunkWriter {
    private final ScaleChunkStore chunks;
    private final ChunkExecutor executor;
    private final ChunkExecutor shardExecutor;
    private final ConflictRetry retry;
    private final ChunkCache cache; // null: no cache to keep current

    /**
     * @param executor runs chunk tasks
     * @param shardExecutor runs shard tasks (each holds a whole shard in memory: keep it small)
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
     * (Neuroglancer) show a missing chunk as 0.
     */
    public record Settings(long fillBits, boolean readModifyWrite, Compression compression, Progress progress, boolean storeFillChunks) {
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
        ScaleShards shards = chunks.shards();
        if (shards != null) {
            writeSharded(shards, box, src, s);
            return;
        }
        CellRange all = grid.cellRange(box);
        long total = all.count();
        ChunkExecutor ex = ChunkExecutor.forMemoryOf(src, executor);
        long perTask = Planning.cellsPerTask(grid, chunks.info().numChannels(), chunks.info().dataType().size(), total,
                ex.cpuThreads() + ex.ioConcurrency());
        AtomicLong done = new AtomicLong();
        ex.run(Planning.map(all.split(perTask), piece -> new ChunkWriteTask(piece, box, src, s, done, total)), n -> {});
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
        ChunkLayout layout = chunks.layout(cell);
        if (!storeFillChunks && FillCheck.isAllFill(chunk, layout.byteSize(), layout.dataType().size(), fillBits)) {
            try {
                chunks.remove(cell);
            } finally {
                invalidate(chunks.chunkBox(cell));
            }
            return 0;
        }
        MemorySegment encoded = chunks.encode(cell, chunk, compression);
        try {
            chunks.put(cell, encoded, null, compression);
        } finally {
            invalidate(chunks.chunkBox(cell));
        }
        return encoded.byteSize();
    }

    /**
     * Write every shard of a sharded scale whole, taking the voxels of each chunk from
     * {@code source}: only as many shards as the shard executor runs are in memory at once.
     */
    public void writeAllShards(ChunkSource source, Progress progress) {
        writeAllShards(source, progress, 0, true);
    }

    /**
     * {@link #writeAllShards(ChunkSource, Progress)}, leaving chunks entirely of {@code fillBits}
     * out of the shards unless {@code storeFillChunks} (a shard left with no chunk is deleted).
     */
    public void writeAllShards(ChunkSource source, Progress progress, long fillBits, boolean storeFillChunks) {
        ScaleShards shards = chunks.shards();
        if (shards == null) throw new IllegalStateException("scale '" + chunks.scale().key() + "' is not sharded");
        Box vol = chunks.grid().volume();
        List<ShardGroup> groups = shardGroups(shards, chunks.grid().allCells(), vol);
        long total = groups.stream().mapToLong(g -> g.ids.length).sum();
        AtomicLong done = new AtomicLong();
        ChunkFiller fromSource = (cell, chunkBox, layout, buf, old) -> {
            long[] o = chunkBox.min();
            source.read(chunkBox, NdView.wrap(buf, 0, layout.dataType(), new long[] {o[0], o[1], o[2], 0}, layout.shape4(), layout.strides4()));
        };
        try {
            shardExecutor.run(Planning.map(groups.iterator(), g -> new ShardWriteTask(shards, g, vol, fromSource, done, total, progress, fillBits,
                    storeFillChunks)), n -> {});
        } finally {
            invalidate(null);
        }
    }

    // ---- unsharded ----

    /** A chunk's new encoded bytes; {@code encoded} null: it is all fill and is left out (deleted when {@code ifEqual} is null). */
    private record Pending(long[] cell, MemorySegment encoded, Lease buffer, String ifEqual) {}

    /** Writes the chunks of one piece of the plan: fetch partial chunks, patch and encode, store. */
    private final class ChunkWriteTask implements ChunkExecutor.ChunkTask<List<ReadResult>, List<Pending>> {
        private final CellRange piece;
        private final Box box;
        private final NdView src;
        private final Settings s;
        private final AtomicLong done;
        private final long total;
        private final List<long[]> cells = new ArrayList<>();

        ChunkWriteTask(CellRange piece, Box box, NdView src, Settings s, AtomicLong done, long total) {
            this.piece = piece;
            this.box = box;
            this.src = src;
            this.s = s;
            this.done = done;
            this.total = total;
        }

        @Override
        public List<ReadResult> fetch() {
            List<ReadResult> old = new ArrayList<>();
            try {
                piece.forEach(cell -> {
                    cells.add(cell);
                    old.add(covers(box, cell) ? null : chunks.fetchForUpdate(cell));
                });
            } catch (RuntimeException e) {
                closeAll(old);
                throw e;
            }
            return old;
        }

        @Override
        public List<Pending> process(List<ReadResult> old) {
            List<Pending> out = new ArrayList<>(old.size());
            int i = 0;
            try {
                for (; i < old.size(); i++) {
                    long[] cell = cells.get(i);
                    ReadResult stored = old.get(i);
                    old.set(i, null);
                    out.add(patch(cell, stored == null ? null : chunks.decode(cell, stored), box, src, s));
                }
                return out;
            } catch (RuntimeException e) {
                closeAll(old);
                out.forEach(p -> p.buffer().close());
                throw e;
            }
        }

        @Override
        public void store(List<Pending> pending) {
            try {
                for (Pending p : pending) {
                    if (p.encoded() == null) {
                        if (p.ifEqual() == null) chunks.remove(p.cell()); // replaced whole by fill: drop the stored one
                        p.buffer().close();
                        continue;
                    }
                    boolean written = chunks.put(p.cell(), p.encoded(), p.ifEqual(), s.compression()).written();
                    p.buffer().close();
                    if (!written) retryChunk(p.cell(), box, src, s);
                }
            } finally {
                pending.forEach(p -> p.buffer().close());
            }
            s.progress().update(done.addAndGet(pending.size()), total);
        }
    }

    /**
     * The new contents of {@code cell}, encoded: {@code old} (null when the write covers the
     * chunk; closed here) patched with the box's voxels, conditioned on {@code old}'s generation.
     */
    private Pending patch(long[] cell, DecodedChunk old, Box box, NdView src, Settings s) {
        ChunkLayout layout = chunks.layout(cell);
        Lease buf = chunks.buffers().lease(layout.byteSize());
        try (old) {
            assemble(cell, layout, buf.segment(), old, box, src, s.fillBits());
            // All fill: leave it out when nothing is stored (old missing) or the box replaces the
            // chunk whole (delete). A stored chunk patched to all fill is written conditionally
            // as usual: there is no conditional delete.
            if (!s.storeFillChunks() && (old == null || !old.found())
                    && FillCheck.isAllFill(buf.segment(), layout.byteSize(), layout.dataType().size(), s.fillBits())) {
                return new Pending(cell, null, buf, old == null ? null : old.generation());
            }
            return new Pending(cell, chunks.encode(cell, buf.segment(), s.compression()), buf, old == null ? null : old.generation());
        } catch (RuntimeException e) {
            buf.close();
            throw e;
        }
    }

    /** Read-modify-write of one chunk after its first conditional write was refused. */
    private void retryChunk(long[] cell, Box box, NdView src, Settings s) {
        for (int attempt = 1; attempt < retry.attempts(); attempt++) {
            retry.backoff(attempt);
            Pending p = patch(cell, chunks.decode(cell, chunks.fetchForUpdate(cell)), box, src, s);
            try {
                if (p.encoded() == null) return; // missing now, and all fill: nothing to store
                if (chunks.put(cell, p.encoded(), p.ifEqual(), s.compression()).written()) return;
            } finally {
                p.buffer().close();
            }
        }
        throw new ConflictException(chunks.store().uri(), chunks.key(cell), retry.attempts());
    }

    /**
     * Chunk {@code cell}'s new array in {@code buf}: {@code old} (its stored contents, or the
     * fill value when missing; null when the box covers the chunk) overlaid with the box's voxels.
     */
    private void assemble(long[] cell, ChunkLayout layout, MemorySegment buf, DecodedChunk old, Box box, NdView src, long fillBits) {
        Box chunkBox = chunks.chunkBox(cell);
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

    private static void closeAll(List<ReadResult> results) {
        for (ReadResult r : results) if (r != null) r.close();
    }

    // ---- sharded ----

    /** The chunks (ids) of one shard that a write touches, and whether it touches all of them whole. */
    private record ShardGroup(long shard, long[] ids, boolean whole) {}

    /** Fills a chunk's new array; {@code old} is its stored contents where the chunk is patched, else null. */
    @FunctionalInterface
    private interface ChunkFiller {
        void fill(long[] cell, Box chunkBox, ChunkLayout layout, MemorySegment buf, DecodedChunk old);
    }

    private void writeSharded(ScaleShards shards, Box box, NdView src, Settings s) {
        List<ShardGroup> groups = shardGroups(shards, chunks.grid().cellRange(box), box);
        for (ShardGroup g : groups) {
            if (!g.whole() && !s.readModifyWrite()) {
                throw new InvalidInputException("write box " + box + " covers " + g.ids().length + " of the " + shards.chunksInShard(g.shard())
                        + " chunks of shard file '" + shards.shardKey(g.shard()) + "' of scale '" + chunks.scale().key()
                        + "'; a sharded scale is written whole shards at a time: write a box that covers whole shards (up to the volume's edge), or enable read-modify-write");
            }
        }
        long total = groups.stream().mapToLong(g -> g.ids().length).sum();
        AtomicLong done = new AtomicLong();
        ChunkFiller fromBox = (cell, chunkBox, layout, buf, old) -> assemble(cell, layout, buf, old, box, src, s.fillBits());
        ChunkExecutor.forMemoryOf(src, shardExecutor)
                .run(Planning.map(groups.iterator(), g -> new ShardWriteTask(shards, g, box, fromBox, done, total, s.progress(), s.fillBits(),
                        s.storeFillChunks())), n -> {});
    }

    /**
     * The write's chunks of {@code range} grouped by shard (ids ascending within a shard), with
     * whether each shard is covered whole: all its chunks of the grid, each covered entirely by
     * {@code box}.
     */
    private List<ShardGroup> shardGroups(ScaleShards shards, CellRange range, Box box) {
        Map<Long, LongStream.Builder> ids = new LinkedHashMap<>();
        Map<Long, Long> counts = new LinkedHashMap<>();
        Set<Long> partial = new HashSet<>();
        range.forEach(cell -> {
            long id = shards.chunkId(cell);
            long shard = shards.spec().shardOf(id);
            ids.computeIfAbsent(shard, x -> LongStream.builder()).add(id);
            counts.merge(shard, 1L, Long::sum);
            if (!covers(box, cell)) partial.add(shard);
        });
        List<ShardGroup> out = new ArrayList<>(ids.size());
        for (var e : ids.entrySet()) {
            long shard = e.getKey();
            long[] a = e.getValue().build().sorted().toArray();
            boolean whole = !partial.contains(shard) && counts.get(shard) == shards.chunksInShard(shard);
            out.add(new ShardGroup(shard, a, whole));
        }
        return out;
    }

    private record BuiltShard(SortedMap<Long, MemorySegment> chunks, String ifEqual) {}

    /** Writes one shard: whole and unconditionally, or read, patched and written conditionally. */
    private final class ShardWriteTask implements ChunkExecutor.ChunkTask<ScaleShards.Snapshot, BuiltShard> {
        private final ScaleShards shards;
        private final ShardGroup g;
        private final Box box;
        private final ChunkFiller filler;
        private final AtomicLong done;
        private final long total;
        private final Progress progress;
        private final long fillBits;
        private final boolean storeFillChunks;

        /**
         * @param box the voxels written: chunks it covers are replaced, others patched
         * @param storeFillChunks false: chunks entirely of {@code fillBits} are left out of the shard
         */
        ShardWriteTask(ScaleShards shards, ShardGroup g, Box box, ChunkFiller filler, AtomicLong done, long total, Progress progress,
                       long fillBits, boolean storeFillChunks) {
            this.fillBits = fillBits;
            this.storeFillChunks = storeFillChunks;
            this.shards = shards;
            this.g = g;
            this.box = box;
            this.filler = filler;
            this.done = done;
            this.total = total;
            this.progress = progress;
        }

        @Override
        public ScaleShards.Snapshot fetch() {
            return g.whole() ? null : shards.readShard(g.shard());
        }

        @Override
        public BuiltShard process(ScaleShards.Snapshot snapshot) {
            return build(snapshot);
        }

        @Override
        public void store(BuiltShard built) {
            if (!shards.writeShard(g.shard(), built.chunks(), built.ifEqual())) retry();
            progress.update(done.addAndGet(g.ids().length), total);
        }

        private void retry() {
            for (int attempt = 1; attempt < retry.attempts(); attempt++) {
                retry.backoff(attempt);
                BuiltShard b = build(shards.readShard(g.shard()));
                if (shards.writeShard(g.shard(), b.chunks(), b.ifEqual())) return;
            }
            throw new ConflictException(chunks.store().uri(), shards.shardKey(g.shard()), retry.attempts());
        }

        /**
         * The shard's new chunks: those of {@code snapshot} (null: none) with the write's chunks
         * replaced; a chunk the box covers in part is patched over its stored contents.
         */
        private BuiltShard build(ScaleShards.Snapshot snapshot) {
            SortedMap<Long, MemorySegment> out = snapshot == null ? new TreeMap<>() : new TreeMap<>(snapshot.chunks());
            for (long id : g.ids()) {
                long[] cell = shards.cellOf(id);
                Box chunkBox = chunks.chunkBox(cell);
                ChunkLayout layout = chunks.layout(cell);
                try (Lease buf = chunks.buffers().lease(layout.byteSize())) {
                    MemorySegment prev = snapshot == null ? null : snapshot.chunks().get(id);
                    try (DecodedChunk old = snapshot == null || covers(box, cell) ? null
                            : chunks.decode(cell, prev == null ? ReadResult.MISSING : ReadResult.of(prev, snapshot.generation()))) {
                        filler.fill(cell, chunkBox, layout, buf.segment(), old);
                    }
                    if (!storeFillChunks && FillCheck.isAllFill(buf.segment(), layout.byteSize(), layout.dataType().size(), fillBits)) {
                        out.remove(id); // reads back as fill; a stale stored chunk must not stay
                        continue;
                    }
                    MemorySegment enc = chunks.encode(cell, buf.segment(), Compression.NONE);
                    // The encoded bytes may alias the leased buffer (raw): keep a copy.
                    out.put(id, MemorySegment.ofArray(enc.toArray(ValueLayout.JAVA_BYTE)));
                }
            }
            return new BuiltShard(out, snapshot == null ? null : snapshot.generation());
        }
    }
}
