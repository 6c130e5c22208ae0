package org.bigarrays.array;

import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.ScratchPool;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.ScaleDriver;

/**
 * Rewrites a layer with another encoding and/or transport compression, chunk by chunk: each
 * stored chunk of every scale is fetched, decoded, encoded again and stored under the same key
 * in the destination. Chunk shapes stay the same, and chunks missing in the source stay
 * missing. Chunks are processed in parallel on {@code options.cpuThreads()} threads; progress
 * goes to {@code options.progress()}. The CLI's {@code transcode} command calls this.
 */
public final class Transcode {
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
     * Transcode, optionally (re)sharding: {@code sharding} is the destination's sharding spec
     * JSON for every scale (null keeps each scale's own). When either side is sharded the copy
     * goes through {@link BigArray#read}/{@link BigArray#write} by destination-shard-aligned boxes
     * (whole shards are written once each), else chunk by chunk without re-decoding boxes.
     */
    public static Result run(String srcUrl, String dstUrl, EncodingSpec target, com.fasterxml.jackson.databind.JsonNode sharding,
                             Options options) {
        try (BigArray src = BigArray.open(srcUrl, options)) {
            Info info = src.info();
            Info dstInfo = target == null ? info : target.applyTo(info);
            if (sharding != null) {
                List<org.bigarrays.precomputed.Scale> scales = new ArrayList<>();
                for (var s : dstInfo.scales()) scales.add(s.withChunkSize(s.chunkSize()).withSharding(sharding.isNull() ? null : sharding));
                dstInfo = dstInfo.withScales(scales);
            }
            try (BigArray dst = BigArray.create(dstUrl, dstInfo, options)) {
                boolean anySharded = info.scales().stream().anyMatch(s -> s.isSharded())
                        || dstInfo.scales().stream().anyMatch(s -> s.isSharded());
                if (anySharded) return copyByBoxes(src, dst, options);
                List<ScaleDriver[]> pairs = new ArrayList<>();
                List<Box> boxes = new ArrayList<>();
                List<Integer> scaleOf = new ArrayList<>();
                for (int m = 0; m < info.scales().size(); m++) {
                    ScaleDriver in = src.mip(m).driver(), out = dst.mip(m).driver();
                    pairs.add(new ScaleDriver[] {in, out});
                    ChunkGrid g = in.grid();
                    long[] shape = g.gridShape();
                    for (long z = 0; z < shape[2]; z++) for (long y = 0; y < shape[1]; y++) for (long x = 0; x < shape[0]; x++) {
                        boxes.add(g.cellBox(new long[] {x, y, z}));
                        scaleOf.add(m);
                    }
                }
                return copyAll(pairs, boxes, scaleOf, options);
            }
        }
    }

    /**
     * Copy every scale by boxes aligned to the destination's shards (or chunks, in slabs of about
     * 64 MiB, when unsharded). Missing source chunks are read as the fill value and written.
     */
    private static Result copyByBoxes(BigArray src, BigArray dst, Options options) {
        long boxes = 0;
        long bytes = 0;
        long chunks = 0;
        List<List<Box>> plan = new ArrayList<>();
        for (int m = 0; m < src.info().scales().size(); m++) {
            ChunkGrid g = dst.mip(m).grid();
            long[] step = stepOf(dst.mip(m), g);
            List<Box> l = new ArrayList<>();
            Box vol = g.volume();
            for (long z = vol.min(2); z < vol.max(2); z += step[2]) {
                for (long y = vol.min(1); y < vol.max(1); y += step[1]) {
                    for (long x = vol.min(0); x < vol.max(0); x += step[0]) {
                        l.add(Box.of(new long[] {x, y, z}, new long[] {x + step[0], y + step[1], z + step[2]}).intersect(vol));
                    }
                }
            }
            plan.add(l);
            boxes += l.size();
        }
        long done = 0;
        Options quiet = options.withProgress(ProgressListener.NONE);
        for (int m = 0; m < plan.size(); m++) {
            BigArray s = src.mip(m).withOptions(quiet.withStrict(false));
            BigArray d = dst.mip(m).withOptions(quiet);
            for (Box b : plan.get(m)) {
                NdView v = s.read(b);
                d.write(v);
                chunks += org.bigarrays.chunk.CopyPlan.of(d.grid(), b).size();
                bytes += v.byteSize();
                options.progress().update(++done, boxes);
            }
        }
        return new Result(chunks, 0, bytes, bytes);
    }

    /** Box shape in voxels: one destination shard when shards are spatial blocks, else ~64 MiB slabs of chunks. */
    private static long[] stepOf(BigArray d, ChunkGrid g) {
        long[] chunk = g.chunkShape();
        long[] vol = g.volume().shape();
        if (d.driver().isSharded()) {
            long[] inChunks = d.driver().sharded().spec().shardShapeInChunks(g.gridShape());
            if (inChunks == null) return vol; // hashed shards: only the whole volume covers whole shards
            return new long[] {inChunks[0] * chunk[0], inChunks[1] * chunk[1], inChunks[2] * chunk[2]};
        }
        long chunkBytes = chunk[0] * chunk[1] * chunk[2] * (long) d.channels() * d.dataType().size();
        long zChunks = Math.max(1, (64L << 20) / Math.max(1, chunkBytes * g.gridShape()[0] * g.gridShape()[1]));
        return new long[] {vol[0], vol[1], zChunks * chunk[2]};
    }

    private static Result copyAll(List<ScaleDriver[]> pairs, List<Box> boxes, List<Integer> scaleOf, Options options) {
        int threads = Math.max(1, options.cpuThreads());
        ScratchPool pool = new ScratchPool(4 * threads);
        AtomicLong written = new AtomicLong(), missing = new AtomicLong(), in = new AtomicLong(), out = new AtomicLong(), done = new AtomicLong();
        long total = boxes.size();
        ExecutorService exec = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("transcode-", 0).factory());
        try {
            List<Future<?>> futures = new ArrayList<>(boxes.size());
            for (int i = 0; i < boxes.size(); i++) {
                ScaleDriver[] p = pairs.get(scaleOf.get(i));
                Box box = boxes.get(i);
                futures.add(exec.submit(() -> {
                    ReadResult r = p[0].fetch(box);
                    if (!r.found()) {
                        missing.incrementAndGet();
                    } else {
                        in.addAndGet(r.bytes().byteSize());
                        MemorySegment chunk = p[0].decode(r, box, pool);
                        try {
                            MemorySegment enc = p[1].encode(chunk, box, options.compression());
                            p[1].store(box, enc, options.compression());
                            out.addAndGet(enc.byteSize());
                            written.incrementAndGet();
                        } finally {
                            if (p[0].isBorrowed(chunk, r)) pool.giveBack(chunk);
                        }
                    }
                    options.progress().update(done.incrementAndGet(), total);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof BigArraysException b) throw b;
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException("transcode failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("transcode interrupted", e);
                }
            }
        } finally {
            exec.shutdownNow();
        }
        return new Result(written.get(), missing.get(), in.get(), out.get());
    }
}
