package org.bigarrays.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.Downsampler;
import org.bigarrays.precomputed.Info;

/**
 * Whole-pyramid build time against its floor: a 512×512×256 layer (chunks 64³, file store) of
 * uint8 gzip ({@code image}, mean) or uint64 compressed_segmentation ({@code seg}, mode), mips
 * 1..3 (2,2,2). Baseline, same run: one cutout of all of mip 0 plus writing mip 1 (an array of
 * mip 1's size, already computed). Ratio = pyramid build / baseline; the goal is ≤ 1.3.
 * Each measurement is the best of {@code reps} after one warm-up. Process CPU time is printed beside
 * wall time (the steadier figure on a shared machine; both sides use the same threads).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.bigarrays.bench.PyramidBuildBench [image|seg|both] [reps] [dir]</pre>
 */
public final class PyramidBuildBench {
    // Process CPU time beside wall time: on a shared machine the CPU ratio is the steadier figure.
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private PyramidBuildBench() {}

    public static void main(String[] args) throws IOException {
        String which = args.length > 0 ? args[0] : "both";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("java.io.tmpdir")), "pyramid-bench");
        try {
            System.out.printf("cores %d, downsample kernel %s%n", Runtime.getRuntime().availableProcessors(), Downsampler.get().kernelName());
            if (!which.equals("seg")) run(dir.resolve("image"), DataType.UINT8, "raw", Compression.GZIP, "image", reps);
            if (!which.equals("image")) run(dir.resolve("seg"), DataType.UINT64, "compressed_segmentation", Compression.NONE, "segmentation", reps);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, DataType t, String encoding, Compression c, String type, int reps) {
        String url = dir.toString();
        long[] size = {512, 512, 256};
        Info info = Info.builder(t, size, new long[] {64, 64, 64}).type(type).encoding(encoding).build();
        Options opts = Options.defaults().withCompression(c);
        try (BigArray a = BigArray.create(url, info, opts)) {
            NdView v = a.read(a.bounds());
            fill(v, t);
            a.write(v);
        }
        DownsampleMethod m = DownsampleMethod.defaultFor(type);
        double best = Double.MAX_VALUE, bestBase = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE, bestCpuBase = Double.MAX_VALUE;
        for (int r = 0; r <= reps; r++) {
            // Baseline: cut out all of mip 0, and write mip 1 (its voxels computed outside the timing).
            double base, tRead, tWrite, cpuBase;
            try (BigArray a = BigArray.open(url, opts)) {
                long c0 = CPU.getProcessCpuTime();
                long t0 = System.nanoTime();
                NdView all = a.read(a.bounds());
                tRead = (System.nanoTime() - t0) / 1e9;
                long cRead = CPU.getProcessCpuTime() - c0;
                NdView mip1 = Downsampler.get().downsample(all, new long[] {2, 2, 2}, m, false, 0);
                all = null;
                Path b = dir.resolveSibling(dir.getFileName() + "-base" + r);
                Info i1 = Info.builder(t, new long[] {256, 256, 128}, new long[] {64, 64, 64}).type(type).encoding(encoding).build();
                try (BigArray one = BigArray.create(b.toString(), i1, opts)) {
                    long c1 = CPU.getProcessCpuTime();
                    long t1 = System.nanoTime();
                    one.write(mip1.withOrigin(new long[] {0, 0, 0, 0}));
                    tWrite = (System.nanoTime() - t1) / 1e9;
                    cpuBase = (cRead + CPU.getProcessCpuTime() - c1) / 1e9;
                    base = tRead + tWrite;
                }
            }
            // The pyramid: mips 1..3 from scratch each time (fresh info without the added scales).
            double build, cpuBuild;
            Path p = dir.resolveSibling(dir.getFileName() + "-pyr" + r);
            copyLayer(dir, p);
            try (BigArray a = BigArray.open(p.toString(), opts)) {
                long c0 = CPU.getProcessCpuTime();
                long t0 = System.nanoTime();
                Pyramid.Result res = Pyramid.build(a, PyramidSpec.defaults().withMips(3).withFactor(2, 2, 2).withMethod(m));
                build = (System.nanoTime() - t0) / 1e9;
                cpuBuild = (CPU.getProcessCpuTime() - c0) / 1e9;
                if (r == 0) System.out.printf("%s: %d chunks written in %d pass(es)%n", type, res.chunksWritten(), res.passes());
            }
            System.out.printf("%s rep %d: baseline (cutout mip 0 %.3f s + write mip 1 %.3f s) %.3f s, pyramid mips 1-3 %.3f s, ratio %.2f;"
                            + " process CPU: baseline %.3f s, pyramid %.3f s, ratio %.2f%s%n",
                    type, r, tRead, tWrite, base, build, build / base, cpuBase, cpuBuild, cpuBuild / cpuBase, r == 0 ? " (warm-up)" : "");
            if (r > 0) {
                best = Math.min(best, build);
                bestBase = Math.min(bestBase, base);
                bestCpu = Math.min(bestCpu, cpuBuild);
                bestCpuBase = Math.min(bestCpuBase, cpuBase);
            }
        }
        System.out.printf("RESULT %s %s %s: baseline %.3f s, pyramid %.3f s, ratio %.2f; process CPU baseline %.3f s, pyramid %.3f s, ratio %.2f (best of %d; load average %.2f)%n",
                t, encoding, Arrays.toString(size), bestBase, best, best / bestBase, bestCpuBase, bestCpu, bestCpu / bestCpuBase, reps,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Smooth structure plus noise (image); labels in 10×12×6 blobs (segmentation). */
    private static void fill(NdView v, DataType t) {
        long[] s = v.shape();
        MemorySegment seg = v.segment();
        long i = 0;
        for (long z = 0; z < s[2]; z++)
            for (long y = 0; y < s[1]; y++)
                for (long x = 0; x < s[0]; x++, i++) {
                    if (t == DataType.UINT8) {
                        long noise = (i * 0x9E3779B97F4A7C15L) >>> 61;
                        seg.set(ValueLayout.JAVA_BYTE, v.byteOffset() + i, (byte) ((x + 2 * y + 3 * z) / 4 + noise));
                    } else {
                        seg.set(ValueLayout.JAVA_LONG_UNALIGNED, v.byteOffset() + 8 * i, 1 + (x / 10) + 100 * (y / 12) + 10_000 * (z / 6));
                    }
                }
    }

    /** Copy mip 0 (info and chunk files) so every repetition builds from a single-scale layer. */
    private static void copyLayer(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path dst = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(dst);
                else Files.copy(f, dst);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
