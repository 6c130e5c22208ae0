package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bigarrays.nativ.JavaKernels;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.nativ.NativeKernels;
import org.bigarrays.nativ.NativeLibrary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The gather of a cutout: copy the part of every chunk that overlaps an unaligned box into one
 * output array, as a cutout does after decoding. Chunks are raw bytes off-heap (as read from
 * files into leased buffers); the output is off-heap.
 *
 * <p>{@code kernel}: {@code native} (C through FFM, one {@code copy} call per chunk: the cutout
 * path before the row gather), {@code native-row} (one {@code gather} call per row of chunks
 * along x, each output row written once in order: the cutout path now), {@code java} /
 * {@code java-row} (the same with the pure-Java kernels) or {@code memcpy}: one contiguous
 * {@code MemorySegment.copy} per chunk of the same number of bytes from the same chunks, the
 * ceiling a gather could reach. Cases: a 512³ uint8 and
 * a 256³ uint64 cutout from 64³ and 128³ chunks, and a 256³ uint8 cutout from 16³ chunks (short
 * rows of 16 bytes). The box starts at (5, 7, 3) so no chunk is fully inside along x.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--enable-native-access=ALL-UNNAMED"})
public class GatherBenchmark {
    @Param({"u8_512_c64", "u8_512_c128", "u64_256_c64", "u64_256_c128", "u8_256_c16"})
    public String shape;

    @Param({"native", "native-row", "java", "java-row", "memcpy"})
    public String kernel;

    @Param({"1"})
    public int threads;

    private static final long[] BOX_ORIGIN = {5, 7, 3};

    /** One chunk's part of the box: source segment and offsets, destination offset, extent. */
    private record Piece(MemorySegment chunk, long srcOffset, long[] srcStrides, long dstOffset, long[] shape, long bytes) {}

    private Arena arena;
    private MemorySegment out;
    private long[] outStrides;
    private int elemSize;
    private List<Piece> pieces;
    /** One row of chunks along x: the arguments of one gather call. */
    private record Row(MemorySegment[] srcs, long[] offsets, long[][] strides, long[] extents, long dstOffset, long[] shape) {}

    private List<Row> rows;
    private Kernels kernels;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("_");
        elemSize = p[0].equals("u8") ? 1 : 8;
        long box = Long.parseLong(p[1]);
        long chunk = Long.parseLong(p[2].substring(1));
        kernels = switch (kernel) {
            case "native", "native-row" -> {
                if (!NativeLibrary.BIGARRAYS.isLoaded()) throw new IllegalStateException("native kernels: " + NativeLibrary.BIGARRAYS.status());
                yield new NativeKernels();
            }
            case "java", "java-row" -> new JavaKernels();
            default -> null;
        };
        arena = Arena.ofShared();
        out = arena.allocate(box * box * box * elemSize, 64);
        out.fill((byte) 1); // fault the pages in before measuring
        outStrides = new long[] {elemSize, box * elemSize, box * box * elemSize};
        long[] chunkStrides = {elemSize, chunk * elemSize, chunk * chunk * elemSize};
        pieces = new ArrayList<>();
        long[] lo = new long[3];
        long[] hi = new long[3];
        for (int i = 0; i < 3; i++) {
            lo[i] = Math.floorDiv(BOX_ORIGIN[i], chunk);
            hi[i] = Math.floorDiv(BOX_ORIGIN[i] + box - 1, chunk);
        }
        java.util.Random r = new java.util.Random(42);
        for (long cz = lo[2]; cz <= hi[2]; cz++) {
            for (long cy = lo[1]; cy <= hi[1]; cy++) {
                for (long cx = lo[0]; cx <= hi[0]; cx++) {
                    long[] c = {cx, cy, cz};
                    byte[] bytes = new byte[Math.toIntExact(chunk * chunk * chunk * elemSize)];
                    r.nextBytes(bytes);
                    MemorySegment chunkSegment = arena.allocate(bytes.length, 64).copyFrom(MemorySegment.ofArray(bytes));
                    long srcOff = 0, dstOff = 0, n = elemSize;
                    long[] ext = new long[3];
                    for (int i = 0; i < 3; i++) {
                        long a = Math.max(c[i] * chunk, BOX_ORIGIN[i]);
                        long b = Math.min((c[i] + 1) * chunk, BOX_ORIGIN[i] + box);
                        ext[i] = b - a;
                        srcOff += (a - c[i] * chunk) * chunkStrides[i];
                        dstOff += (a - BOX_ORIGIN[i]) * outStrides[i];
                        n *= ext[i];
                    }
                    pieces.add(new Piece(chunkSegment, srcOff, chunkStrides, dstOff, ext, n));
                }
            }
        }
        long pos = 0;
        for (Piece q : pieces) pos += q.bytes();
        if (pos != out.byteSize()) throw new IllegalStateException("pieces cover " + pos + " bytes, box " + out.byteSize());
        // Pieces come x fastest: each run of (hi - lo + 1) along x is one row of chunks.
        rows = new ArrayList<>();
        int nx = (int) (hi[0] - lo[0] + 1);
        for (int i = 0; i < pieces.size(); i += nx) {
            List<Piece> row = pieces.subList(i, i + nx);
            long[] extents = new long[nx];
            long[] offsets = new long[nx];
            long[][] strides = new long[nx][];
            MemorySegment[] srcs = new MemorySegment[nx];
            long width = 0;
            for (int k = 0; k < nx; k++) {
                Piece q = row.get(k);
                srcs[k] = q.chunk();
                offsets[k] = q.srcOffset();
                strides[k] = q.srcStrides();
                extents[k] = q.shape()[0];
                width += extents[k];
            }
            long[] shape = row.getFirst().shape().clone();
            shape[0] = width;
            rows.add(new Row(srcs, offsets, strides, extents, row.getFirst().dstOffset(), shape));
        }
        if (threads > 1) pool = Executors.newFixedThreadPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) pool.shutdownNow();
        arena.close();
    }

    /** Copy pieces [from, to) of the box (rows [from, to) for a row kernel); for memcpy, their bytes laid end to end. */
    private void gather(int from, int to) {
        if (kernel.endsWith("-row")) {
            for (int i = from; i < to; i++) {
                Row w = rows.get(i);
                kernels.gather(w.srcs(), w.offsets(), w.strides(), w.extents(), out, w.dstOffset(), outStrides, w.shape(), elemSize);
            }
            return;
        }
        if (kernels == null) {
            long pos = 0;
            for (int i = 0; i < from; i++) pos += pieces.get(i).bytes();
            for (int i = from; i < to; i++) {
                Piece q = pieces.get(i);
                MemorySegment.copy(q.chunk(), 0, out, pos, q.bytes());
                pos += q.bytes();
            }
            return;
        }
        for (int i = from; i < to; i++) {
            Piece q = pieces.get(i);
            kernels.copy(q.chunk(), q.srcOffset(), q.srcStrides(), out, q.dstOffset(), outStrides, q.shape(), elemSize);
        }
    }

    @Benchmark
    public MemorySegment gather() throws Exception {
        int n = kernel.endsWith("-row") ? rows.size() : pieces.size();
        if (threads == 1) {
            gather(0, n);
            return out;
        }
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) n * t / threads), to = (int) ((long) n * (t + 1) / threads);
            fs.add(pool.submit(() -> gather(from, to)));
        }
        for (Future<?> f : fs) f.get();
        return out;
    }
}
