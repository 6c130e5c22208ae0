package org.bigarrays.ingest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.array.ProgressListener;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;

/**
 * Writes a {@link VolumeSource} (an image stack, a mapped array) into a new layer, box by box
 * along the {@link IngestPlan}: while one box is stored by the layer's writer (chunks encoded
 * in parallel), the next box's slices are decoded in parallel on {@code cpuThreads} workers,
 * so decoding and encoding overlap and every core has work.
 *
 * <p>Memory is bounded whatever the stack size: two box buffers (off-heap, each at most the
 * plan's box budget, 256 MiB by default, or one chunk/shard when that is larger), plus one
 * decoded slice region per decoding worker (on the heap, at most a box's width × height) and
 * what ImageIO decodes to produce it (the strips or tiles the region touches), plus the chunks
 * the writer has in flight. TIFF pages in tall strips are streamed instead ({@link TiffStrips}:
 * a row, 64 KiB of input and an inflater per slice of the current z-slab), so a single-strip
 * page is never inflated whole nor more than once per slab.
 *
 * <p>Resumable: finished boxes are recorded in the layer ({@link IngestRecord}); a rerun with the
 * same source and options skips them. The CLI's {@code ingest} command calls this.
 */
public final class Ingest {
    private Ingest() {}

    /** What an ingest did: boxes written now, boxes an earlier run had finished, voxels written. */
    public record Result(long boxesWritten, long boxesSkipped, long voxelsWritten) {}

    /**
     * Ingest {@code source} into a new layer at {@code dstUrl} described by {@code info} (scale 0's
     * size and the channels must match the source; the data type may differ, values are then
     * converted and checked), or resume an unfinished ingest there.
     * @param sourceId the source's fingerprint, kept in the layer to recognise a rerun
     * @param options threads, transport compression and progress (counted in chunks)
     * @param boxBytes the box budget ({@link IngestPlan#DEFAULT_BOX_BYTES}); keep it the same across reruns
     * @throws InvalidInputException when the info does not fit the source, the destination
     *     holds something else, or a slice cannot be decoded (naming the file)
     */
    public static Result run(VolumeSource source, String sourceId, String dstUrl, Info info, Options options, long boxBytes) {
        return run(source, sourceId, dstUrl, info, options, boxBytes, false);
    }

    /**
     * As above; {@code restart} discards a recorded job with other settings instead of refusing.
     * The layer's info is written last, once every box is stored.
     */
    public static Result run(VolumeSource source, String sourceId, String dstUrl, Info info, Options options, long boxBytes, boolean restart) {
        checkFits(source, info);
        try (BigArraysContext ctx = BigArraysContext.create()) {
            ProgressListener progress = options.progress();
            JobRecord record = JobRecord.beginNewLayer(ctx.store(KeyValueStores.toUri(dstUrl)), "ingest", fields(sourceId, info, options), restart);
            BigArray dst = BigArray.staged(dstUrl, info, options.withProgress(ProgressListener.NONE), ctx);
            List<Box> boxes = IngestPlan.boxes(dst, boxBytes);
            long total = dst.grid().allCells().count();
            List<Box> todo = new ArrayList<>();
            long skippedChunks = 0;
            for (Box b : boxes) {
                if (record.isDone(JobRecord.task(0, b))) skippedChunks += dst.grid().cellRange(b).count();
                else todo.add(b);
            }
            long voxels = 0;
            if (!todo.isEmpty()) voxels = writeBoxes(source, dst, record, todo, options, skippedChunks, total);
            progress.update(total, total);
            dst.publish(Generation.NO_VALUE);
            record.finish();
            return new Result(todo.size(), boxes.size() - todo.size(), voxels);
        }
    }

    /** What decides an ingest's output: a rerun with other values is another job. */
    public static java.util.Map<String, String> fields(String sourceId, Info info, Options options) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("source", sourceId);
        f.put("compression", options.compression().toString().toLowerCase(java.util.Locale.ROOT));
        f.put("info", info.toJson());
        org.bigarrays.array.JobRecord.putZstdLevel(f, options);
        return f;
    }

    /** {@code info}'s scale 0 must have the source's size and channels. */
    static void checkFits(VolumeSource source, Info info) {
        long[] s = source.shape();
        long[] size = info.scale(0).size();
        if (size[0] != s[0] || size[1] != s[1] || size[2] != s[2] || info.numChannels() != s[3]) {
            throw new InvalidInputException("the layer's size " + Arrays.toString(size) + " x" + info.numChannels()
                    + " channel(s) does not match the source's " + Arrays.toString(new long[] {s[0], s[1], s[2]}) + " x" + s[3]);
        }
    }

    private static long writeBoxes(VolumeSource source, BigArray dst, JobRecord record, List<Box> todo, Options options,
                                   long skippedChunks, long total) {
        long maxBytes = 0;
        for (Box b : todo) maxBytes = Math.max(maxBytes, bytesOf(dst, b));
        long[] offset = dst.bounds().min();
        AtomicLong chunksDone = new AtomicLong(skippedChunks);
        long voxels = 0;
        ExecutorService decoders = Executors.newFixedThreadPool(options.cpuThreads(), daemon("bigarrays-ingest-decode"));
        ExecutorService reader = Executors.newSingleThreadExecutor(daemon("bigarrays-ingest-read"));
        CompletableFuture<NdView> next = null;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] buffers = {arena.allocate(Math.max(1, maxBytes), 64), arena.allocate(Math.max(1, maxBytes), 64)};
            next = readAsync(source, dst, todo.getFirst(), buffers[0], offset, decoders, reader);
            for (int i = 0; i < todo.size(); i++) {
                NdView view = await(next);
                next = i + 1 < todo.size() ? readAsync(source, dst, todo.get(i + 1), buffers[(i + 1) % 2], offset, decoders, reader) : null;
                Box box = todo.get(i);
                long base = chunksDone.get();
                dst.withOptions(options.withProgress((d, t) -> options.progress().update(base + d, total))).write(view);
                record.markDone(JobRecord.task(0, box));
                chunksDone.addAndGet(dst.grid().cellRange(box).count());
                options.progress().update(chunksDone.get(), total);
                voxels += box.volume();
            }
        } finally {
            // Let a read in flight finish before its buffer's arena is gone (its error, if any, is secondary).
            if (next != null) {
                try {
                    next.join();
                } catch (RuntimeException ignored) {
                    // the first failure is the one thrown
                }
            }
            reader.shutdownNow();
            decoders.shutdownNow();
        }
        return voxels;
    }

    private static CompletableFuture<NdView> readAsync(VolumeSource source, BigArray dst, Box box, MemorySegment buffer, long[] offset,
                                                       ExecutorService decoders, ExecutorService reader) {
        return CompletableFuture.supplyAsync(() -> {
            NdView view = NdView.wrap(buffer.asSlice(0, bytesOf(dst, box)), dst.dataType(),
                    new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), dst.channels()});
            source.read(box.translate(negate(offset)), view, decoders);
            return view;
        }, reader);
    }

    /** Read {@code box} (layer coordinates) of {@code source} for layer {@code dst} into new memory of {@code arena}: a Spark task's input. */
    public static NdView read(VolumeSource source, BigArray dst, Box box, Arena arena, ExecutorService decoders) {
        NdView view = NdView.allocate(arena, dst.dataType(), new long[] {box.min(0), box.min(1), box.min(2), 0},
                new long[] {box.size(0), box.size(1), box.size(2), dst.channels()});
        source.read(box.translate(negate(dst.bounds().min())), view, decoders);
        return view;
    }

    private static long bytesOf(BigArray dst, Box b) {
        return Math.multiplyExact(b.volume(), (long) dst.dataType().size() * dst.channels());
    }

    private static long[] negate(long[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = -v[i];
        return r;
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return Thread.ofPlatform().name(name + "-", 0).daemon(true).factory();
    }
}
