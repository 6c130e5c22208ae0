package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.bigarrays.nativ.JavaScatterRead;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.nativ.LibcScatterRead;
import org.bigarrays.nativ.ScatterRead;

/**
 * What decides the row length from which raw chunks are read straight into a cutout: one 2 MiB
 * chunk file in the page cache put into an output four chunks wide, row by row, either with one
 * {@code preadv} iovec per row ({@link LibcScatterRead}, and its {@code FileChannel} twin) or read
 * whole into a reused buffer and copied row by row with the copy kernel (what a cutout did
 * before). Thread CPU time (user + system, so the kernel's copy counts), median of 7 rounds of
 * 100 chunks each, the ways interleaved round by round: far steadier than wall time on a loaded
 * machine.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.bigarrays.bench.ScatterRowsCpuTime 64 128 256 512 1024 2048 65536
 * </pre>
 */
public final class ScatterRowsCpuTime {
    private static final long CHUNK = 2L << 20;
    private static final int ROUNDS = 7, PER_ROUND = 100;

    private ScatterRowsCpuTime() {}

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("| row bytes | preadv per row µs | FileChannel per row µs | read whole + gather µs | preadv ÷ gather (CPU) |");
        System.out.println("|---|---|---|---|---|");
        for (String a : args.length > 0 ? args : new String[] {"64", "128", "256", "512", "1024", "2048", "65536"}) {
            int row = Integer.parseInt(a);
            int rows = (int) (CHUNK / row);
            Path f = Files.createTempFile("scatter-rows", ".bin");
            try (Arena arena = Arena.ofConfined()) {
                byte[] data = new byte[(int) CHUNK];
                new Random(row).nextBytes(data);
                Files.write(f, data);
                long pitch = 4L * row;
                MemorySegment out = arena.allocate(pitch * rows, 64).fill((byte) 1);
                long[] spans = new long[3 * rows];
                for (int i = 0; i < rows; i++) {
                    spans[3 * i] = (long) i * row;
                    spans[3 * i + 1] = i * pitch;
                    spans[3 * i + 2] = row;
                }
                MemorySegment head = arena.allocate(4);
                ByteBuffer buf = ByteBuffer.allocateDirect((int) CHUNK);
                MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
                ScatterRead direct = LibcScatterRead.available() ? LibcScatterRead.instance() : JavaScatterRead.INSTANCE;
                double[][] us = new double[3][ROUNDS];
                for (int round = -2; round < ROUNDS; round++) { // two rounds of warm-up
                    for (int way = 0; way < 3; way++) {
                        long c0 = mx.getCurrentThreadCpuTime();
                        for (int k = 0; k < PER_ROUND; k++) {
                            switch (way) {
                                case 0 -> direct.read(f, CHUNK, out, spans, rows, head);
                                case 1 -> JavaScatterRead.INSTANCE.read(f, CHUNK, out, spans, rows, head);
                                default -> {
                                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                                        buf.clear();
                                        while (ch.read(buf) > 0) { /* to the end */ }
                                    }
                                    Kernels.get().copy(bufSeg, 0, new long[] {1, row}, out, 0, new long[] {1, pitch}, new long[] {row, rows}, 1);
                                }
                            }
                        }
                        if (round >= 0) us[way][round] = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / PER_ROUND;
                    }
                }
                double[] med = new double[3];
                for (int way = 0; way < 3; way++) {
                    Arrays.sort(us[way]);
                    med[way] = us[way][ROUNDS / 2];
                }
                System.out.printf("| %d | %.0f | %.0f | %.0f | %.2f |%n", row, med[0], med[1], med[2], med[0] / med[2]);
            } finally {
                Files.delete(f);
            }
        }
    }
}
