package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.bigarrays.nativ.DownsampleKernel;
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
 * The two hot downsample kernels on one core, 2×2×2 blocks of a 256×256×64 input: {@code mean_u8}
 * (an image, 4 MiB) and {@code mode_u64} (segmentation labels in blobs of 5×7×3 voxels, so most
 * blocks are one label and some hold 2–8; 32 MiB). {@code kernel}: {@code native} (C through FFM),
 * {@code java} (the twin), or {@code memcpy}: one {@code MemorySegment.copy} of the input's bytes,
 * the same run's ceiling. GB/s of input = input bytes / time per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class DownsampleBenchmark {
    @Param({"mean_u8", "mode_u64"})
    public String kase;

    @Param({"native", "java", "memcpy"})
    public String kernel;

    private static final long NX = 256, NY = 256, NZ = 64;
    private static final long[] FACTOR = {2, 2, 2}, PHASE = {0, 0, 0};

    private Arena arena;
    private MemorySegment in, out, copy;
    private DownsampleKernel k;
    private int dtype, method;

    @Setup(Level.Trial)
    public void setUp() {
        boolean u8 = kase.equals("mean_u8");
        int es = u8 ? 1 : 8;
        dtype = u8 ? 0 : 6;
        method = u8 ? DownsampleKernel.MEAN : DownsampleKernel.MODE;
        arena = Arena.ofShared();
        in = arena.allocate(NX * NY * NZ * es, 64);
        out = arena.allocate(NX * NY * NZ * es / 8, 64);
        copy = arena.allocate(in.byteSize(), 64);
        long i = 0;
        for (long z = 0; z < NZ; z++)
            for (long y = 0; y < NY; y++)
                for (long x = 0; x < NX; x++, i++) {
                    if (u8) in.set(ValueLayout.JAVA_BYTE, i, (byte) ((x * 3 + y * 5 + z * 7) ^ (i * 0x9E3779B97F4A7C15L >>> 58)));
                    else in.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, 1_000_000_007L * ((x / 5) * 31 + (y / 7) * 17 + (z / 3)) + 12345);
                }
        k = switch (kernel) {
            case "native" -> DownsampleKernel.nativeKernel().orElseThrow(() -> new IllegalStateException("native downsample kernel not loaded"));
            case "java" -> DownsampleKernel.java();
            default -> null;
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment run() {
        if (k == null) {
            MemorySegment.copy(in, 0, copy, 0, in.byteSize());
            return copy;
        }
        k.downsample(in, new long[] {NX, NY, NZ, 1}, dtype, method, false, 0, FACTOR, PHASE, out);
        return out;
    }
}
