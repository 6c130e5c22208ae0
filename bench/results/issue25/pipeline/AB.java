import java.net.*;
import java.nio.file.*;
import java.util.*;
/** A/B in one JVM: jars A and B in their own class loaders, cutouts of the same chunk files, round after round. */
public class AB {
    public static void main(String[] a) throws Exception {
        String type = a[2], enc = a[4]; long box = Long.parseLong(a[3]); int rounds = Integer.parseInt(a[5]), per = Integer.parseInt(a[6]);
        Path dir = Files.createTempDirectory("pl-ab");
        Runnable[] r = new Runnable[2];
        for (int k = 0; k < 2; k++) {
            URLClassLoader l = new URLClassLoader(new URL[] {Path.of("/tmp/pl/cls").toUri().toURL(), Path.of(a[k]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            r[k] = (Runnable) l.loadClass("org.bigarrays.bench.harness.Loop2").getMethod("setup", String.class, long.class, String.class, Path.class, boolean.class)
                .invoke(null, type, box, enc, dir, k == 0);
        }
        long bytes = box * box * box * (type.equals("UINT8") ? 1 : 8);
        for (int w = 0; w < 20; w++) { r[0].run(); r[1].run(); }
        double[][] t = new double[2][rounds];
        for (int i = 0; i < rounds; i++) for (int k0 = 0; k0 < 2; k0++) {
            int k = (i % 2 == 0) ? k0 : 1 - k0;
            long t0 = System.nanoTime();
            for (int j = 0; j < per; j++) r[k].run();
            t[k][i] = bytes * per / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) ratio[i] = t[1][i] / t[0][i];
        for (double[] x : t) Arrays.sort(x);
        Arrays.sort(ratio);
        System.out.printf("%s %d³ %s: A %.0f MB/s, B %.0f MB/s (medians of %d rounds of %d cutouts); B/A per round median %.2f [%.2f–%.2f]%n",
            type, box, enc, t[0][rounds / 2], t[1][rounds / 2], rounds, per, ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
    }
}
