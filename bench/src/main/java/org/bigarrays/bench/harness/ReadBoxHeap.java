package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Where {@code read(box)}'s time goes against {@code read(box, into)} (issue 25 goal 3), with the
 * JVM's heap in view: one harness case (same volume, box and options as {@link SideBySide}'s
 * child), both ways alternating in one JVM (so they see the same load), after the same
 * {@code System.gc()} the harness child does before its reads. Prints one table row: the medians,
 * {@code into ms ÷ read(box) ms} (the harness's "read(box) ÷ read(box, into)" column), the
 * committed heap at the end, collections and their pause time, and the peak RSS. Run it under
 * different JVM flags (the heap is what differs) and compare the ratios.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED [JVM FLAGS] -cp bench/target/benchmarks.jar org.bigarrays.bench.harness.ReadBoxHeap \
 *     DIR TYPE BOX CHUNK ENCODING [WARMUP_S] [ROUNDS]
 * </pre>
 * The layer is written under {@code DIR} on the first run of a case and reused by later runs. Columns:
 * case, JVM flags, into ms, read(box) ms, into ÷ read(box), heap committed MiB, GCs / GC ms, peak RSS MiB.
 */
public final class ReadBoxHeap {
    private ReadBoxHeap() {}

    public static void main(String[] a) throws Exception {
        Path root = Path.of(a[0]);
        SideBySide.Case c = new SideBySide.Case(DataType.valueOf(a[1]), Long.parseLong(a[2]), Long.parseLong(a[3]), a[4], 1);
        double warmupS = a.length > 5 ? Double.parseDouble(a[5]) : 1;
        int rounds = a.length > 6 ? Integer.parseInt(a[6]) : 5;
        // The harness child's geometry: the box plus an unaligned margin on each side.
        long off = c.chunk() / 2 + 3;
        long edge = c.box() + 2 * off;
        Box box = Box.of(new long[] {off, off + 1, off + 2}, new long[] {off + c.box(), off + 1 + c.box(), off + 2 + c.box()});
        Path dir = root.resolve(c.type().name() + "-" + c.box() + "-c" + c.chunk() + "-" + c.encoding());
        if (!Files.exists(dir.resolve("done"))) {
            Files.createDirectories(dir);
            try (Arena va = Arena.ofShared()) {
                new BigArraysPeer().write(dir, SideBySide.volume(va, c.type(), new long[] {edge, edge, edge}), c);
            }
            Files.createFile(dir.resolve("done"));
        }
        System.gc(); // as the harness child does before its reads (G1 shrinks the heap)
        try (BigArray arr = BigArray.open(dir.toUri().toString(), BigArraysPeer.options(c))) {
            NdView into = NdView.allocate(Arena.ofAuto(), c.type(), new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {c.box(), c.box(), c.box(), 1});
            long bytes = into.byteSize();
            List<Double> intoMs = new ArrayList<>(), boxMs = new ArrayList<>();
            long sink = 0;
            long warmEnd = System.nanoTime() + (long) (warmupS * 1e9);
            for (int r = 0, timed = 0; timed < rounds; r++) {
                boolean warm = System.nanoTime() >= warmEnd;
                for (int j = 0; j < 2; j++) {
                    boolean simple = ((r + j) & 1) == 1;
                    long t0 = System.nanoTime();
                    NdView got;
                    if (simple) {
                        got = arr.read(box);
                    } else {
                        arr.read(box, into);
                        got = into;
                    }
                    long dt = System.nanoTime() - t0;
                    sink += got.segment().get(ValueLayout.JAVA_BYTE, bytes - 1);
                    if (warm) (simple ? boxMs : intoMs).add(dt / 1e6);
                }
                if (warm) timed++;
            }
            long gcs = 0, gcMs = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += Math.max(0, b.getCollectionCount());
                gcMs += Math.max(0, b.getCollectionTime());
            }
            double mi = median(intoMs), mb = median(boxMs);
            System.out.printf(Locale.ROOT, "| %s %d³ c%d %s | %s | %.1f | %.1f | %.2f | %d | %d / %d | %d |%s%n", c.type().name().toLowerCase(Locale.ROOT),
                    c.box(), c.chunk(), c.encoding(), String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                            .filter(s -> s.startsWith("-X")).toList()), mi, mb, mi / mb, Runtime.getRuntime().totalMemory() >> 20, gcs, gcMs,
                    SideBySide.vmHwmKb() >> 10, sink == 42 ? " " : "");
        }
    }

    private static double median(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }
}
