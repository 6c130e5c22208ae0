package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * The size/speed trade-off of zstd levels (issue 25 goal 9) on the side-by-side harness's EM-like
 * uint8 volume, cut into 64³ chunks as a layer stores them: for each level, the ratio
 * (raw ÷ stored), MB/s of raw bytes written (compressed) and read (decompressed), one thread,
 * best of {@code REPS} passes. The default level (3) is measured in the same run as the baseline.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.bigarrays.bench.harness.ZstdLevels [jni] [LEVEL...]}
 */
public final class ZstdLevels {
    private static final int EDGE = 64;
    private static final int REPS = 3;

    public static void main(String[] args) {
        boolean jni = args.length > 0 && args[0].equals("jni");
        List<Integer> levels = new ArrayList<>();
        for (int i = jni ? 1 : 0; i < args.length; i++) levels.add(Integer.parseInt(args[i]));
        if (levels.isEmpty()) levels = List.of(-5, -1, 1, 3, 6, 9, 12, 19);
        long[] size = {256, 256, 128};
        try (Arena arena = Arena.ofConfined()) {
            NdView vol = SideBySide.volume(arena, DataType.UINT8, size);
            List<MemorySegment> chunks = new ArrayList<>();
            for (long z = 0; z < size[2]; z += EDGE)
                for (long y = 0; y < size[1]; y += EDGE)
                    for (long x = 0; x < size[0]; x += EDGE) {
                        MemorySegment c = arena.allocate((long) EDGE * EDGE * EDGE);
                        long o = 0;
                        for (long zz = z; zz < z + EDGE; zz++)
                            for (long yy = y; yy < y + EDGE; yy++, o += EDGE)
                                MemorySegment.copy(vol.segment(), (zz * size[1] + yy) * size[0] + x, c, o, EDGE);
                        chunks.add(c);
                    }
            long raw = chunks.size() * (long) EDGE * EDGE * EDGE;
            MemorySegment out = arena.allocate((long) EDGE * EDGE * EDGE);
            System.out.println("| level | ratio | write MB/s | read MB/s |");
            System.out.println("|---|---|---|---|");
            for (int level : levels) {
                ZstdCodec codec = jni ? ZstdCodec.jniAtLevel(level) : ZstdCodec.atLevel(level);
                double bestW = Double.MAX_VALUE, bestR = Double.MAX_VALUE;
                long stored = 0;
                List<MemorySegment> enc = new ArrayList<>();
                for (int rep = 0; rep <= REPS; rep++) { // rep 0 warms up
                    enc.clear();
                    long t0 = System.nanoTime();
                    for (MemorySegment c : chunks) enc.add(codec.encode(c));
                    long t1 = System.nanoTime();
                    for (MemorySegment e : enc) codec.decode(e, out, "chunk");
                    long t2 = System.nanoTime();
                    if (rep > 0) {
                        bestW = Math.min(bestW, (t1 - t0) / 1e9);
                        bestR = Math.min(bestR, (t2 - t1) / 1e9);
                    }
                }
                stored = enc.stream().mapToLong(MemorySegment::byteSize).sum();
                System.out.printf("| %d | %.3f | %.0f | %.0f |%n", level, raw / (double) stored, raw / bestW / 1e6, raw / bestR / 1e6);
            }
            System.out.println("(" + codec(jni) + ", " + chunks.size() + " chunks of 64³ uint8, best of " + REPS + ")");
        }
    }

    private static String codec(boolean jni) {
        return jni ? ZstdCodec.JNI.toString() : ZstdCodec.INSTANCE.toString();
    }
}
