package org.bigarrays.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
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
 * Cutout throughput from a file store (page cache warm), the same uint8 data stored unsharded
 * and sharded: 512x512x128 voxels, 64^3 raw chunks (128 chunks); sharded with identity hash,
 * 8 chunks per minishard, 4 minishards per shard (4 shards). Reports cutouts per second; MB/s =
 * that x cutout size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ShardedCutoutBench {
    /** "unsharded", "sharded" (raw indexes and data) or "sharded-gzip" (gzip indexes and data). */
    @Param({"unsharded", "sharded", "sharded-gzip"})
    public String layout;

    /** Cutout edge: 64 = one chunk, 256 = 4x4x2 chunks (aligned). */
    @Param({"64", "256"})
    public int cutout;

    private Path dir;
    private BigArray array;
    private Box box;
    private NdView into;

    static final long[] SIZE = {512, 512, 128};
    static final long[] CHUNK = {64, 64, 64};

    static Info info(String layout) {
        var b = Info.builder(DataType.UINT8, SIZE, CHUNK);
        if (!layout.equals("unsharded")) {
            Compression enc = layout.equals("sharded-gzip") ? Compression.GZIP : Compression.NONE;
            b.sharding(new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 2, 2, enc, enc));
        }
        return b.build();
    }

    /** Write the volume (smooth, mildly compressible data) at {@code dir}. */
    static BigArray write(Path dir, String layout) {
        BigArray a = BigArray.create(dir.toUri().toString(), info(layout));
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
        MemorySegment s = v.segment();
        Random r = new Random(1);
        for (long i = 0; i < v.byteSize(); i++) s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) ((i % 512) / 4 + r.nextInt(8)));
        a.write(v);
        return a;
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("bigarrays-shard-bench");
        write(dir, layout).close();
        array = BigArray.open(dir.toUri().toString(), Options.defaults());
        long z = Math.min(cutout, SIZE[2]);
        box = Box.of(new long[] {128, 128, 0}, new long[] {128 + cutout, 128 + cutout, z});
        into = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {128, 128, 0, 0}, new long[] {cutout, cutout, z, 1});
        array.read(box, into); // page cache warm
    }

    @Benchmark
    public NdView read() {
        array.read(box, into);
        return into;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        array.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
