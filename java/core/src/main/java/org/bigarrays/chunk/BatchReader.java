package org.bigarrays.chunk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
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
import org.bigarrays.precomputed.ScaleShards;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a batch of boxes of one scale (the patches a training-data loader samples) so that each
 * chunk the batch touches is fetched and decoded once, and on a sharded scale each shard index
 * entry and minishard index is read once, however the boxes overlap and whatever the chunk
 * cache holds (in the spirit of TensorStore's {@code Batch}).
 *
 * <p><b>Plan.</b> The chunk cells of every box, and the distinct ones; on a sharded scale each
 * shard's distinct chunks are then located in its file (its index entries and minishard indexes
 * read once), shards in parallel.
 *
 * <p><b>Windows.</b> Boxes are read in the order given, in windows of consecutive boxes the
 * caller chooses (one window of all of them when it holds every result; windows of boxes near
 * one another, see {@link #localityOrder}, when it streams). Within a window the work is
 * chunk-major: each distinct chunk is fetched (a shard's chunks in tasks of runs adjacent in
 * its file, each run one ranged read), decoded, copied into every box of the window it
 * overlaps, and closed, or kept for a later window that needs it while the kept chunks fit
 * {@code keepBytes}; a chunk that did not fit is read again by the later window (logged).
 * Tasks run on the {@link ChunkExecutor}, so fetches fan out and decodes use the cores.
 *
 * <p><b>Memory.</b> The window's outputs, plus the kept chunks ({@code keepBytes} at most),
 * plus the chunk tasks in flight (the executor's cap, each at most
 * {@link Planning#READ_TASK_BYTES} of decoded chunks or one chunk), plus the plan: about 100
 * bytes per distinct chunk of the batch. Thread-safe; one call reads one batch.
 */
public final class BatchReader {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(BatchReader.class);
    }

    private final ScaleChunkStore chunks;
    private final ChunkExecutor executor;
    private final ChunkCache cache; // null: no cache

    /** A reader of batches of {@code chunks}, whose chunks come through {@code cache} when it is not null. */
    public BatchReader(ScaleChunkStore chunks, ChunkExecutor executor, ChunkCache cache) {
        this.chunks = chunks;
        this.executor = executor;
        this.cache = cache;
    }

    /** A grid cell as a map key. */
    private record Cell(long x, long y, long z) {
        static Cell of(long[] c) {
            return new Cell(c[0], c[1], c[2]);
        }

        long[] array() {
            return new long[] {x, y, z};
        }
    }

    /** A decoded chunk and what to close when done with it (itself, or the cache reference holding it). */
    private record Held(DecodedChunk chunk, AutoCloseable owner) {
        void close() {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Read {@code boxes} window by window: window {@code k} is the boxes
     * {@code [windowEnds[k-1], windowEnds[k])} ({@code windowEnds} ascending, its last element
     * {@code boxes.size()}). For each window, {@code destination} gives each box's output (rank 4
     * {@code [x,y,z,c]} with the box's shape, origin at its minimum), and once the whole window
     * is read, {@code done} is handed each output in request order.
     * @param keepBytes the most bytes of decoded chunks kept between windows for later ones
     * @return how many chunks were read again by a later window (0 with one window, or when the kept chunks fit)
     * @throws InvalidInputException (strict) naming a box that is not inside the volume
     * @throws MissingChunkException (strict) naming a box that needs a chunk that does not exist
     */
    public long read(List<Box> boxes, int[] windowEnds, IntFunction<NdView> destination, ObjIntConsumer<NdView> done, long keepBytes,
            ChunkReader.Settings s) {
        ChunkGrid grid = chunks.grid();
        int n = boxes.size();
        CellRange[] ranges = new CellRange[n];
        // The first and last window that need each distinct cell (windows ascend with the boxes).
        Map<Cell, int[]> lastWindow = new HashMap<>();
        int w = 0;
        for (int i = 0; i < n; i++) {
            while (i >= windowEnds[w]) w++;
            ranges[i] = grid.cellRange(boxes.get(i));
            int window = w;
            ranges[i].forEach(c -> lastWindow.computeIfAbsent(Cell.of(c), x -> new int[] {window, window})[1] = window);
        }
        Map<Long, ScaleShards.Located> located = chunks.isSharded() ? locate(lastWindow.keySet()) : Map.of();
        Map<Cell, Held> kept = new ConcurrentHashMap<>();
        AtomicLong keptBytes = new AtomicLong();
        AtomicLong done0 = new AtomicLong();
        AtomicLong again = new AtomicLong();
        long total = lastWindow.size();
        try {
            int from = 0;
            for (int k = 0; k < windowEnds.length; k++) {
                int to = windowEnds[k];
                NdView[] outs = new NdView[to - from];
                for (int i = from; i < to; i++) outs[i - from] = destination.apply(i);
                readWindow(boxes, ranges, from, outs, k, lastWindow, located, kept, keptBytes, keepBytes, s, done0, total, again);
                for (int i = from; i < to; i++) {
                    done.accept(outs[i - from], i);
                    outs[i - from] = null;
                }
                int window = k;
                kept.entrySet().removeIf(e -> {
                    if (lastWindow.get(e.getKey())[1] > window) return false;
                    keptBytes.addAndGet(-bytes(e.getValue().chunk()));
                    e.getValue().close();
                    return true;
                });
                from = to;
            }
        } finally {
            kept.values().forEach(Held::close);
        }
        if (again.get() > 0) {
            Log.LOG.debug("batch read of {} boxes: {} of {} chunks read twice or more (they did not fit the {} bytes kept between windows)", n,
                    again.get(), total, keepBytes);
        }
        return again.get();
    }

    /**
     * The indexes of {@code boxes} in the Morton (z-order) order of the grid cells of their
     * minimum corners (clamped to the grid), ties in request order: consecutive boxes are then
     * near one another, so windows of them share most of their chunks.
     */
    public static int[] localityOrder(List<Box> boxes, ChunkGrid grid) {
        long[] g = grid.gridShape();
        long[] keys = new long[boxes.size()];
        for (int i = 0; i < keys.length; i++) {
            CellRange r = grid.cellRange(boxes.get(i));
            long key = 0;
            for (int d = 0; d < 3; d++) {
                long c = Math.clamp(r.isEmpty() ? Math.floorDiv(boxes.get(i).min(d) - grid.volume().min(d), grid.chunkShape()[d]) : r.lo()[d], 0, g[d] - 1);
                key |= spread(Math.min(c, (1L << 21) - 1)) << d;
            }
            keys[i] = key;
        }
        return java.util.stream.IntStream.range(0, keys.length).boxed().sorted(Comparator.comparingLong((Integer i) -> keys[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The low 21 bits of {@code v} spread to every third bit. */
    private static long spread(long v) {
        long x = v & 0x1fffffL;
        x = (x | x << 32) & 0x1f00000000ffffL;
        x = (x | x << 16) & 0x1f0000ff0000ffL;
        x = (x | x << 8) & 0x100f00f00f00f00fL;
        x = (x | x << 4) & 0x10c30c30c30c30c3L;
        x = (x | x << 2) & 0x1249249249249249L;
        return x;
    }

    /** Each shard's distinct chunks located in its file: index entries and minishard indexes read once per batch. */
    private Map<Long, ScaleShards.Located> locate(Iterable<Cell> cells) {
        ScaleShards shards = chunks.shards();
        Map<Long, List<long[]>> byShard = new LinkedHashMap<>();
        for (Cell c : cells) {
            long[] a = c.array();
            byShard.computeIfAbsent(shards.shardOf(a), x -> new ArrayList<>()).add(a);
        }
        Map<Long, ScaleShards.Located> out = new ConcurrentHashMap<>();
        List<ChunkExecutor.ChunkTask<ScaleShards.Located, Void>> tasks = new ArrayList<>();
        byShard.forEach((shard, list) -> tasks.add(new ChunkExecutor.ChunkTask<>() {
            @Override
            public ScaleShards.Located fetch() {
                return shards.locate(shard, list);
            }

            @Override
            public Void process(ScaleShards.Located l) {
                out.put(shard, l);
                return null;
            }
        }));
        executor.run(tasks, x -> {});
        return out;
    }

    private void readWindow(List<Box> boxes, CellRange[] ranges, int from, NdView[] outs, int window, Map<Cell, int[]> lastWindow,
            Map<Long, ScaleShards.Located> located, Map<Cell, Held> kept, AtomicLong keptBytes, long keepBytes, ChunkReader.Settings s,
            AtomicLong done, long total, AtomicLong again) {
        Box vol = chunks.grid().volume();
        ChunkExecutor ex = executor;
        for (int j = 0; j < outs.length; j++) {
            Box box = boxes.get(from + j);
            if (!vol.contains(box)) {
                if (s.strict()) throw new InvalidInputException("strict read: box " + box + " is not inside the volume " + vol + " of " + chunks.store().uri());
                outs[j].fillBits(s.fillBits());
            }
            ex = ChunkExecutor.forMemoryOf(outs[j], ex);
        }
        // The boxes of the window (indexes into outs) that each distinct cell overlaps.
        Map<Cell, int[]> users = new LinkedHashMap<>();
        for (int j = 0; j < outs.length; j++) {
            int jj = j;
            ranges[from + j].forEach(c -> users.merge(Cell.of(c), new int[] {jj}, BatchReader::append));
        }
        Copier copier = new Copier(boxes, from, outs, s);
        List<Cell> toFetch = new ArrayList<>();
        for (var e : users.entrySet()) {
            Held h = kept.get(e.getKey());
            if (h != null) {
                copier.copy(e.getKey().array(), h.chunk(), e.getValue());
            } else {
                if (lastWindow.get(e.getKey())[0] < window) again.incrementAndGet();
                toFetch.add(e.getKey());
            }
        }
        if (toFetch.isEmpty()) return;
        List<FetchTask> tasks = new ArrayList<>();
        for (List<Cell> group : groups(toFetch, located)) {
            tasks.add(new FetchTask(group, located, users, copier, window, lastWindow, kept, keptBytes, keepBytes, done, total, s));
        }
        ex.run(tasks, x -> {});
    }

    private static int[] append(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static long bytes(DecodedChunk c) {
        return c.found() ? c.layout().byteSize() : 64;
    }

    /**
     * The cells to fetch cut into tasks: on a sharded scale by shard, in file order (so adjacent
     * chunks share a ranged read), each task at most {@link Planning#READ_TASK_BYTES} of decoded
     * chunks; unsharded, one chunk per task (tiny chunks batched up to 64 KiB).
     */
    private List<List<Cell>> groups(List<Cell> cells, Map<Long, ScaleShards.Located> located) {
        long[] c = chunks.grid().chunkShape();
        long chunkBytes = Math.max(1, c[0] * c[1] * c[2] * chunks.info().numChannels() * (long) chunks.info().dataType().size());
        List<List<Cell>> out = new ArrayList<>();
        if (!chunks.isSharded()) {
            int per = (int) Math.clamp((64 << 10) / chunkBytes, 1, 1024);
            for (int i = 0; i < cells.size(); i += per) out.add(cells.subList(i, Math.min(cells.size(), i + per)));
            return out;
        }
        ScaleShards shards = chunks.shards();
        int per = (int) Math.clamp(Planning.READ_TASK_BYTES / chunkBytes, 1, 4096);
        Map<Long, List<Cell>> byShard = new LinkedHashMap<>();
        for (Cell cell : cells) byShard.computeIfAbsent(shards.shardOf(cell.array()), x -> new ArrayList<>()).add(cell);
        byShard.forEach((shard, list) -> {
            Map<Long, long[]> where = located.get(shard).ranges();
            list.sort(Comparator.comparingLong(cell -> {
                long[] r = where.get(shards.chunkId(cell.array()));
                return r == null ? -1 : r[0];
            }));
            for (int i = 0; i < list.size(); i += per) out.add(list.subList(i, Math.min(list.size(), i + per)));
        });
        return out;
    }

    /** Copies a decoded chunk into the window's outputs that overlap it; missing chunks become the fill value. */
    private final class Copier {
        private final List<Box> boxes;
        private final int from;
        private final NdView[] outs;
        private final ChunkReader.Settings s;

        Copier(List<Box> boxes, int from, NdView[] outs, ChunkReader.Settings s) {
            this.boxes = boxes;
            this.from = from;
            this.outs = outs;
            this.s = s;
        }

        void copy(long[] cell, DecodedChunk chunk, int[] users) {
            Box chunkBox = chunks.chunkBox(cell);
            for (int j : users) {
                Box box = boxes.get(from + j);
                Box overlap = chunkBox.intersect(box);
                if (overlap.isEmpty()) continue;
                NdView out = outs[j];
                if (chunk.found()) {
                    Planning.chunkToView(chunk.data(), chunk.layout(), chunkBox, overlap, out);
                } else {
                    if (s.strict()) throw new MissingChunkException(chunks.store().uri(), chunks.key(cell), box.toString());
                    ChunkLayout layout = chunk.layout();
                    Kernels.get().fill(out.segment(), Planning.offsetOf(out, overlap), out.strides(), Planning.shape4(overlap, layout.channels()),
                            layout.dataType().size(), s.fillBits());
                }
            }
        }
    }

    /** Fetches (I/O) then decodes and copies (CPU) one group of chunks; keeps those a later window needs while they fit. */
    private final class FetchTask implements ChunkExecutor.ChunkTask<List<Held>, Void> {
        private final List<Cell> group;
        private final Map<Long, ScaleShards.Located> located;
        private final Map<Cell, int[]> users;
        private final Copier copier;
        private final int window;
        private final Map<Cell, int[]> lastWindow;
        private final Map<Cell, Held> kept;
        private final AtomicLong keptBytes;
        private final long keepBytes;
        private final AtomicLong done;
        private final long total;
        private final ChunkReader.Settings s;

        FetchTask(List<Cell> group, Map<Long, ScaleShards.Located> located, Map<Cell, int[]> users, Copier copier, int window,
                Map<Cell, int[]> lastWindow, Map<Cell, Held> kept, AtomicLong keptBytes, long keepBytes, AtomicLong done, long total,
                ChunkReader.Settings s) {
            this.group = group;
            this.located = located;
            this.users = users;
            this.copier = copier;
            this.window = window;
            this.lastWindow = lastWindow;
            this.kept = kept;
            this.keptBytes = keptBytes;
            this.keepBytes = keepBytes;
            this.done = done;
            this.total = total;
            this.s = s;
        }

        /** The stored bytes of the whole group: one call per group, its runs coalesced on a sharded scale. */
        private List<ReadResult> fetchStored() {
            List<long[]> cells = new ArrayList<>(group.size());
            for (Cell c : group) cells.add(c.array());
            if (chunks.isSharded()) return chunks.fetch(located.get(chunks.shards().shardOf(cells.getFirst())), cells);
            List<ReadResult> out = new ArrayList<>(cells.size());
            try {
                for (long[] c : cells) out.add(chunks.fetch(c));
            } catch (RuntimeException e) {
                out.forEach(ReadResult::close);
                throw e;
            }
            return out;
        }

        @Override
        public List<Held> fetch() {
            List<Held> got = new ArrayList<>(group.size());
            if (cache == null) {
                List<ReadResult> stored = fetchStored();
                int i = 0;
                try {
                    for (; i < stored.size(); i++) {
                        DecodedChunk d = chunks.decode(group.get(i).array(), stored.get(i));
                        got.add(new Held(d, d));
                    }
                } catch (RuntimeException e) {
                    for (int k = i + 1; k < stored.size(); k++) stored.get(k).close();
                    got.forEach(Held::close);
                    throw e;
                }
                return got;
            }
            // Through the cache: the group is fetched (once) only when a chunk of it is not resident.
            var stored = new Object() {
                List<ReadResult> results; // fetched on the first miss; each taken once, the rest closed below
            };
            try {
                for (int i = 0; i < group.size(); i++) {
                    int k = i;
                    long[] cell = group.get(i).array();
                    ChunkCache.Ref ref = cache.get(chunks, cell, () -> {
                        if (stored.results == null) stored.results = fetchStored();
                        ReadResult r = stored.results.get(k);
                        stored.results.set(k, null);
                        return chunks.decode(cell, r);
                    });
                    got.add(new Held(ref.chunk(), ref));
                }
            } catch (RuntimeException e) {
                got.forEach(Held::close);
                throw e;
            } finally {
                if (stored.results != null) for (ReadResult r : stored.results) if (r != null) r.close();
            }
            return got;
        }

        @Override
        public Void process(List<Held> fetched) {
            int i = 0;
            try {
                for (; i < fetched.size(); i++) {
                    Cell cell = group.get(i);
                    Held h = fetched.get(i);
                    copier.copy(cell.array(), h.chunk(), users.get(cell));
                    boolean later = lastWindow.get(cell)[1] > window;
                    if (later && keptBytes.addAndGet(bytes(h.chunk())) <= keepBytes) {
                        kept.put(cell, h);
                    } else {
                        if (later) keptBytes.addAndGet(-bytes(h.chunk()));
                        h.close();
                    }
                }
            } finally {
                for (; i < fetched.size(); i++) fetched.get(i).close();
            }
            s.progress().update(done.addAndGet(fetched.size()), total);
            return null;
        }
    }
}
