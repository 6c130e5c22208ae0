package org.bigarrays.bench.harness;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.Kernels;

/**
 * The least a cutout of compressed chunks that writes its output must do, for the harness's
 * second and third limits beside the bare decoder: "decode + place" decodes each row of chunks
 * along x with the bare decoder into buffers reused per thread and gathers the row's voxels that
 * lie in the box into the output at once, while they are in cache; "read + decode + place" first
 * reads each chunk's file into a buffer reused per thread (a cutout must read the files; the bare
 * decoder alone is timed on bytes already in memory). {@code threads} platform threads, each with
 * its own decoder, take the rows of chunks in turn from a shared counter, as BigArrays' cutout
 * hands out tasks as threads free up (dealt round-robin, a thread the loaded machine
 * descheduled left the other idle at the end: raw read + place at two threads took less CPU
 * than the cutout but more wall time). The placement is the project's
 * gather kernel, one call per row of chunks: each output row is written once, whole (measured:
 * placing chunk by chunk, 64-byte uint8 rows at a 512-byte output stride, was slower than
 * BigArrays' own cutout, so it is not the least). No pipeline, pool, task or hand-off.
 *
 * <p>Raw chunks (no decoder): "read + place" reads each chunk's file straight into the row's
 * buffer and places the row, the least a raw cutout must do; "read only" reads every file into
 * one buffer per thread and places nothing (what the separate {@code readfiles} child times, but
 * on the case's threads and in the cutout's process).
 */
final class BarePlacement implements AutoCloseable {
    private final List<List<Integer>> rows; // indexes into files, each a row of chunks along x, in x order
    private final List<Path> files;
    private final List<MemorySegment> stored; // the files' bytes, in memory (decode + place)
    private final List<long[]> shapes;
    private final List<Box> chunkBoxes;
    private final Box box;
    private final NdView out;
    private final DataType type;
    private final int threads;
    private final BareDecoders.Decoder[] decoders;
    private final MemorySegment[][] decoded; // [thread][chunk of the row]
    private final ByteBuffer[] read;
    private final ExecutorService pool;
    private final java.util.concurrent.atomic.AtomicInteger nextRow = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param decoder a new bare decoder (one per thread: they are not thread-safe), or null for raw chunks
     * @param out rank 4 {@code [x,y,z,c]} whose origin is the box's minimum
     */
    BarePlacement(List<Path> files, List<MemorySegment> stored, Supplier<BareDecoders.Decoder> decoder, DataType type, Box box, NdView out,
                  long chunkBytes, long maxFileBytes, int threads) {
        this.files = files;
        this.stored = stored;
        this.shapes = new ArrayList<>();
        this.chunkBoxes = new ArrayList<>();
        java.util.TreeMap<String, List<Integer>> byRow = new java.util.TreeMap<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long[] lo = chunkOrigin(f), s = SideBySide.chunkShape(f);
            shapes.add(s);
            chunkBoxes.add(Box.of(lo, new long[] {lo[0] + s[0], lo[1] + s[1], lo[2] + s[2]}));
            byRow.computeIfAbsent(String.format("%019d_%019d", lo[2], lo[1]), k -> new ArrayList<>()).add(i);
        }
        rows = new ArrayList<>(byRow.values());
        int widest = 0;
        for (List<Integer> r : rows) {
            r.sort(java.util.Comparator.comparingLong(i -> chunkBoxes.get(i).min(0)));
            widest = Math.max(widest, r.size());
        }
        this.type = type;
        this.box = box;
        this.out = out;
        this.threads = threads;
        decoders = new BareDecoders.Decoder[threads];
        decoded = new MemorySegment[threads][widest];
        read = new ByteBuffer[threads];
        for (int t = 0; t < threads; t++) {
            decoders[t] = decoder == null ? null : decoder.get();
            for (int k = 0; k < widest; k++) decoded[t][k] = Arena.ofAuto().allocate(chunkBytes, 64);
            read[t] = decoder == null ? decoded[t][0].asByteBuffer() : ByteBuffer.allocateDirect((int) maxFileBytes);
        }
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads);
    }

    /** Every chunk decoded from memory and placed into the output. */
    void decodeAndPlace() throws Exception {
        run(Step.DECODE_PLACE);
    }

    /** Every chunk read from its file, decoded (raw: read straight into its buffer) and placed into the output. */
    void readDecodeAndPlace() throws Exception {
        run(Step.READ_DECODE_PLACE);
    }

    /** Every chunk's file read into its thread's one buffer; nothing decoded or placed. */
    void readOnly() throws Exception {
        run(Step.READ);
    }

    private enum Step { DECODE_PLACE, READ_DECODE_PLACE, READ }

    private void run(Step step) throws Exception {
        nextRow.set(0);
        if (pool == null) {
            part(0, step);
            return;
        }
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tt = t;
            fs.add(pool.submit(() -> {
                part(tt, step);
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
    }

    private void part(int t, Step step) throws IOException {
        BareDecoders.Decoder d = decoders[t];
        for (int r = nextRow.getAndIncrement(); r < rows.size(); r = nextRow.getAndIncrement()) {
            List<Integer> row = rows.get(r);
            for (int k = 0; k < row.size(); k++) {
                int i = row.get(k);
                if (step == Step.READ) {
                    readFile(i, read[t]);
                } else if (d == null) { // raw: the file is the chunk
                    readFile(i, decoded[t][k].asByteBuffer());
                } else {
                    MemorySegment in = step == Step.DECODE_PLACE ? stored.get(i) : MemorySegment.ofBuffer(readFile(i, read[t]));
                    d.decode(in, shapes.get(i), decoded[t][k]);
                }
            }
            if (step != Step.READ) place(row, decoded[t]);
        }
    }

    /** The whole file of chunk {@code i} into {@code b}, from its start; b flipped to the bytes read. */
    private ByteBuffer readFile(int i, ByteBuffer b) throws IOException {
        b.clear();
        try (FileChannel ch = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
            while (ch.read(b) > 0) { /* to end */ }
        }
        return b.flip();
    }

    /** The row's voxels inside the box into the output: one gather, each output row written once. */
    private void place(List<Integer> row, MemorySegment[] chunks) {
        int n = row.size();
        long[] offsets = new long[n], extents = new long[n];
        long[][] strides = new long[n][];
        Box first = null;
        long width = 0;
        for (int k = 0; k < n; k++) {
            Box cb = chunkBoxes.get(row.get(k));
            Box overlap = cb.intersect(box);
            if (first == null) first = overlap;
            long[] cs = new ChunkLayout(shapes.get(row.get(k)), 1, type).strides4();
            long off = 0;
            for (int j = 0; j < 3; j++) off += (overlap.min(j) - cb.min(j)) * cs[j];
            offsets[k] = off;
            strides[k] = cs;
            extents[k] = overlap.size(0);
            width += extents[k];
        }
        long[] os = out.strides(), origin = out.origin();
        long dst = out.byteOffset();
        for (int j = 0; j < 3; j++) dst += (first.min(j) - origin[j]) * os[j];
        Kernels.get().gather(java.util.Arrays.copyOf(chunks, n), offsets, strides, extents, out.segment(), dst, os,
                new long[] {width, first.size(1), first.size(2), 1}, type.size());
    }

    /** The [x, y, z] lower corner of a precomputed chunk file named {@code x0-x1_y0-y1_z0-z1[.ext]}. */
    private static long[] chunkOrigin(Path f) {
        String[] ax = f.getFileName().toString().replaceAll("\\.(gz|zst|zstd)$", "").split("_");
        long[] lo = new long[3];
        for (int k = 0; k < 3; k++) lo[k] = Long.parseLong(ax[k].split("-")[0]);
        return lo;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
