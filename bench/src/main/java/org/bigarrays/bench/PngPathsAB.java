package org.bigarrays.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.PngCodec;
import org.bigarrays.core.DataType;

/**
 * The png codec's two paths on the same chunks in one JVM, round after round in turns (so load
 * hits both alike): libspng (through libbigarrays) and ImageIO (the twin), encode, and decode of
 * both paths' files by both decoders, MB/s
 * of chunk per thread, medians over rounds, plus the encoded size. Timed by the thread's CPU time
 * (one thread does all the work), which a loaded machine disturbs far less than wall time. The chunks are the harness's
 * EM-like uint8 64³ volume ({@code SideBySide.volume}'s formula).
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar org.bigarrays.bench.PngPathsAB [rounds] [level]}
 */
public final class PngPathsAB {
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15, level = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 64}, 1, DataType.UINT8);
        List<MemorySegment> chunks = new ArrayList<>();
        for (int k = 0; k < 4; k++) chunks.add(chunk(k));
        PngCodec spng = PngCodec.of(level), imageIo = spng.javaOnly();
        if (!spng.usesSpng()) throw new IllegalStateException("libspng is not available: " + org.bigarrays.nativ.Spng.status());
        PngCodec[] paths = {spng, imageIo};
        double[][] enc = new double[2][rounds];
        double[][][] dec = new double[2][2][rounds]; // [decoder][whose files]
        long[] size = new long[2];
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        double mb = chunks.size() * l.byteSize() / 1e6;
        for (int r = -2; r < rounds; r++) { // two warm-up rounds
            List<List<MemorySegment>> pngs = List.of(new ArrayList<>(), new ArrayList<>());
            for (int p0 = 0; p0 < 2; p0++) {
                int p = (r & 1) == 0 ? p0 : 1 - p0; // alternate which path goes first
                long t0 = CPU.getCurrentThreadCpuTime();
                for (MemorySegment c : chunks) pngs.get(p).add(paths[p].encode(c, l));
                if (r >= 0) enc[p][r] = mb / ((CPU.getCurrentThreadCpuTime() - t0) / 1e9);
                size[p] = pngs.get(p).stream().mapToLong(MemorySegment::byteSize).sum();
            }
            for (int d0 = 0; d0 < 2; d0++) {
                int d = (r & 1) == 0 ? d0 : 1 - d0;
                for (int f = 0; f < 2; f++) {
                    long t0 = CPU.getCurrentThreadCpuTime();
                    for (int k = 0; k < chunks.size(); k++) {
                        paths[d].decode(pngs.get(f).get(k), l, out, "k");
                        if (out.mismatch(chunks.get(k)) != -1) throw new IllegalStateException(paths[d] + " decoded another chunk");
                    }
                    if (r >= 0) dec[d][f][r] = mb / ((CPU.getCurrentThreadCpuTime() - t0) / 1e9);
                }
            }
        }
        System.out.printf("| path | encode MB/s of CPU time | compression ratio | decode its own files | decode the other path's files |%n|---|---|---|---|---|%n");
        for (int p = 0; p < 2; p++) {
            System.out.printf("| %s | %s | %.3f | %s | %s |%n", paths[p], stat(enc[p]), chunks.size() * l.byteSize() / (double) size[p],
                    stat(dec[p][p]), stat(dec[p][1 - p]));
        }
        System.out.printf("libspng ÷ ImageIO (medians of per-round ratios): encode %.2f; decode of libspng's files %.2f, of ImageIO's files %.2f%n",
                ratio(enc[0], enc[1]), ratio(dec[0][0], dec[1][0]), ratio(dec[0][1], dec[1][1]));
    }

    private static double ratio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) r[i] = a[i] / b[i];
        Arrays.sort(r);
        return r[r.length / 2];
    }

    private static String stat(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format("%.1f (%.1f-%.1f)", s[s.length / 2], s[0], s[s.length - 1]);
    }

    private static MemorySegment chunk(int k) {
        SplittableRandom r = new SplittableRandom(42 + k);
        byte[] b = new byte[64 * 64 * 64];
        int i = 0;
        for (int z = 64 * k; z < 64 * k + 64; z++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++, i++) b[i] = (byte) (((x * 3 + y * 5 + z * 7) >> 3) + r.nextInt(12));
            }
        }
        return MemorySegment.ofArray(b);
    }
}
