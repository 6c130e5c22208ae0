package org.bigarrays.chunk;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.function.Function;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.Kernels;

/** Sizes of the pieces a box is cut into, and the strided copies between chunks and arrays. */
final class Planning {
    /** Cells per batch-read unit (one batch per shard within it); bounds planning memory. */
    static final long SLAB_CELLS = 1 << 16;
    /** Tiny chunks are handled this many bytes' worth per task, so per-task costs do not dominate. */
    private static final long TASK_BYTES = 64 << 10;
    private static final long MAX_TASK_CELLS = 1024;

    private Planning() {}

    /**
     * Cells per task: one for ordinary chunks (as many tasks as chunks, so every fetch runs
     * concurrently); more for tiny chunks, but never so many that fewer tasks than workers remain.
     */
    static long cellsPerTask(ChunkGrid grid, int channels, int elemSize, long totalCells, int workers) {
        long[] c = grid.chunkShape();
        long chunkBytes = Math.max(1, c[0] * c[1] * c[2] * channels * (long) elemSize);
        long n = Math.clamp(TASK_BYTES / chunkBytes, 1, MAX_TASK_CELLS);
        return Math.max(1, Math.min(n, totalCells / (2L * workers)));
    }

    /** Decoded bytes a read task holds at most (unless one chunk is larger): a row of chunks, or part of one. */
    static final long READ_TASK_BYTES = 8L << 20;

    /**
     * Bytes a read task of raw chunks may hold, for rows of chunks of {@code rowBytes}:
     * {@link #READ_TASK_BYTES}, or the whole row where it is at most twice that. A row cut in two
     * tasks writes each output row in two parts, and the second part's short pieces go with
     * ordinary stores into lines the first streamed out (read back in): measured with `perf`
     * (uint8 512³ cutout, 128³ chunks, rows of five 2 MiB chunks cut 4 + 1, one thread), the
     * cutout's gather took 1.5–1.9× the samples of the same kernel placing whole rows beside it
     * (the harness's read + place), 1.07–1.10× once the cutout's tasks took whole rows.
     */
    static long rawReadTaskBytes(long rowBytes) {
        return rowBytes <= 2 * READ_TASK_BYTES ? Math.max(READ_TASK_BYTES, rowBytes) : READ_TASK_BYTES;
    }

    /**
     * Decoded bytes a read task of compressed chunks holds at most (unless one chunk is larger):
     * its chunks are decoded before they are gathered, so the decoded buffers of a cutout are
     * about this times the CPU threads.
     */
    static final long DECODE_TASK_BYTES = 4L << 20;

    /**
     * Decoded bytes of chunk tasks a cutout from a local store has in flight at most (at least
     * one task per CPU thread and one more): queued tasks hold their stored chunks, so without a
     * cap a cutout of 16 MiB chunks on two threads could hold ten of them.
     */
    static final long READ_BYTES_IN_FLIGHT = 32L << 20;

    /**
     * Cells per read task: for ordinary chunks as many along x as {@link #READ_TASK_BYTES} of
     * decoded chunks allow (at least one) but never more than a row of {@code rowCells}, so a
     * task gathers a row of chunks (or part of one) with one kernel call per output slab, and the
     * leases in flight stay as few as the buffer pool keeps; tiny chunks batch as
     * {@link #cellsPerTask} does (rows of them then gather together). Never so many that fewer
     * tasks than workers remain.
     */
    static long cellsPerReadTask(ChunkGrid grid, int channels, int elemSize, long totalCells, long rowCells, int workers) {
        return cellsPerReadTask(grid, channels, elemSize, totalCells, rowCells, workers, READ_TASK_BYTES);
    }

    /** {@link #cellsPerReadTask(ChunkGrid, int, int, long, long, int)} with tasks of at most {@code taskBytes} of decoded chunks (at least one chunk). */
    static long cellsPerReadTask(ChunkGrid grid, int channels, int elemSize, long totalCells, long rowCells, int workers, long taskBytes) {
        long[] c = grid.chunkShape();
        long chunkBytes = Math.max(1, c[0] * c[1] * c[2] * channels * (long) elemSize);
        if (chunkBytes < TASK_BYTES) return cellsPerTask(grid, channels, elemSize, totalCells, workers);
        long n = Math.clamp(taskBytes / chunkBytes, 1, Math.max(1, rowCells));
        return Math.max(1, Math.min(n, totalCells / workers));
    }

    /** {@code it} mapped lazily. */
    static <A, B> Iterator<B> map(Iterator<A> it, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public B next() {
                return f.apply(it.next());
            }
        };
    }

    /** Byte offset in {@code v} (rank 4, absolute origin) of the voxel at {@code box.min()}, channel 0. */
    static long offsetOf(NdView v, Box box) {
        long[] o = v.origin();
        long[] s = v.strides();
        long off = v.byteOffset();
        for (int i = 0; i < 3; i++) off += (box.min(i) - o[i]) * s[i];
        return off;
    }

    /** Byte offset in a chunk of {@code layout} at {@code chunkBox} of the voxel at {@code at.min()}. */
    static long offsetIn(ChunkLayout layout, Box chunkBox, Box at) {
        long[] cs = layout.strides4();
        long off = 0;
        for (int i = 0; i < 3; i++) off += (at.min(i) - chunkBox.min(i)) * cs[i];
        return off;
    }

    /** {@code [sx, sy, sz, channels]} of {@code box}. */
    static long[] shape4(Box box, int channels) {
        return new long[] {box.size(0), box.size(1), box.size(2), channels};
    }

    /** Copy the voxels {@code overlap} from chunk array {@code chunk} into {@code out}. */
    static void chunkToView(MemorySegment chunk, ChunkLayout layout, Box chunkBox, Box overlap, NdView out) {
        Kernels.get().copy(chunk, offsetIn(layout, chunkBox, overlap), layout.strides4(), out.segment(), offsetOf(out, overlap), out.strides(),
                shape4(overlap, layout.channels()), layout.dataType().size());
    }

    /**
     * Copy the voxels of a row of chunks (adjacent along x, same y/z cells) that lie in
     * {@code box} into {@code out}, with one gather: each output row is written once, from the
     * chunks in turn. {@code chunkBoxes[k]} is where {@code chunks[k]} (of {@code layouts[k]}) lies.
     */
    static void rowToView(MemorySegment[] chunks, ChunkLayout[] layouts, Box[] chunkBoxes, Box box, NdView out) {
        int n = chunks.length;
        long[] offsets = new long[n];
        long[][] strides = new long[n][];
        long[] extents = new long[n];
        Box first = null;
        long width = 0;
        for (int k = 0; k < n; k++) {
            Box overlap = chunkBoxes[k].intersect(box);
            if (first == null) first = overlap;
            offsets[k] = offsetIn(layouts[k], chunkBoxes[k], overlap);
            strides[k] = layouts[k].strides4();
            extents[k] = overlap.size(0);
            width += extents[k];
        }
        long[] shape = shape4(first, layouts[0].channels());
        shape[0] = width;
        Kernels.get().gather(chunks, offsets, strides, extents, out.segment(), offsetOf(out, first), out.strides(), shape,
                layouts[0].dataType().size());
    }

    /** Copy the voxels {@code overlap} from {@code src} into chunk array {@code chunk}. */
    static void viewToChunk(NdView src, Box overlap, MemorySegment chunk, ChunkLayout layout, Box chunkBox) {
        Kernels.get().copy(src.segment(), offsetOf(src, overlap), src.strides(), chunk, offsetIn(layout, chunkBox, overlap), layout.strides4(),
                shape4(overlap, layout.channels()), layout.dataType().size());
    }
}
