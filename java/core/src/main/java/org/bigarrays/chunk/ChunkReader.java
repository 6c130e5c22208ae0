package org.bigarrays.chunk;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.ChunkCodec;

/**
 * Reads boxes of one scale: the box's chunk cells are planned as ranges (never a list of every
 * chunk), cut into slabs of at most {@value Planning#SLAB_CELLS} cells (a sharded scale reads each
 * shard's chunks of a slab as one batch), and the slabs into tasks of a row of chunks along x (or
 * part of one: at most {@link Planning#READ_TASK_BYTES} of decoded chunks per task, or a whole
 * row of raw chunks up to twice that; tiny chunks batch across rows), fetched concurrently on the {@link ChunkExecutor} (compressed chunks on
 * local disk with every core decoding: each read by the decoding thread right before its decode),
 * decoded into leased buffers (raw chunks in place) and gathered into the output with one kernel call per row of
 * found chunks (each output row written once, in order), or, raw chunks on local disk with long
 * enough rows, read straight into the output ({@link DirectRows}), or, where the codec can decode
 * part of a chunk into a strided destination (compressed_segmentation), decoded straight into the
 * output (no chunk buffer, no gather); missing chunks become the fill value,
 * or an error when strict. Each task closes the chunks it fetched, so leases are returned in one
 * place. Thread-safe.
 */
public final class ChunkReader {
    private final ScaleChunkStore chunks;
    private final ChunkExecutor executor;
    private final ChunkCache cache; // null: no cache

    public ChunkReader(ScaleChunkStore chunks, ChunkExecutor executor) {
        this(chunks, executor, null);
    }

    /**
     * A reader whose chunks come through {@code cache} (null for none): each chunk is fetched
     * and decoded once for all readers of the cache while it stays resident (unbatched: a cached
     * sharded scale reads chunk by chunk, each through the shard's cached index).
     */
    public ChunkReader(ScaleChunkStore chunks, ChunkExecutor executor, ChunkCache cache) {
        this.chunks = chunks;
        this.executor = executor;
        this.cache = cache;
    }

    /** How to read: the fill value, whether to fail instead of filling, whom to tell of progress. */
    public record Settings(long fillBits, boolean strict, Progress progress) {}

    /**
     * Read {@code box} into {@code out} (rank 4 {@code [x,y,z,c]} whose origin is the box's
     * minimum, channel 0).
     * @throws InvalidInputException (strict) on a box outside the volume
     * @throws MissingChunkException (strict) when a chunk the box needs does not exist
     */
    public void read(Box box, NdView out, Settings s) {
        ChunkGrid grid = chunks.grid();
        Box vol = grid.volume();
        if (!vol.contains(box)) {
            if (s.strict()) throw new InvalidInputException("strict read: box " + box + " is not inside the volume " + vol + " of " + chunks.store().uri());
            out.fillBits(s.fillBits());
        }
        CellRange all = grid.cellRange(box);
        long total = all.count();
        if (total == 0) return;
        ChunkExecutor ex = ChunkExecutor.forMemoryOf(out, executor);
        if (readsInline(total)) ex = executor.inline();
        long chunkBytes = chunks.layout(all.lo()).byteSize();
        // Compressed chunks are decoded a task at a time: smaller tasks keep the decoded buffers few.
        long[] cs = grid.chunkShape();
        long rowBytes = (all.hi()[0] - all.lo()[0]) * cs[0] * cs[1] * cs[2] * chunks.info().numChannels() * chunks.info().dataType().size();
        long taskBytes = chunks.codec().storesPlain() ? Planning.rawReadTaskBytes(rowBytes) : Planning.DECODE_TASK_BYTES;
        long planned = Planning.cellsPerReadTask(grid, chunks.info().numChannels(), chunks.info().dataType().size(), total,
                all.hi()[0] - all.lo()[0], ex.cpuThreads() + ex.ioConcurrency(), taskBytes);
        // Raw chunks from a remote store go from the response straight into out's rows: one key each,
        // or a run of a shard file's chunks read at once.
        boolean remoteRaw = cache == null && chunks.codec().storesPlain() && !chunks.store().local()
                && RawChunkSink.fits(out, chunks.info().dataType().size());
        boolean sinks = remoteRaw && !chunks.groupsChunks();
        // ...or a run of a precomputed shard file whose chunks are stored as they are (no data_encoding).
        boolean runsInto = remoteRaw && chunks.isSharded() && chunks.shards().chunksStoredPlain();
        // Such a task has nothing to gather, and its chunks would be fetched one after the other:
        // one chunk a task keeps every request slot busy (two a task left the last requests of a
        // 72-chunk cutout a round behind the bare client's 32 in flight). On a sharded scale the
        // tasks of a shard's chunks share its runs, each reading one nobody has claimed.
        long perTask = sinks || runsInto ? 1 : planned;
        // Local reads are CPU work (page cache copies, decodes): a cap costs them nothing and bounds
        // memory. Remote fetches need many requests in flight to hide latency, so they stay uncapped.
        long inFlight = chunks.store().local() ? Math.max(Planning.READ_BYTES_IN_FLIGHT, (ex.cpuThreads() + 1L) * perTask * chunkBytes)
                : Long.MAX_VALUE;
        long fill = s.fillBits();
        AtomicLong done = new AtomicLong();
        DirectRows direct = DirectRows.of(chunks, cache, box, out);
        boolean late = readsWhenDecoding(ex, direct, sinks);
        Iterator<CellRange> slabs = all.split(Planning.SLAB_CELLS);
        while (slabs.hasNext()) {
            CellRange slab = slabs.next();
            RunSinks runSinks = runsInto ? new RunSinks(box, out) : null;
            ScaleChunkStore.Fetcher fetcher = runSinks == null ? chunks.fetcher(slab) : chunks.fetcher(slab, runSinks::sinkOf);
            ex.run(Planning.map(slab.split(perTask), piece -> new ReadTask(piece, fetcher, direct, sinks, runSinks, late, box, out, s, fill, done, total)), n -> {},
                    inFlight);
        }
    }

    /**
     * The sinks of a slab's raw chunks in a sharded scale, made when a run of a shard file that
     * holds the chunk is read (by whichever task reads it) and looked up by the chunk's own task,
     * which checks what arrived.
     */
    private final class RunSinks {
        private final Box box;
        private final NdView out;
        private final java.util.concurrent.ConcurrentHashMap<java.util.List<Long>, RawChunkSink> made = new java.util.concurrent.ConcurrentHashMap<>();

        RunSinks(Box box, NdView out) {
            this.box = box;
            this.out = out;
        }

        RawChunkSink sinkOf(long[] cell) {
            long[] c = cell.clone();
            return made.computeIfAbsent(java.util.List.of(c[0], c[1], c[2]), k -> new RawChunkSink(chunks.layout(c), chunks.chunkBox(c), box, out));
        }
    }

    /**
     * Whether each chunk is read right before it is decoded, on the decoding thread: compressed
     * chunks (the last read's verdict) from local disk, one file each, with no cache, when the
     * decoding threads are as many as the cores. Read a task ahead on an I/O thread, a row of
     * stored chunks had left the core's cache by the time it was decoded, and every task paid a
     * hand-off between threads: about 15% more CPU per cutout of uint8 lz4 chunks (measured). With
     * fewer decoding threads than cores those reads run on a core that would otherwise idle, which
     * is worth more than the CPU they cost (one thread of two: 0.80-0.86x without them).
     */
    private boolean readsWhenDecoding(ChunkExecutor ex, DirectRows direct, boolean sinks) {
        return ex.cpuThreads() >= Runtime.getRuntime().availableProcessors() && cache == null && direct == null && !sinks && chunks.store().local() && !chunks.groupsChunks() && !chunksStoredPlain;
    }

    /**
     * Whether the last read's chunks were all stored as the chunk arrays themselves (the codec's
     * verdict per chunk: an unsharded raw scale's chunks may carry transport compression): their
     * chunks cost a copy, not a decode.
     */
    private volatile boolean chunksStoredPlain;

    /**
     * Whether to read on the caller's thread: a few chunks stored plain ({@link ChunkCodec#storesPlain}
     * and, per chunk, the codec's verdict on the last read) from a local store take less time than
     * handing them to other threads (measured: a 64³ box of raw 64³ chunks from the page cache,
     * 0.29 vs 0.43 ms). Compressed chunks or remote stores are read in parallel.
     */
    private boolean readsInline(long cells) {
        long[] c = chunks.grid().chunkShape();
        long bytes = c[0] * c[1] * c[2] * chunks.info().numChannels() * (long) chunks.info().dataType().size();
        return chunksStoredPlain && chunks.codec().storesPlain() && chunks.store().local() && cells <= INLINE_BYTES / Math.max(1, bytes);
    }

    private static final long INLINE_BYTES = 2L << 20;

    /**
     * A chunk fetched (stored bytes, decoded later), taken from the cache (decoded), or read
     * straight into the output ({@link DirectRows} from local disk, or {@link RawChunkSink} as a
     * remote store's response arrives: {@code direct}, nothing held, nothing left to copy).
     */
    private record Fetched(long[] cell, ReadResult stored, ChunkCache.Ref cached, boolean direct) {
        Fetched(long[] cell, ReadResult stored, ChunkCache.Ref cached) {
            this(cell, stored, cached, false);
        }

        void close() {
            if (stored != null) stored.close();
            if (cached != null) cached.close();
        }
    }

    /** Reads the chunks of one piece of the plan: fetch (I/O), then decode and copy (CPU). */
    private final class ReadTask implements ChunkExecutor.ChunkTask<List<Fetched>, Void> {
        private final CellRange piece;
        private final ScaleChunkStore.Fetcher fetcher;
        private final DirectRows direct; // null: every chunk through fetcher
        private final boolean sinks; // remote raw chunks into out as they arrive (RawChunkSink)
        private final RunSinks runSinks; // null, or the sinks that runs of shard files fill
        private final boolean late; // each chunk read by process() right before it is decoded (readsWhenDecoding)
        private final Box box;
        private final NdView out;
        private final Settings s;
        private final long fill;
        private final AtomicLong done;
        private final long total;

        ReadTask(CellRange piece, ScaleChunkStore.Fetcher fetcher, DirectRows direct, boolean sinks, RunSinks runSinks, boolean late, Box box, NdView out, Settings s,
                 long fill, AtomicLong done, long total) {
            this.piece = piece;
            this.fetcher = fetcher;
            this.direct = direct;
            this.sinks = sinks;
            this.runSinks = runSinks;
            this.late = late;
            this.box = box;
            this.out = out;
            this.s = s;
            this.fill = fill;
            this.done = done;
            this.total = total;
        }

        @Override
        public long ioBytes() {
            return piece.count() * chunks.layout(piece.lo()).byteSize();
        }

        /** The piece's chunks fetched, or null when {@link #process} reads each itself ({@code late}). */
        @Override
        public List<Fetched> fetch() {
            if (late) return null;
            List<Fetched> got = new ArrayList<>((int) piece.count());
            try {
                if (cache == null) {
                    piece.forEach(cell -> got.add(direct != null && direct.read(cell) ? new Fetched(cell, null, null, true)
                            : sinks ? fetchInto(cell) : fetchBatched(cell)));
                } else {
                    piece.forEach(cell -> got.add(new Fetched(cell, null, cache.get(chunks, cell, () -> chunks.decode(cell, chunks.fetch(cell))))));
                }
            } catch (RuntimeException e) {
                got.forEach(Fetched::close);
                throw e;
            }
            return got;
        }

        /**
         * The chunk's bytes placed into out as they arrive (direct), or as fetched when the store
         * did not deliver them (a value of another size, missing). A delivered value that starts
         * like transport compression is fetched again and decoded (it rewrites the same voxels).
         */
        private Fetched fetchInto(long[] cell) {
            long[] c = cell.clone();
            RawChunkSink sink = new RawChunkSink(chunks.layout(c), chunks.chunkBox(c), box, out);
            ReadResult r = chunks.fetch(c, sink);
            if (r.state() != ReadResult.State.DELIVERED) return new Fetched(cell, r, null);
            if (chunks.codec().storedAsChunk(sink.prefix())) return new Fetched(cell, null, null, true);
            return new Fetched(cell, chunks.fetch(c), null);
        }

        /**
         * The chunk as the slab's fetcher reads it; when a run of a shard file delivered it into
         * out, checked as {@link #fetchInto} checks a chunk of its own.
         */
        private Fetched fetchBatched(long[] cell) {
            ReadResult r = fetcher.fetch(cell);
            if (r.state() != ReadResult.State.DELIVERED) return new Fetched(cell, r, null);
            if (chunks.codec().storedAsChunk(runSinks.sinkOf(cell).prefix())) return new Fetched(cell, null, null, true);
            return new Fetched(cell, chunks.fetch(cell.clone()), null);
        }

        @Override
        public Void process(List<Fetched> fetched) {
            if (fetched == null) return readEachThenDecode();
            if (cache == null && chunks.decodesBoxes()) {
                decodeIntoOutput(fetched);
                return null;
            }
            int n = fetched.size();
            DecodedChunk[] decoded = new DecodedChunk[n];
            int reached = 0;
            boolean plain = true;
            try {
                for (; reached < n; reached++) {
                    Fetched f = fetched.get(reached);
                    if (f.direct()) continue; // already in the output
                    decoded[reached] = f.cached() != null ? f.cached().chunk() : chunks.decode(f.cell(), f.stored());
                    if (f.cached() == null && decoded[reached].found() && !decoded[reached].storedPlain()) plain = false;
                }
                copyOut(fetched, decoded);
                chunksStoredPlain = plain;
            } finally {
                for (int i = 0; i < n; i++) {
                    Fetched f = fetched.get(i);
                    if (f.direct()) continue;
                    if (f.cached() != null) f.cached().close(); // the cache owns the chunk
                    else if (i < reached) decoded[i].close(); // decode took the stored bytes
                    else if (i > reached) f.stored().close(); // never decoded (decode closes on failure)
                }
            }
            s.progress().update(done.addAndGet(n), total);
            return null;
        }

        /**
         * The piece's chunks, each read and at once decoded (its stored bytes still in cache, and
         * their buffer, given back, the next chunk's), then gathered as {@link #copyOut} does; or
         * decoded by part straight into the output where the codec can.
         */
        private Void readEachThenDecode() {
            List<Fetched> cells = new ArrayList<>((int) piece.count());
            piece.forEach(cell -> cells.add(new Fetched(cell, null, null)));
            int n = cells.size();
            if (chunks.decodesBoxes()) {
                for (Fetched f : cells) {
                    Box overlap = chunks.chunkBox(f.cell()).intersect(box);
                    // decodeBox closes the stored bytes, also when it throws.
                    if (!chunks.decodeBox(f.cell(), fetcher.fetch(f.cell()), overlap, out.segment(), Planning.offsetOf(out, overlap), out.strides())) {
                        fillMissing(f.cell(), chunks.layout(f.cell()));
                    }
                }
                chunksStoredPlain = false;
            } else {
                DecodedChunk[] decoded = new DecodedChunk[n];
                int reached = 0;
                boolean plain = true;
                try {
                    for (; reached < n; reached++) {
                        long[] cell = cells.get(reached).cell();
                        decoded[reached] = chunks.decode(cell, fetcher.fetch(cell)); // decode takes the stored bytes, also when it throws
                        if (decoded[reached].found() && !decoded[reached].storedPlain()) plain = false;
                    }
                    copyOut(cells, decoded);
                    chunksStoredPlain = plain;
                } finally {
                    for (int i = 0; i < reached; i++) decoded[i].close();
                }
            }
            s.progress().update(done.addAndGet(n), total);
            return null;
        }

        /**
         * The piece's chunks decoded by part straight into the output (a codec that can: see
         * {@link ScaleChunkStore#decodesBoxes}): each voxel of the box is written once, with no
         * chunk buffer and no gather.
         */
        private void decodeIntoOutput(List<Fetched> fetched) {
            int n = fetched.size();
            int reached = 0;
            try {
                for (; reached < n; reached++) {
                    Fetched f = fetched.get(reached);
                    if (f.direct()) continue; // already in the output
                    Box overlap = chunks.chunkBox(f.cell()).intersect(box);
                    // decodeBox closes the stored bytes, also when it throws.
                    if (!chunks.decodeBox(f.cell(), f.stored(), overlap, out.segment(), Planning.offsetOf(out, overlap), out.strides())) {
                        fillMissing(f.cell(), chunks.layout(f.cell()));
                    }
                }
                chunksStoredPlain = false;
            } finally {
                for (int i = reached + 1; i < n; i++) fetched.get(i).close();
            }
            s.progress().update(done.addAndGet(n), total);
        }

        /** The piece's chunks (x fastest) into the output: one gather per run of found chunks along x. */
        private void copyOut(List<Fetched> fetched, DecodedChunk[] decoded) {
            int n = fetched.size();
            int i = 0;
            while (i < n) {
                if (fetched.get(i).direct()) {
                    i++;
                    continue;
                }
                if (!decoded[i].found()) {
                    fillMissing(fetched.get(i).cell(), decoded[i].layout());
                    i++;
                    continue;
                }
                int j = i + 1;
                while (j < n && !fetched.get(j).direct() && decoded[j].found() && nextAlongX(fetched.get(j - 1).cell(), fetched.get(j).cell())) j++;
                MemorySegment[] data = new MemorySegment[j - i];
                ChunkLayout[] layouts = new ChunkLayout[j - i];
                Box[] boxes = new Box[j - i];
                for (int k = i; k < j; k++) {
                    data[k - i] = decoded[k].data();
                    layouts[k - i] = decoded[k].layout();
                    boxes[k - i] = chunks.chunkBox(fetched.get(k).cell());
                }
                Planning.rowToView(data, layouts, boxes, box, out);
                i = j;
            }
        }

        private static boolean nextAlongX(long[] a, long[] b) {
            return b[0] == a[0] + 1 && b[1] == a[1] && b[2] == a[2];
        }

        private void fillMissing(long[] cell, ChunkLayout layout) {
            if (s.strict()) throw new MissingChunkException(chunks.store().uri(), chunks.key(cell), box.toString());
            Box overlap = chunks.chunkBox(cell).intersect(box);
            Kernels.get().fill(out.segment(), Planning.offsetOf(out, overlap), out.strides(), Planning.shape4(overlap, layout.channels()),
                    layout.dataType().size(), fill);
        }
    }
}
