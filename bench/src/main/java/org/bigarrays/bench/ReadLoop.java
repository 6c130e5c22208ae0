package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/**
 * The loop a new user writes: one box read again and again, throughput printed second by second
 * (so JIT warm-up shows). Creates a 512³ uint8 layer of raw 64³ chunks at DIR if there is none.
 * Usage: {@code ReadLoop DIR THREADS EDGE simple|into [SECONDS]} — {@code simple} calls
 * {@code read(box)} (a new result each time), {@code into} reuses one buffer ({@code read(box, into)}).
 */
public final class ReadLoop {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int edge = Integer.parseInt(args[2]);
        boolean simple = args[3].equals("simple");
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        if (!Files.exists(dir.resolve("info"))) {
            Info info = Info.builder(DataType.UINT8, new long[] {512, 512, 512}, new long[] {64, 64, 64}).build();
            try (BigArray b = BigArray.create(dir.toUri() + "?fsync=false", info)) {
                NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {512, 512, 512, 1});
                Random r = new Random(1);
                for (long i = 0; i < 512L * 512 * 512; i += 4096) v.segment().set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
                b.write(v);
            }
        }
        try (BigArray b0 = BigArray.open(dir.toString())) {
            BigArray b = b0.withOptions(b0.options().withThreads(threads, Math.max(threads, 4 * threads)));
            Box box = Box.of(new long[] {37, 41, 29}, new long[] {37 + edge, 41 + edge, 29 + edge});
            NdView into = NdView.allocate(Arena.ofShared(), DataType.UINT8, new long[4], new long[] {edge, edge, edge, 1});
            long sink = 0;
            for (int s = 0; s < seconds; s++) {
                long t0 = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - t0 < 1_000_000_000L) {
                    if (simple) {
                        sink += b.read(box).getAsLong(40, 50, 40);
                    } else {
                        b.read(box, into);
                    }
                    n++;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("second %d: %.0f MB/s%n", s + 1, n * (double) edge * edge * edge / secs / 1e6);
            }
            if (sink == 42) System.out.println();
        }
    }
}
