package org.bigarrays.array;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.Downsampler;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.ScaleGeometry;
import org.bigarrays.sharding.ShardingPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills a layer's image pyramid: mips 1..N, each computed from the mip below (TensorStore's
 * downsample semantics, see {@link Downsampler}).
 *
 * <pre>{@code
 * try (BigArray layer = BigArray.open("file:///data/em")) {
 *     Pyramid.Result r = Pyramid.build(layer, PyramidSpec.defaults().withMips(4));
 * }
 * }</pre>
 *
 * <p><b>One pass.</b> Mips are grouped into passes; a pass from mip {@code b} up to mip {@code k}
 * cuts mip {@code k}'s chunk grid into tasks. A task reads the mip-{@code b} box under its mip-k
 * chunks once, computes mips b+1..k in memory and writes each of their chunks once (the boxes are
 * chunk-aligned at every mip); each mip is written while the next is computed, the mips' writes
 * side by side and on while the next task runs. Where mip b is unsharded and its chunk faces are
 * block faces, the first step runs chunk by chunk, each chunk downsampled while in cache (chunks
 * not stored are not read). A pass's top mip, when small, stays in memory for the next pass.
 * Usually one pass covers everything from mip 0; a new pass starts
 * (reading the mip just written) only where one task's mip-{@code b} box would exceed
 * {@link PyramidSpec#taskBytes}, where chunk grids do not nest (voxel offsets that are not
 * multiples of the factors), or at a sharded mip, which is written shard by shard from the mip
 * below ({@link org.bigarrays.chunk.ChunkWriter#writeAll}), each shard once.
 *
 * <p><b>Memory.</b> A task holds its mip-b box (at most {@code taskBytes}, unless one top chunk
 * alone needs more; only one chunk per worker of it when the first step runs chunk by chunk) plus the coarser mips (1/4 to 1/8 of that each step), that is about 1.15 to
 * 1.34 × taskBytes, plus the read and write buffers of its chunks; {@link PyramidSpec#parallelTasks}
 * tasks run at once.
 *
 * <p><b>Partial update.</b> With {@link PyramidSpec#box}, mip by mip only the chunks whose voxels
 * depend on that mip-0 box are recomputed (a sharded mip is then read-modified-written).
 */
public final class Pyramid {
    private static final Logger LOG = LoggerFactory.getLogger(Pyramid.class);

    private Pyramid() {}

    /**
     * What a build did.
     * @param info the layer's info after the build (with the scales it added)
     * @param mipsAdded how many scales were added to the info
     * @param chunksWritten output chunks written, all mips
     * @param passes how many passes read a mip (1 when one read of mip 0 made every mip)
     * @param kernel "native" or "java"
     */
    public record Result(Info info, int mipsAdded, long chunksWritten, int passes, String kernel) {}

    /**
     * The scales and factors a build works with: the info after it, {@code factors[k]} from mip
     * k-1 to mip k, the top mip, and how many scales it adds (for builders elsewhere: Spark).
     */
    public record Plan(Info info, long[][] factors, int mips, int added) {}

    /**
     * Add or fill mips 1..N of {@code layer} (opened at any mip; its options give the fill value,
     * threads and progress listener).
     * @throws InvalidInputException when an existing scale does not have the geometry the
     *     factors give (naming it), on a bad box, or a method that does not suit the data type
     * @throws org.bigarrays.StorageException when the store fails
     */
    public static Result build(BigArray layer, PyramidSpec spec) {
        return build(layer, spec, false);
    }

    /**
     * As {@link #build(BigArray, PyramidSpec)}, resumably: the job is recorded in the layer
     * ({@link JobRecord}), a rerun with the same spec skips the tasks an interrupted run
     * finished, and new scales enter the info only after all their chunks are stored.
     * @param restart discard a recorded job with other settings instead of refusing
     */
    public static Result build(BigArray layer, PyramidSpec spec, boolean restart) {
        long t0 = System.nanoTime();
        Plan plan = plan(layer.info(), spec);
        // Refused before the job is recorded: a refused command writes nothing.
        if (spec.box() != null && spec.box().intersect(layer.mip(0).bounds()).isEmpty()) {
            throw new InvalidInputException("--box " + spec.box() + " does not overlap mip 0's bounds " + layer.mip(0).bounds());
        }
        BigArraysContext ctx = layer.context();
        String infoGeneration = layer.infoGeneration();
        Options base = layer.options();
        // The new scales' chunks are written under the planned info; the stored one gets them last.
        BigArray root = layer.withInfo(plan.info()).withOptions(base.withProgress(ProgressListener.NONE));
        Compression compression = spec.compression() != null ? spec.compression() : detectCompression(root);
        DownsampleMethod method = spec.method() != null ? spec.method() : DownsampleMethod.defaultFor(plan.info().type());
        JobRecord job = JobRecord.begin(ctx.store(layer.uri()), "downsample", fields(plan, spec, compression, method, base, root), restart);
        Options opts = base.withProgress(ProgressListener.NONE).withCompression(compression).withReadModifyWrite(false);
        BigArray[] mips = new BigArray[plan.mips() + 1];
        for (int m = 0; m <= plan.mips(); m++) mips[m] = root.mip(m).withOptions(opts);
        Builder b = new Builder(mips, plan.factors(), method, spec, base.fillPattern(root.dataType()), base.progress(), job);
        long t1 = System.nanoTime();
        b.run();
        long t2 = System.nanoTime();
        if (plan.added() > 0) {
            root.publish(infoGeneration);
            LOG.debug("{}: added {} scale(s) to the info", layer.uri(), plan.added());
        }
        job.finish();
        LOG.debug("{}: planned and recorded the job in {} ms, passes {} ms, published and finished in {} ms", layer.uri(),
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        return new Result(plan.info(), plan.added(), b.written.get(), b.passes, Downsampler.get().kernelName());
    }

    /** What decides a build's output: a rerun with other values is another job. */
    private static java.util.Map<String, String> fields(Plan plan, PyramidSpec spec, Compression compression, DownsampleMethod method,
                                                         Options base, BigArray root) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("mips", Integer.toString(plan.mips()));
        f.put("factors", Arrays.deepToString(Arrays.copyOfRange(plan.factors(), 1, plan.factors().length)));
        f.put("method", method.toString());
        f.put("sparse", Boolean.toString(spec.sparse()));
        f.put("box", String.valueOf(spec.box()));
        f.put("compression", compression.toString().toLowerCase(java.util.Locale.ROOT));
        f.put("fill", Long.toString(base.fillPattern(root.dataType())));
        f.put("info", plan.info().toJson());
        JobRecord.putZstdLevel(f, base);
        return f;
    }

    /**
     * The info a build of {@code spec} leads to and each step's factor, without touching storage.
     * @throws InvalidInputException when an existing scale's geometry does not match, naming it
     */
    public static Plan plan(Info info, PyramidSpec spec) {
        List<Scale> scales = new ArrayList<>(info.scales());
        int n = spec.mips();
        if (n == 0) n = scales.size() > 1 ? scales.size() - 1 : defaultMips(scales.getFirst(), spec);
        long[][] factors = new long[n + 1][];
        int added = 0;
        Scale prev = scales.getFirst();
        for (int k = 1; k <= n; k++) {
            if (k < scales.size()) {
                Scale have = scales.get(k);
                long[] f = spec.factor() != null ? spec.factor() : ScaleGeometry.factorBetween(prev, have);
                if (f == null) {
                    throw new InvalidInputException("scale '" + have.key() + "' (mip " + k + "): resolution " + Arrays.toString(have.resolution())
                            + " is not an integer multiple of mip " + (k - 1) + "'s " + Arrays.toString(prev.resolution()));
                }
                String why = ScaleGeometry.mismatch(ScaleGeometry.downsampled(prev, f, null), have);
                if (why != null) {
                    throw new InvalidInputException("scale '" + have.key() + "' (mip " + k + ") does not match mip " + (k - 1)
                            + " downsampled by " + Arrays.toString(f) + ": " + why);
                }
                factors[k] = f;
                prev = have;
            } else {
                long[] f = spec.factor() != null ? spec.factor() : ScaleGeometry.defaultFactor(prev.resolution());
                Scale s = ScaleGeometry.downsampled(prev, f, spec.chunk() != null ? spec.chunk() : scales.getFirst().chunkSize());
                for (Scale other : scales) {
                    if (other.key().equals(s.key())) {
                        throw new InvalidInputException("new mip " + k + " would use key '" + s.key() + "', which scale " + scales.indexOf(other) + " already has");
                    }
                }
                if (scales.getFirst().isSharded()) {
                    s = s.withSharding(ShardingPlanner.forImage(s.size(), s.chunkSize(), (long) info.dataType().size() * info.numChannels()));
                }
                scales.add(s);
                factors[k] = f;
                prev = s;
                added++;
            }
        }
        Info out = added == 0 ? info : Info.parse(info.withScales(scales).toJson(), "info with new scales");
        return new Plan(out, factors, n, added);
    }

    /** Mips until x and y fit one chunk (at least 1). */
    private static int defaultMips(Scale s, PyramidSpec spec) {
        long[] chunk = spec.chunk() != null ? spec.chunk() : s.chunkSize();
        Scale cur = s;
        int n = 0;
        do {
            cur = ScaleGeometry.downsampled(cur, spec.factor() != null ? spec.factor() : ScaleGeometry.defaultFactor(cur.resolution()), chunk);
            n++;
        } while (n < 32 && (cur.size()[0] > chunk[0] || cur.size()[1] > chunk[1]));
        return n;
    }

    /**
     * The transport compression mip 0's chunks are stored with: the magic number of the first of
     * a few chunks found (a 4-byte range read, so mip 0's data is still read once), or gzip when
     * only CloudVolume's {@code <key>.gz} exists; none when nothing probed is stored or mip 0 is
     * sharded. New chunks of a pyramid keep it unless told otherwise.
     * @throws org.bigarrays.StorageException when the store fails while probing
     */
    public static Compression mip0Compression(BigArray layer) {
        return detectCompression(layer.mip(0));
    }

    /** As {@link #mip0Compression}, of {@code base}'s own scale. */
    private static Compression detectCompression(BigArray base) {
        // A sharded scale's chunks carry the spec's data_encoding, which its writer applies itself.
        if (base.sharding() != null) return Compression.NONE;
        Compression c = base.storedCompression();
        return c != null ? c : Compression.NONE;
    }

    /** One build: the passes and their tasks. */
    private static final class Builder {
        private final BigArray[] mips;
        private final long[][] factors;
        private final DownsampleMethod method;
        private final PyramidSpec spec;
        private final long fill;
        private final ProgressListener progress;
        private final JobRecord job;
        private final Downsampler ds = Downsampler.get();
        final AtomicLong written = new AtomicLong();
        private long total;
        int passes;
        private volatile StoredSkip skip = StoredSkip.none(); // the current pass's listings
        private volatile Held held; // the previous pass's top mip, when kept in memory: the current pass's input

        Builder(BigArray[] mips, long[][] factors, DownsampleMethod method, PyramidSpec spec, long fill, ProgressListener progress, JobRecord job) {
            this.job = job;
            this.mips = mips;
            this.factors = factors;
            this.method = method;
            this.spec = spec;
            this.fill = fill;
            this.progress = progress;
        }

        private Box bounds(int m) {
            return mips[m].bounds();
        }

        private boolean sharded(int m) {
            return mips[m].chunks().groupsChunks();
        }

        void run() {
            int n = mips.length - 1;
            // Tasks' writes in flight, across passes: a pass that reads its input from memory
            // starts while the previous pass's last writes go on. Closed after every write ended
            // (also on failure: none is cut off halfway).
            try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
                try {
                    if (spec.box() != null) {
                        runBox(n, writers);
                    } else {
                        runAll(n, writers);
                    }
                    drainWrites();
                } finally {
                    held = null;
                }
            }
        }

        private void runAll(int n, ExecutorService writers) {
            for (int m = 1; m <= n; m++) total += mips[m].grid().allCells().count();
            int b = 0;
            while (b < n) {
                passes++;
                if (sharded(b + 1)) {
                    shardedPass(b);
                    b++;
                    continue;
                }
                int k = b + 1;
                // A sparse mip b goes one mip per pass in small tasks, so that empty ones are skipped (StoredSkip).
                // A mip b held in memory is not listed: its last writes may still be going on.
                boolean sparse = held == null && StoredSkip.sparse(mips[b], mips[b].options().storeFillChunks(), fill);
                while (!sparse && k < n && !sharded(k + 1) && nests(b, k + 1) && baseBytesPerTopChunk(b, k + 1) <= spec.taskBytes()) k++;
                // The next pass starts from mip k: kept in memory when small, it is not read back from the store.
                Held keep = k < n && !sharded(k + 1) ? Held.allocate(mips[k], bounds(k), heldBytes(), fill) : null;
                pass(b, k, bounds(k), keep, writers);
                held = keep != null && keep.complete ? keep : null;
                // A next pass that reads mip k from the store (or a sharded one) needs all of it stored first.
                if (held == null) drainWrites();
                b = k;
            }
        }

        /** The most bytes of a pass's top mip kept in memory for the next pass. */
        private long heldBytes() {
            return spec.taskBytes() / 4;
        }

        /** Partial update: mip by mip, the chunks that depend on the changed mip-0 box. */
        private void runBox(int n, ExecutorService writers) {
            Box x = spec.box().intersect(bounds(0));
            if (x.isEmpty()) throw new InvalidInputException("--box " + spec.box() + " does not overlap mip 0's bounds " + bounds(0));
            Box[] regions = new Box[n + 1];
            for (int m = 1; m <= n; m++) {
                x = Downsampler.outputBox(x, factors[m]).intersect(bounds(m));
                regions[m] = mips[m].grid().alignOutward(x);
                total += mips[m].grid().cellRange(regions[m]).count();
            }
            for (int m = 1; m <= n; m++) {
                passes++;
                pass(m - 1, m, regions[m], null, writers);
                drainWrites(); // the next mip reads this one from the store
            }
        }

        /** Whether mip j's chunk faces are images of mip k's for every j strictly between b and k. */
        private boolean nests(int b, int k) {
            long[] ck = mips[k].chunkShape(), ok = bounds(k).min();
            long[] f = {1, 1, 1};
            for (int j = k - 1; j > b; j--) {
                for (int d = 0; d < 3; d++) f[d] *= factors[j + 1][d];
                long[] cj = mips[j].chunkShape(), oj = bounds(j).min();
                for (int d = 0; d < 3; d++) {
                    if (Math.floorMod(ok[d] * f[d] - oj[d], cj[d]) != 0 || Math.floorMod(ck[d] * f[d], cj[d]) != 0) return false;
                }
            }
            return true;
        }

        /** Bytes of mip b under one chunk of mip k (clipped to mip b's size). */
        private long baseBytesPerTopChunk(int b, int k) {
            long[] c = mips[k].chunkShape();
            long bytes = (long) mips[b].dataType().size() * mips[b].channels();
            long[] size = bounds(b).shape();
            for (int d = 0; d < 3; d++) {
                long f = 1;
                for (int j = b + 1; j <= k; j++) f = Math.multiplyExact(f, factors[j][d]);
                bytes = Math.multiplyExact(bytes, Math.min(size[d], Math.multiplyExact(c[d], f)));
            }
            return bytes;
        }

        /**
         * Mips b+1..k over {@code region} of mip k (chunk-aligned), one task per group of mip-k
         * chunks; {@code keep}, when not null, receives mip k over the whole pass. Returns with the
         * last tasks' writes still in flight on {@code writers} ({@link #drainWrites} waits for them).
         */
        private void pass(int b, int k, Box region, Held keep, ExecutorService writers) {
            ChunkGrid gk = mips[k].grid();
            long perTask = Math.max(1, spec.taskBytes() / Math.max(1, baseBytesPerTopChunk(b, k)));
            long t0 = System.nanoTime();
            // Mip b, when read from memory, is not listed (its last writes may still be going on), so
            // no task is skipped for what it reads there; the mips it writes are listed as always.
            skip = StoredSkip.of(mips, held != null ? b + 1 : b, k, mips[k].options().storeFillChunks(), fill);
            long listed = (System.nanoTime() - t0) / 1_000_000;
            if (k == b + 1 && held == null && StoredSkip.sparse(mips[b], mips[k].options().storeFillChunks(), fill)) perTask = 1; // one chunk a task: most are skipped
            Iterator<CellRange> groups = gk.cellRange(region).split(perTask);
            LOG.debug("pass: mips {}..{} over {} ({} chunk(s) of mip {} per task{}{}; listed in {} ms)", b + 1, k, region, perTask, k,
                    held != null ? ", mip " + b + " from memory" : "", keep != null ? ", mip " + k + " kept in memory" : "", listed);
            // A task's writes go on while the next task reads and computes (its outputs are 1/8 to
            // 1/4 of its input per step, so this holds little memory): the pass waits for a task's
            // writes only once more than parallelTasks tasks have writes in flight.
            try (ExecutorService pool = Executors.newFixedThreadPool(spec.parallelTasks(), Thread.ofPlatform().daemon().name("pyramid-", 0).factory())) {
                List<Future<Writing>> running = new ArrayList<>();
                try {
                    while (groups.hasNext()) {
                        CellRange g = groups.next();
                        Box top = gk.cellBox(g.lo());
                        long[] last = g.hi().clone();
                        for (int d = 0; d < 3; d++) last[d]--;
                        Box topBox = Box.of(top.min(), gk.cellBox(last).max()).intersect(region);
                        // Named by the pass (mips b..k) and its mip-k box: a true statement whatever the task size of a rerun.
                        String name = "p" + b + "-" + JobRecord.task(k, topBox);
                        if (job.isDone(name)) {
                            if (keep != null) keep.complete = false; // done by an earlier run: its mip k is not in memory
                            skip(b, k, topBox);
                            continue;
                        }
                        running.add(pool.submit(() -> task(b, k, topBox, name, writers, keep)));
                        // Bounded: never more queued than twice the workers (each holds a task's memory while running only).
                        if (running.size() >= 2 * spec.parallelTasks()) queueWrites(waitFirst(running));
                    }
                    while (!running.isEmpty()) queueWrites(waitFirst(running));
                } catch (RuntimeException | Error e) {
                    running.forEach(f -> f.cancel(true));
                    throw e; // closing the writers' executor (run) waits for the writes already started: none is cut off halfway
                }
            }
        }

        /** A task's writes, in flight; marked done in the job once all of them are stored. */
        private record Writing(String name, List<Future<?>> writes) {}

        /** Tasks whose writes are in flight, oldest first (the builder's thread only). */
        private final ArrayDeque<Writing> writing = new ArrayDeque<>();

        private void queueWrites(Writing w) {
            if (w == null) return; // nothing stored under the task: nothing written, no marker
            writing.addLast(w);
            while (writing.size() > spec.parallelTasks()) finish(writing.removeFirst());
        }

        /** Waits for every task's writes, oldest first, marking each task done in the job. */
        private void drainWrites() {
            while (!writing.isEmpty()) finish(writing.removeFirst());
        }

        private void finish(Writing w) {
            RuntimeException failed = null;
            for (Future<?> f : w.writes()) failed = waitFor(f, failed);
            if (failed != null) throw failed;
            job.markDone(w.name());
        }

        private static <T> T waitFirst(List<Future<T>> running) {
            try {
                return running.removeFirst().get();
            } catch (ExecutionException e) {
                running.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while building the pyramid", e);
            }
        }

        /** Count a task an earlier run finished as written. */
        private void skip(int b, int k, Box topBox) {
            Box box = topBox;
            long cells = 0;
            for (int j = k; j > b; j--) {
                cells += mips[j].grid().cellRange(box).count();
                box = Downsampler.inputBox(box, factors[j], bounds(j - 1));
            }
            progress.update(written.addAndGet(cells), total);
        }

        /**
         * Read mip b under {@code topBox} once (from {@link #held} when the previous pass kept it),
         * compute mips b+1..k and start their writes on {@code writers}.
         * @return the writes in flight, or null when nothing is stored under the task (it writes
         *     nothing and needs no marker)
         */
        private Writing task(int b, int k, Box topBox, String name, ExecutorService writers, Held keep) {
            Box[] boxes = new Box[k + 1];
            boxes[k] = topBox;
            for (int j = k; j > b; j--) boxes[j - 1] = Downsampler.inputBox(boxes[j], factors[j], bounds(j - 1));
            if (nothingStored(b, k, boxes)) {
                for (int j = b + 1; j <= k; j++) progress.update(written.addAndGet(mips[j].grid().cellRange(boxes[j]).count()), total);
                return null;
            }
            long t0 = System.nanoTime();
            Held in = held;
            NdView cur = null;
            String from = "memory";
            if (in != null && in.covers(boxes[b])) {
                cur = in.view.subView(boxes[b]);
            } else if (chunkwise(b, boxes[b])) {
                from = "chunk by chunk, downsampled";
            } else {
                cur = skip.read(mips[b], b, boxes[b], fill);
                from = "store";
            }
            long tRead = System.nanoTime() - t0, tKernel = 0;
            // Each mip is written while the next is computed, and the mips' writes run side by side.
            List<Future<?>> writes = new ArrayList<>(k - b);
            boolean rmw = false;
            for (int j = b + 1; j <= k; j++) {
                long t1 = System.nanoTime();
                cur = cur == null ? readDownsampled(b, boxes[b]) : ds.downsample(cur, factors[j], method, spec.sparse(), fill);
                tKernel += System.nanoTime() - t1;
                NdView out = cur;
                int mip = j;
                rmw |= sharded(mip);
                writes.add(writers.submit(() -> {
                    if (sharded(mip)) {
                        mips[mip].withOptions(mips[mip].options().withReadModifyWrite(true)).write(out);
                    } else {
                        mips[mip].write(out);
                    }
                    progress.update(written.addAndGet(mips[mip].grid().cellRange(boxes[mip]).count()), total);
                }));
            }
            if (keep != null) keep.view.subView(boxes[k]).copyFrom(cur);
            if (rmw) {
                // A sharded mip is read-modified-written shard by shard: its writes end before the next task's start.
                RuntimeException failed = null;
                for (Future<?> w : writes) failed = waitFor(w, failed);
                if (failed != null) throw failed;
            }
            LOG.debug("task {} of mip {}: mip {} from {}: read {} ms, read and downsample {} ms", topBox, k, b, from, tRead / 1_000_000, tKernel / 1_000_000);
            return new Writing(name, writes);
        }

        /**
         * Whether mip b+1 over {@code box}'s output can be computed chunk by chunk of mip b: every
         * face between two of mip b's chunks inside the box is a face between blocks (so no block
         * spans two chunks), and the box holds more than one chunk.
         */
        private boolean chunkwise(int b, Box box) {
            ChunkGrid g = mips[b].grid();
            CellRange cells = g.cellRange(box);
            // A sharded mip is read by whole boxes: chunk by chunk would fetch its shards' indexes once per chunk.
            if (cells.count() < 2 || mips[b].chunks().groupsChunks()) return false;
            long[] f = factors[b + 1], c = g.chunkShape();
            // A worker's buffer holds one chunk in a Java array.
            if ((double) c[0] * c[1] * c[2] * mips[b].channels() * mips[b].dataType().size() > (Integer.MAX_VALUE - 8L) * Long.BYTES) return false;
            long[] origin = bounds(b).min();
            for (int d = 0; d < 3; d++) {
                if (cells.hi()[d] - cells.lo()[d] > 1 && (c[d] % f[d] != 0 || Math.floorMod(origin[d], f[d]) != 0)) return false;
            }
            return true;
        }

        /**
         * Mip b+1 over the output of {@code box} (see {@link #chunkwise}), one chunk of mip b at a
         * time: each is fetched and decoded, and downsampled straight from the decoded chunk while
         * it is in cache, so mip b is never held whole and never copied (one pass over its memory
         * instead of three: a cutout assembled, then read back by the kernel). A chunk known not to
         * be stored is not read nor decoded: its blocks are the fill value, which a new array
         * already holds (listings are used only with fill 0, {@link StoredSkip#of}).
         */
        private NdView readDownsampled(int b, Box box) {
            BigArray a = mips[b];
            long[] f = factors[b + 1];
            ChunkGrid g = a.grid();
            List<long[]> cells = new ArrayList<>();
            List<Box> pieces = new ArrayList<>();
            g.cellRange(box).forEach(cell -> {
                Box piece = g.cellBox(cell).intersect(box);
                if (!skip.nothingStored(b, piece)) {
                    cells.add(cell.clone());
                    pieces.add(piece);
                }
            });
            Box ob = Downsampler.outputBox(box, f);
            int es = a.dataType().size(), ch = a.channels();
            NdView out = heapView(a, ob, es, ch);
            long[] c = g.chunkShape();
            long inBytes = c[0] * c[1] * c[2] * ch * (long) es;
            // The largest piece's output, not ceil(chunk / factor): along an axis the box holds one
            // chunk of, a piece off the factor grid covers one output voxel more (chunkwise allows it).
            long outBytes = pieces.stream().map(p -> Downsampler.outputBox(p, f))
                    .mapToLong(po -> po.size(0) * po.size(1) * po.size(2) * ch * (long) es).max().orElse(0);
            // As many chunks in flight as a read of the box would fetch at once (object stores need them),
            // within a quarter of the task budget for the workers' decoded chunks.
            long cap = Math.max(1, spec.taskBytes() / 4 / (inBytes + outBytes));
            int workers = (int) Math.min(pieces.size(), Math.min(cap, a.options().ioConcurrency()));
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            ScaleChunkStore store = a.chunks();
            IoBudget budget = a.context().ioBudget();
            // Virtual threads: a worker waits on the store as often as it computes.
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>(workers);
                for (int w = 0; w < workers; w++) {
                    done.add(ex.submit(() -> {
                        MemorySegment outBuf = MemorySegment.ofArray(new long[(int) Math.ceilDiv(outBytes, Long.BYTES)]);
                        MemorySegment[] inBuf = {null}; // only for a chunk that must be copied first (rare)
                        for (int i = next.getAndIncrement(); i < pieces.size(); i = next.getAndIncrement()) {
                            long[] cell = cells.get(i);
                            Box piece = pieces.get(i), po = Downsampler.outputBox(piece, f);
                            NdView pout = dense(outBuf, a, po, ch);
                            ReadResult stored = budget.call(store.layout(cell).byteSize(), () -> store.fetch(cell));
                            try (DecodedChunk chunk = store.decode(cell, stored)) {
                                ds.downsample(decodedPiece(chunk, cell, piece, a, ch, inBytes, inBuf), pout, f, method, spec.sparse(), fill, false);
                            }
                            out.subView(po).copyFrom(pout);
                        }
                    }));
                }
                RuntimeException failed = null;
                for (Future<?> d : done) failed = waitFor(d, failed);
                if (failed != null) throw failed;
            }
            return out;
        }

        /**
         * {@code piece} of a decoded chunk as the kernel's input: a view of the decoded memory
         * itself when the piece is the whole chunk and its elements are aligned; otherwise (a piece
         * of the chunk, stored bytes at an odd address, a chunk not stored: the fill value) a
         * dense copy in the worker's buffer {@code inBuf[0]}, allocated on first use.
         */
        private NdView decodedPiece(DecodedChunk chunk, long[] cell, Box piece, BigArray a, int ch,
                                    long inBytes, MemorySegment[] inBuf) {
            int es = a.dataType().size();
            Box chunkBox = a.chunks().chunkBox(cell);
            if (chunk.found()) {
                NdView whole = NdView.wrap(chunk.data(), a.dataType(), new long[] {chunkBox.min(0), chunkBox.min(1), chunkBox.min(2), 0},
                        chunk.layout().shape4());
                if (piece.equals(chunkBox) && chunk.data().address() % es == 0) return whole;
                if (inBuf[0] == null) inBuf[0] = MemorySegment.ofArray(new long[(int) Math.ceilDiv(inBytes, Long.BYTES)]);
                NdView pin = dense(inBuf[0], a, piece, ch);
                pin.copyFrom(whole.subView(piece));
                return pin;
            }
            if (inBuf[0] == null) inBuf[0] = MemorySegment.ofArray(new long[(int) Math.ceilDiv(inBytes, Long.BYTES)]);
            NdView pin = dense(inBuf[0], a, piece, ch);
            if (a.options().strict()) throw new MissingChunkException(a.chunks().store().uri(), a.chunks().key(cell), piece.toString());
            pin.fillBits(fill);
            return pin;
        }

        /** A dense view of {@code box} (all channels) at the start of {@code buf}. */
        private static NdView dense(MemorySegment buf, BigArray a, Box box, int ch) {
            long bytes = box.size(0) * box.size(1) * box.size(2) * ch * (long) a.dataType().size();
            return NdView.wrap(buf.asSlice(0, bytes), a.dataType(), new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {box.size(0), box.size(1), box.size(2), ch});
        }

        /** New zeroed heap memory for {@code box} of {@code a}'s type and channels. */
        private static NdView heapView(BigArray a, Box box, int es, int ch) {
            long bytes = box.size(0) * box.size(1) * box.size(2) * ch * (long) es;
            MemorySegment seg = bytes <= (Integer.MAX_VALUE - 8L) * Long.BYTES
                    ? MemorySegment.ofArray(new long[(int) Math.ceilDiv(bytes, Long.BYTES)]).asSlice(0, bytes)
                    : java.lang.foreign.Arena.ofAuto().allocate(bytes, 8);
            return NdView.wrap(seg, a.dataType(), new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), ch});
        }

        /**
         * Waits for one of a task's writes (the others are left to finish: none is cut off halfway);
         * returns the first failure so far.
         */
        private static RuntimeException waitFor(Future<?> w, RuntimeException failed) {
            try {
                w.get();
                return failed;
            } catch (ExecutionException e) {
                if (failed != null) return failed;
                if (e.getCause() instanceof RuntimeException r) return r;
                if (e.getCause() instanceof Error err) throw err;
                return new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing the pyramid", e);
            }
        }

        /**
         * Whether the task over {@code boxes} would only write fill: nothing stored under its
         * mip-b box, and nothing stored under its outputs that it would have to replace.
         */
        private boolean nothingStored(int b, int k, Box[] boxes) {
            for (int j = b; j <= k; j++) if (!skip.nothingStored(j, boxes[j])) return false;
            return true;
        }

        /** A sharded mip b+1, every shard written once, each chunk computed from mip b. */
        private void shardedPass(int b) {
            BigArray out = mips[b + 1];
            // Resumed as a whole (each shard is written once, from every chunk of the mip below).
            String name = "s" + b + "-" + JobRecord.task(b + 1, out.bounds());
            if (job.isDone(name)) {
                progress.update(written.addAndGet(out.grid().allCells().count()), total);
                return;
            }
            long[] f = factors[b + 1];
            long before = written.get();
            out.writer().writeAll((chunkBox, into) -> {
                NdView in = mips[b].read(Downsampler.inputBox(chunkBox, f, bounds(b)));
                ds.downsample(in, into, f, method, spec.sparse(), fill);
            }, (done, all) -> {
                written.set(before + done);
                progress.update(before + done, total);
            }, fill, out.options().storeFillChunks());
            job.markDone(name);
        }
    }

    /**
     * A pass's top mip kept in memory (dense, heap) for the next pass, which reads it instead of
     * the store. Filled with the fill value first: a task skipped because nothing is stored under
     * it writes nothing, and its part reads back as fill from the store too.
     */
    private static final class Held {
        final NdView view;
        volatile boolean complete = true; // false when a task of the pass did not run (done by an earlier run)

        private Held(NdView view) {
            this.view = view;
        }

        /** Room for {@code a} over {@code box}, or null when over {@code maxBytes} or a Java array's size. */
        static Held allocate(BigArray a, Box box, long maxBytes, long fillBits) {
            long bytes = (long) a.dataType().size() * a.channels();
            for (int d = 0; d < 3; d++) bytes = Math.multiplyExact(bytes, box.size(d));
            if (bytes > maxBytes || bytes > (Integer.MAX_VALUE - 8L) * Long.BYTES) return null;
            NdView v = NdView.wrap(MemorySegment.ofArray(new long[(int) Math.ceilDiv(bytes, Long.BYTES)]).asSlice(0, bytes), a.dataType(),
                    new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), a.channels()});
            if (fillBits != 0) v.fillBits(fillBits); // a new Java array is zeroed
            return new Held(v);
        }

        boolean covers(Box box) {
            return view.box().contains(Box.of(new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {box.max(0), box.max(1), box.max(2), view.shape()[3]}));
        }
    }
}
