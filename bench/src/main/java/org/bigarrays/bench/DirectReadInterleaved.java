package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/**
 * A raw cutout with direct reads on (rows of at least {@code bigarrays.read.directRowBytes})
 * and off, in turns in one process on the same layer and output: wall time and the process's CPU
 * time (all threads, user + system: the kernel's copies count) summed over the rounds (the
 * process clock ticks in 10 ms steps, too coarse for one read), wall time the median of the rounds,
 * and a check that both ways give the same bytes. The box sits as the harness's does (half a
 * chunk + 3 voxels in), so edge chunks have short rows and take the gather either way.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.bigarrays.bench.DirectReadInterleaved uint64 128 256 1,2 9
 *   (type, chunk, box, cpu thread counts, rounds)
 * </pre>
 */
public final class DirectReadInterleaved {
    private DirectReadInterleaved() {}

    public static void main(String[] args) throws Exception {
        DataType type = DataType.of(args.length > 0 ? args[0] : "uint64");
        long chunk = args.length > 1 ? Long.parseLong(args[1]) : 128;
        long side = args.length > 2 ? Long.parseLong(args[2]) : 256;
        int[] threadCounts = Arrays.stream((args.length > 3 ? args[3] : "1,2").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 9;
        String on = System.getProperty("on", "1024");
        long off = chunk / 2 + 3;
        long edge = side + 2 * off;
        Box box = Box.of(new long[] {off, off + 1, off + 2}, new long[] {off + side, off + 1 + side, off + 2 + side});
        Path dir = Files.createTempDirectory("bigarrays-direct");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Arena arena = Arena.ofShared()) {
            try (BigArray a = BigArray.create(dir.resolve("layer").toString(), Info.builder(type, new long[] {edge, edge, edge}, new long[] {chunk, chunk, chunk}).build(),
                    Options.defaults())) {
                NdView all = NdView.allocate(arena, type, new long[4], new long[] {edge, edge, edge, 1});
                SplittableRandom r = new SplittableRandom(1);
                for (long i = 0; i < all.byteSize(); i += 8) all.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong() & 0x0f0f0f0f0f0f0f0fL);
                a.write(all);
            }
            System.out.println("| case | gathered MB/s | direct MB/s | direct ÷ gathered | gathered CPU µs/MB (mean) | direct CPU µs/MB (mean) | direct ÷ gathered (CPU) |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int threads : threadCounts) {
            Options o = Options.defaults().withThreads(threads, Math.max(threads, 4 * threads));
            try (BigArray a = BigArray.open(dir.resolve("layer").toString(), o)) {
                NdView into = NdView.allocate(arena, type, new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {side, side, side, 1});
                double mb = into.byteSize() / 1e6;
                double[][] wall = new double[2][rounds], cpu = new double[2][rounds];
                long[] crc = new long[2];
                double[] cpuTotal = new double[2];
                for (int round = -2; round < rounds; round++) {
                    for (int k = 0; k < 2; k++) {
                        int way = (round & 1) == 0 ? k : 1 - k; // alternate which goes first
                        System.setProperty("bigarrays.read.directRowBytes", way == 0 ? "-1" : on);
                        long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                        a.read(box, into);
                        double w = (System.nanoTime() - t0) / 1e9, c = (os.getProcessCpuTime() - c0) / 1e9;
                        if (round >= 0) {
                            wall[way][round] = mb / w;
                            cpu[way][round] = c * 1e6 / mb;
                            cpuTotal[way] += c * 1e6 / mb / rounds;
                        }
                        java.util.zip.CRC32C sum = new java.util.zip.CRC32C();
                        sum.update(into.segment().asByteBuffer());
                        crc[way] = sum.getValue();
                        into.segment().fill((byte) 0);
                    }
                    if (crc[0] != crc[1]) throw new AssertionError("direct and gathered reads differ");
                }
                for (double[] x : wall) Arrays.sort(x);
                for (double[] x : cpu) Arrays.sort(x);
                int m = rounds / 2;
                System.out.printf("| %s %d³ c%d t%d | %.0f [%.0f–%.0f] | %.0f [%.0f–%.0f] | %.2f | %.0f | %.0f | %.2f |%n", type, side, chunk, threads,
                        wall[0][m], wall[0][0], wall[0][rounds - 1], wall[1][m], wall[1][0], wall[1][rounds - 1], wall[1][m] / wall[0][m],
                        cpuTotal[0], cpuTotal[1], cpuTotal[1] / cpuTotal[0]);
            }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }
}
