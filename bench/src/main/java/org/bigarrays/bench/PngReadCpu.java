package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/**
 * Whole png cutouts timed by the process's CPU time as well as the wall clock, which a loaded
 * machine disturbs far less: {@code read(box, into)} of a 256³ uint8 layer of 64³ png chunks
 * (EM-like data, written first at DIR if absent, by whichever png path this process has), 1
 * thread (or THREADS). Run it with and without {@code BIGARRAYS_NATIVE_LIBSPNG=0} on the same layers to
 * compare libspng and ImageIO on the whole read path. Usage: {@code PngReadCpu DIR [READS] [THREADS]}.
 */
public final class PngReadCpu {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int reads = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int n = 256;
        if (!Files.exists(dir.resolve("info"))) {
            Info info = Info.builder(DataType.UINT8, new long[] {n, n, n}, new long[] {64, 64, 64}).encoding("png").build();
            try (BigArray b = BigArray.create(dir.toUri() + "?fsync=false", info)) {
                NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {n, n, n, 1});
                SplittableRandom r = new SplittableRandom(42);
                long i = 0;
                for (long z = 0; z < n; z++) {
                    for (long y = 0; y < n; y++) {
                        for (long x = 0; x < n; x++, i++) v.segment().set(ValueLayout.JAVA_BYTE, i, (byte) (((x * 3 + y * 5 + z * 7) >> 3) + r.nextInt(12)));
                    }
                }
                b.write(v);
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (BigArray b0 = BigArray.open(dir.toString())) {
            BigArray b = b0.withOptions(b0.options().withThreads(threads, 4 * threads));
            Box box = Box.of(new long[] {0, 0, 0}, new long[] {n, n, n});
            NdView into = NdView.allocate(Arena.ofShared(), DataType.UINT8, new long[4], new long[] {n, n, n, 1});
            for (int w = 0; w < 3; w++) b.read(box, into);
            System.gc();
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            for (int k = 0; k < reads; k++) b.read(box, into);
            double mb = reads * (double) n * n * n / 1e6;
            System.out.printf("%s, %d threads: %.1f MB/s of process CPU time, %.1f MB/s wall (png via %s)%n", dir.getFileName(), threads,
                    mb / ((os.getProcessCpuTime() - c0) / 1e9), mb / ((System.nanoTime() - t0) / 1e9),
                    org.bigarrays.nativ.Spng.available() ? "libspng" : "ImageIO");
        }
    }
}
