package org.bigarrays.array;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.chunk.ChunkExecutor;
import org.bigarrays.chunk.ChunkWriter;
import org.bigarrays.core.Box;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Rewrites a layer with another encoding and/or transport compression, chunk by chunk: each
 * stored chunk of every scale is fetched, decoded, encoded again and stored under the same key
 * in the destination. Chunk shapes stay the same, and chunks missing in the source stay
 * missing. Chunks are processed concurrently by the destination's {@link ChunkWriter}, a
 * bounded number at a time; progress goes to {@code options.progress()}. The CLI's {@code transcode} command calls this.
 */
public final class Transcode {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Transcode.class);
    private Transcode() {}

    /** What a transcode did. */
    public record Result(long chunksWritten, long chunksMissing, long bytesRead, long bytesWritten) {}

    /**
     * Transcode the layer at {@code srcUrl} into a new layer at {@code dstUrl}.
     * @param target the destination encoding; null keeps each scale's encoding (compression only)
     * @param options compression for written chunks, threads, progress
     * @throws InvalidInputException if the destination exists, or the encoding cannot store the data
     */
    public static Result run(String srcUrl, String dstUrl, EncodingSpec target, Options options) {
        return run(srcUrl, dstUrl, target, null, options);
    }

    /**
     * Transcode, optionally (re)sharding: {@code sharding} null keeps each scale's own sharding,
     * an empty Optional unshards every scale, a spec shards every scale by it. When either side is sharded the copy
     * goes through {@link BigArray#read}/{@link BigArray#write} by destination-shard-aligned boxes
     * (whole shards are written once each), else chunk by chunk without re-decoding boxes.
     */
    public static Result run(String srcUrl, String dstUrl, EncodingSpec target, java.util.Optional<org.bigarrays.sharding.ShardingSpec> sharding,
                             Options options) {
        return run(srcUrl, dstUrl, target, sharding, options, false);
    }

    /**
     * Transcode as above, resumably: the job is recorded in the destination ({@link JobRecord}),
     * a rerun with the same source and options skips what an interrupted run finished, and the
     * destination's info is written last, once every chunk is stored.
     * @param restart discard a recorded job with other settings instead of refusing
     * @throws InvalidInputException before anything is written, if the destination holds a layer
     *     or another job, or the target encoding or sharding does not fit the source
     */
    public static Result run(String srcUrl, String dstUrl, EncodingSpec target, java.util.Optional<org.bigarrays.sharding.ShardingSpec> sharding,
                             Options options, boolean restart) {
        try (BigArraysContext ctx = BigArraysContext.create()) {
            BigArray src = BigArray.open(srcUrl, options.withFormat(null), ctx); // the format is the destination's; the source's is detected
            Info info = src.info();
            Info dstInfo = targetInfo(info, target, sharding);
            JobRecord job = JobRecord.beginNewLayer(ctx.store(org.bigarrays.kvstore.KeyValueStores.toUri(dstUrl)), "transcode", fields(src, dstInfo, options), restart);
            BigArray dst = BigArray.staged(dstUrl, dstInfo, options, ctx);
            dstInfo.scales().forEach(org.bigarrays.precomputed.ChunkCodec::warnIfNotViewable);
            dst.warnIfNotViewable(options.compression());
            Result r = byBoxes(info, dstInfo) ? copyByBoxes(src, dst, options, job) : copyChunks(src, dst, options, job);
            dst.publish(org.bigarrays.kvstore.Generation.NO_VALUE);
            job.finish();
            return r;
        }
    }

    /** What decides a transcode's output: a rerun with other values is another job. */
    private static java.util.Map<String, String> fields(BigArray src, Info dstInfo, Options options) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("source", src.uri().toString());
        f.put("source info", src.info().toJson());
        f.put("compression", options.compression().toString().toLowerCase(java.util.Locale.ROOT));
        f.put("info", dstInfo.toJson());
        JobRecord.putZstdLevel(f, options);
        return f;
    }

    /**
     * The destination's info: {@code info} with the {@code target} encoding (null keeps each
     * scale's) and sharding ({@code null} keeps each scale's own, empty unshards, a spec shards every scale).
     */
    public static Info targetInfo(Info info, EncodingSpec target, java.util.Optional<org.bigarrays.sharding.ShardingSpec> sharding) {
        Info dstInfo = target == null ? info : target.applyTo(info);
        if (sharding != null) {
            List<org.bigarrays.precomputed.Scale> scales = new ArrayList<>();
            for (var s : dstInfo.scales()) scales.add(s.withChunkSize(s.chunkSize()).withSharding(sharding.orElse(null)));
            dstInfo = dstInfo.withScales(scales);
        }
        return dstInfo;
    }

    /** Whether a transcode between these infos goes by boxes (either side sharded) rather than chunk by chunk. */
    private static boolean byBoxes(Info src, Info dst) {
        return src.scales().stream().anyMatch(s -> s.isSharded()) || dst.scales().stream().anyMatch(s -> s.isSharded());
    }

    /**
     * Transcode one destination-aligned {@code box} of one scale, as {@link #run} does it: chunk by
     * chunk (missing chunks stay missing) when neither layer is sharded, else by reading the box
     * (missing chunks read as the fill value) and writing it. For workers that split a transcode
     * (Spark): boxes that are chunk- (or shard-) aligned in {@code dst} never write the same key.
     * @param src the source at the box's scale
     * @param dst the destination at the same scale
     * @return bytes written (chunk copy) or voxel bytes copied (box copy)
     */
    public static long copyBox(BigArray src, BigArray dst, Box box, Options options) {
        if (byBoxes(src.info(), dst.info())) {
            NdView v = src.withOptions(options.withStrict(false).withProgress(ProgressListener.NONE)).read(box);
            dst.withOptions(options.withProgress(ProgressListener.NONE)).write(v);
            return v.byteSize();
        }
        ScaleChunkStore from = src.chunks();
        ChunkWriter to = dst.writer();
        long[] out = {0};
        from.grid().cellRange(box).forEach(cell -> {
            try (DecodedChunk c = from.decode(cell, from.fetch(cell))) { // decode owns the fetched bytes
                if (c.found()) out[0] += to.writeChunk(cell, c.data(), options.compression(), options.zstdLevel(), options.fillPattern(src.dataType()), options.storeFillChunks());
            }
        });
        return out[0];
    }

    /**
     * Copy every scale by boxes aligned to the destination's shards (or chunks, in slabs of about
     * 64 MiB, when unsharded); a destination with hashed shards is written shard by shard, each
     * chunk read from the source on its own. Memory stays bounded by a box or a few shards.
     * Missing source chunks are read as the fill value and written.
     */
    private static Result copyByBoxes(BigArray src, BigArray dst, Options options, JobRecord job) {
        long total = 0;
        for (int m = 0; m < src.info().scales().size(); m++) total += dst.mip(m).grid().allCells().count();
        AtomicLong chunks = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long before = 0;
        Options quiet = options.withProgress(ProgressListener.NONE);
        for (int m = 0; m < src.info().scales().size(); m++) {
            BigArray s = src.mip(m).withOptions(quiet.withStrict(false));
            BigArray d = dst.mip(m).withOptions(quiet);
            ChunkGrid g = d.grid();
            long base = before;
            long t = total;
            var shards = d.chunks().shards();
            String wholeScale = JobRecord.task(m, g.volume());
            if (shards != null && shards.shardShapeInChunks() == null && job.isDone(wholeScale)) {
                LOG.debug("scale {} finished by an earlier run", m);
            } else if (shards != null && shards.shardShapeInChunks() == null) {
                // Hashed shards are scattered over the volume: build each from its chunks (resumed
                // as a whole: one task for the scale).
                long chunkBytes = g.chunkShape()[0] * g.chunkShape()[1] * g.chunkShape()[2] * (long) d.channels() * d.dataType().size();
                d.writer().writeAll(s::read, (done, all) -> {
                    chunks.set(base + done);
                    options.progress().update(base + done, t);
                }, options.fillPattern(src.dataType()), options.storeFillChunks());
                bytes.addAndGet(g.allCells().count() * chunkBytes);
                job.markDone(wholeScale);
            } else {
                long[] step = stepOf(d, g);
                Box vol = g.volume();
                // The destination is new: a box with no stored source chunk would only write fill.
                StoredSkip skip = StoredSkip.of(new BigArray[] {s}, 0, 0, options.storeFillChunks(), options.fillPattern(s.dataType()));
                for (long z = vol.min(2); z < vol.max(2); z += step[2]) {
                    for (long y = vol.min(1); y < vol.max(1); y += step[1]) {
                        for (long x = vol.min(0); x < vol.max(0); x += step[0]) {
                            Box b = Box.of(new long[] {x, y, z}, new long[] {x + step[0], y + step[1], z + step[2]}).intersect(vol);
                            String task = JobRecord.task(m, b);
                            if (skip.nothingStored(0, b)) {
                                options.progress().update(chunks.addAndGet(g.cellRange(b).count()), total);
                                continue;
                            }
                            if (!job.isDone(task)) {
                                NdView v = s.read(b);
                                d.write(v);
                                bytes.addAndGet(v.byteSize());
                                job.markDone(task);
                            }
                            chunks.addAndGet(g.cellRange(b).count());
                            options.progress().update(chunks.get(), total);
                        }
                    }
                }
            }
            before += g.allCells().count();
            chunks.set(before);
        }
        return new Result(chunks.get(), 0, bytes.get(), bytes.get());
    }

    /** Box shape in voxels: one destination shard when shards are spatial blocks, else ~64 MiB slabs of chunks. */
    private static long[] stepOf(BigArray d, ChunkGrid g) {
        long[] chunk = g.chunkShape();
        long[] vol = g.volume().shape();
        long[] inChunks = d.chunks().unitShapeInChunks();
        if (inChunks != null) {
            return new long[] {inChunks[0] * chunk[0], inChunks[1] * chunk[1], inChunks[2] * chunk[2]};
        }
        long chunkBytes = chunk[0] * chunk[1] * chunk[2] * (long) d.channels() * d.dataType().size();
        long zChunks = Math.max(1, (64L << 20) / Math.max(1, chunkBytes * g.gridShape()[0] * g.gridShape()[1]));
        return new long[] {vol[0], vol[1], zChunks * chunk[2]};
    }

    /**
     * Copy every stored chunk of every scale without going through boxes: each is fetched,
     * decoded, encoded again and stored under the same cell of the destination by its writer.
     * Cells are planned as ranges; only the executor's tasks in flight hold chunks.
     */
    private static Result copyChunks(BigArray src, BigArray dst, Options options, JobRecord job) {
        AtomicLong written = new AtomicLong(), missing = new AtomicLong(), in = new AtomicLong(), out = new AtomicLong(), done = new AtomicLong();
        // Planning follows what is stored: one listing per scale, and only its chunks are copied.
        List<org.bigarrays.precomputed.StoredChunks> stored = new ArrayList<>();
        long total = 0;
        for (int m = 0; m < src.info().scales().size(); m++) {
            ScaleChunkStore s = src.mip(m).chunks();
            stored.add(s.stored());
            total += stored.getLast().count();
            missing.addAndGet(s.grid().allCells().count() - stored.getLast().count());
        }
        long all = total;
        long fill = options.fillPattern(src.dataType());
        ChunkExecutor executor = src.context().executor(options.cpuThreads(), options.ioConcurrency());
        for (int m = 0; m < src.info().scales().size(); m++) {
            ScaleChunkStore from = src.mip(m).chunks();
            ChunkWriter to = dst.mip(m).writer();
            ChunkGrid grid = from.grid();
            // Resumed by blocks of the chunk grid (at most 16 to 256 chunks, and GROUP_BYTES decoded): one
            // marker per block keeps the record's cost under 1% of the writes. Only stored chunks are
            // visited, grouped by block, so a sparse layer costs what it stores, whatever its grid.
            long chunkBytes = Math.max(1, grid.chunkShape()[0] * grid.chunkShape()[1] * grid.chunkShape()[2] * (long) src.channels() * src.dataType().size());
            long[] block = block(grid.gridShape(), Math.clamp(GROUP_BYTES / chunkBytes, 16, 256));
            java.util.Map<String, List<long[]>> blocks = new java.util.LinkedHashMap<>();
            int mip = m;
            stored.get(m).forEach(cell -> blocks.computeIfAbsent(blockName(mip, cell, block), k -> new ArrayList<>()).add(cell.clone()));
            for (var e : blocks.entrySet()) {
                if (job.isDone(e.getKey())) {
                    options.progress().update(done.addAndGet(e.getValue().size()), all);
                    continue;
                }
                copyCells(e.getValue().iterator(), from, to, executor, options, fill, all, written, missing, in, out, done);
                job.markDone(e.getKey());
            }
        }
        return new Result(written.get(), missing.get(), in.get(), out.get());
    }

    /** Decoded bytes of one resumable block of chunks in a chunk-by-chunk transcode. */
    private static final long GROUP_BYTES = 64L << 20;

    /** A block of at most {@code cells} grid cells, x first: whole rows where they fit. */
    private static long[] block(long[] grid, long cells) {
        long bx = Math.min(grid[0], cells);
        long by = Math.min(grid[1], Math.max(1, cells / bx));
        long bz = Math.min(grid[2], Math.max(1, cells / (bx * by)));
        return new long[] {bx, by, bz};
    }

    /** The job-record task of the block holding {@code cell}: {@code m<mip>_b<ix>_<iy>_<iz>}. */
    private static String blockName(int mip, long[] cell, long[] block) {
        return "m" + mip + "_b" + Math.floorDiv(cell[0], block[0]) + "_" + Math.floorDiv(cell[1], block[1]) + "_" + Math.floorDiv(cell[2], block[2]);
    }

    private static void copyCells(Iterator<long[]> cells, ScaleChunkStore from, ChunkWriter to, ChunkExecutor executor, Options options, long fill,
                                  long all, AtomicLong written, AtomicLong missing, AtomicLong in, AtomicLong out, AtomicLong done) {
        {
            executor.run(new Iterator<ChunkExecutor.ChunkTask<ReadResult, DecodedChunk>>() {
                @Override
                public boolean hasNext() {
                    return cells.hasNext();
                }

                @Override
                public ChunkExecutor.ChunkTask<ReadResult, DecodedChunk> next() {
                    long[] cell = cells.next();
                    return new ChunkExecutor.ChunkTask<>() {
                        @Override
                        public ReadResult fetch() {
                            return from.fetch(cell);
                        }

                        @Override
                        public DecodedChunk process(ReadResult r) {
                            if (r.found()) in.addAndGet(r.bytes().byteSize());
                            return from.decode(cell, r);
                        }

                        @Override
                        public void store(DecodedChunk c) {
                            try (c) {
                                if (c.found()) {
                                    out.addAndGet(to.writeChunk(cell, c.data(), options.compression(), options.zstdLevel(), fill, options.storeFillChunks()));
                                    written.incrementAndGet();
                                } else {
                                    missing.incrementAndGet();
                                }
                            }
                            options.progress().update(done.incrementAndGet(), all);
                        }
                    };
                }
            }, n -> {});
        }
    }
}
