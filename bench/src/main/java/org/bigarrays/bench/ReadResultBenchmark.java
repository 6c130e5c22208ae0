package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The simple API against a reused buffer (issue 25 goal 3): {@code read(box)} (a new result
 * each call, a new Java array, dropped) vs {@code read(box, into)} (one buffer reused). Raw 64³ chunks in the page cache, 1 thread, boxes of 1, 16 and 128 MiB of
 * uint8 and uint64 aligned to the volume's origin. Run it twice for an interleaved comparison:
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar ReadResultBenchmark -rf json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ReadResultBenchmark {
    @Param({"uint8", "uint64"})
    public String type;

    @Param({"1", "16", "128"})
    public int mib;

    private Path dir;
    private BigArray array;
    private Box box;
    private NdView into;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        DataType t = DataType.of(type);
        // mib MiB as a power of two of voxels, split as evenly as possible (x largest).
        int k = Long.numberOfTrailingZeros(((long) mib << 20) / t.size());
        int kx = (k + 2) / 3, ky = (k - kx + 1) / 2;
        long[] shape = {1L << kx, 1L << ky, 1L << (k - kx - ky)};
        dir = Files.createTempDirectory("bigarrays-result");
        Info info = Info.builder(t, shape, new long[] {64, 64, 64}).build();
        String url = dir.resolve("layer").toUri() + "?fsync=false";
        try (Arena a = Arena.ofConfined(); BigArray w = BigArray.create(url, info)) {
            NdView v = NdView.allocate(a, t, new long[4], new long[] {shape[0], shape[1], shape[2], 1});
            java.util.Random r = new java.util.Random(7);
            for (long i = 0; i < v.byteSize(); i += 8) v.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
            w.write(v);
        }
        BigArray opened = BigArray.open(url);
        array = opened.withOptions(opened.options().withThreads(1, 1));
        box = Box.of(new long[3], shape);
        into = NdView.allocate(Arena.ofShared(), t, new long[4], new long[] {shape[0], shape[1], shape[2], 1});
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        array.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The simple API: a new result per call. */
    @Benchmark
    public NdView readBox() {
        return array.read(box);
    }

    /** Into a reused buffer: the limit for the simple API. */
    @Benchmark
    public NdView readBoxInto() {
        array.read(box, into);
        return into;
    }
}
