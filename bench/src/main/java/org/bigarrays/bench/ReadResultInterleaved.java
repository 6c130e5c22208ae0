package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/**
 * {@link ReadResultBenchmark}'s cases interleaved in one JVM (issue 25 goal 3): on a shared,
 * loaded machine JMH's one benchmark after another lets the load drift between them; here each
 * round runs every way once, in rotating order, and the table gives each way's median and its
 * ratio to {@code read(box, into)} of an off-heap buffer. The ways: {@code into} (off-heap buffer
 * reused: the limit), {@code intoHeap} (a reused heap {@code long[]}: does the heap destination
 * cost?), {@code intoHeap64} (the same, its elements from a 64-byte line of a humongous array),
 * {@code readBox} (the simple API: a new array each call), and {@code zeroThenIntoHeap} (the
 * reused heap array zeroed, as the JVM zeroes a new one, then read into: the zeroing without the
 * allocation and the collector). Raw 64³ chunks in the page cache, 1 thread.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.bigarrays.bench.ReadResultInterleaved [SECONDS_PER_CASE] [uint8,uint64] [1,16,128]
 * </pre>
 */
public final class ReadResultInterleaved {
    private ReadResultInterleaved() {}

    private static final String[] WAYS = {"into", "intoHeap", "readBox", "intoHeap64", "zeroThenIntoHeap"};

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        String[] types = (args.length > 1 ? args[1] : "uint8,uint64").split(",");
        String[] mibs = (args.length > 2 ? args[2] : "1,16,128").split(",");
        System.out.printf(Locale.ROOT, "| type | MiB | into ms | intoHeap ms | intoHeap64 ms | zeroThenIntoHeap ms | readBox ms | intoHeap/into | intoHeap64/into | zeroThenIntoHeap/into | readBox: into÷readBox | rounds |%n");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String type : types) {
            for (String mib : mibs) run(DataType.of(type), Integer.parseInt(mib), seconds);
        }
    }

    private static void run(DataType t, int mib, double seconds) throws Exception {
        int k = Long.numberOfTrailingZeros(((long) mib << 20) / t.size());
        int kx = (k + 2) / 3, ky = (k - kx + 1) / 2;
        long[] shape = {1L << kx, 1L << ky, 1L << (k - kx - ky)};
        Path dir = Files.createTempDirectory("bigarrays-result");
        try {
            Info info = Info.builder(t, shape, new long[] {64, 64, 64}).build();
            String url = dir.resolve("layer").toUri() + "?fsync=false";
            try (Arena a = Arena.ofConfined(); BigArray w = BigArray.create(url, info)) {
                NdView v = NdView.allocate(a, t, new long[4], new long[] {shape[0], shape[1], shape[2], 1});
                Random r = new Random(7);
                for (long i = 0; i < v.byteSize(); i += 8) v.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
                w.write(v);
            }
            try (BigArray opened = BigArray.open(url); Arena arena = Arena.ofShared()) {
                BigArray array = opened.withOptions(opened.options().withThreads(1, 1));
                Box box = Box.of(new long[3], shape);
                long bytes = box.size(0) * box.size(1) * box.size(2) * t.size();
                long[] shape4 = {shape[0], shape[1], shape[2], 1};
                NdView into = NdView.allocate(arena, t, new long[4], shape4);
                long[] intoHeapArray = new long[(int) Math.ceilDiv(bytes, 8)];
                NdView intoHeap = NdView.wrap(MemorySegment.ofArray(intoHeapArray).asSlice(0, bytes), t, new long[4], shape4);
                // Past 48 bytes: a humongous array starts at a heap region, its elements 16 bytes in, so here at a 64-byte line.
                NdView intoHeap64 = NdView.wrap(MemorySegment.ofArray(new long[(int) Math.ceilDiv(bytes, 8) + 6]).asSlice(48, bytes), t, new long[4], shape4);
                List<List<Double>> ms = new ArrayList<>();
                for (int w = 0; w < WAYS.length; w++) ms.add(new ArrayList<>());
                long sink = 0;
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long warmEnd = System.nanoTime() + (long) (Math.min(3, seconds / 3) * 1e9);
                for (int round = 0; System.nanoTime() < end; round++) {
                    boolean warm = System.nanoTime() >= warmEnd;
                    for (int j = 0; j < WAYS.length; j++) {
                        int w = (round + j) % WAYS.length;
                        long t0 = System.nanoTime();
                        NdView got = switch (w) {
                            case 0 -> {
                                array.read(box, into);
                                yield into;
                            }
                            case 1 -> {
                                array.read(box, intoHeap);
                                yield intoHeap;
                            }
                            case 2 -> array.read(box);
                            case 3 -> {
                                array.read(box, intoHeap64);
                                yield intoHeap64;
                            }
                            default -> {
                                java.util.Arrays.fill(intoHeapArray, 0L);
                                array.read(box, intoHeap);
                                yield intoHeap;
                            }
                        };
                        long dt = System.nanoTime() - t0;
                        sink += got.segment().get(ValueLayout.JAVA_BYTE, bytes - 1);
                        if (warm) ms.get(w).add(dt / 1e6);
                    }
                }
                double[] med = new double[WAYS.length];
                for (int w = 0; w < WAYS.length; w++) med[w] = median(ms.get(w));
                System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.2f× | %d |%s%n", t, mib, med[0], med[1], med[3], med[4], med[2],
                        med[1] / med[0], med[3] / med[0], med[4] / med[0], med[0] / med[2], ms.get(0).size(), sink == 42 ? " " : "");
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        if (a.length == 0) return Double.NaN;
        Arrays.sort(a);
        return a[a.length / 2];
    }
}
