package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.bigarrays.core.DataType;

/**
 * Encode/decode throughput of both compresso twins (C in libbigarrays, Java) on a 256³ uint32
 * Voronoi-like label volume (jittered-grid seeds every ~16 voxels, ~4100 cells, random 32-bit
 * ids), stored as four 256x256x64 chunks like CloudVolume's. Single thread; one warm-up pass,
 * then {@code reps} timed passes, best reported; MB/s of decoded voxels (67.1 MB per pass).
 * Usage: {@code CompressoBench [reps=3]}.
 */
public final class CompressoBench {
    private CompressoBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int n = 256, cell = 16, g = n / cell;
        Random r = new Random(1);
        int[][] seeds = new int[g * g * g][3];
        int[] ids = new int[seeds.length];
        for (int c = 0; c < seeds.length; c++) {
            int cx = c % g, cy = (c / g) % g, cz = c / (g * g);
            seeds[c] = new int[] {cx * cell + r.nextInt(cell), cy * cell + r.nextInt(cell), cz * cell + r.nextInt(cell)};
            ids[c] = r.nextInt();
        }
        ChunkLayout l = new ChunkLayout(new long[] {256, 256, 64}, 1, DataType.UINT32);
        MemorySegment[] chunks = new MemorySegment[4];
        for (int k = 0; k < 4; k++) {
            chunks[k] = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
            for (int z = 0, i = 0; z < 64; z++) {
                int zz = 64 * k + z;
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++, i++) {
                        int best = 0;
                        long bd = Long.MAX_VALUE;
                        for (int dz = -1; dz <= 1; dz++) for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
                            int cx = x / cell + dx, cy = y / cell + dy, cz = zz / cell + dz;
                            if (cx < 0 || cy < 0 || cz < 0 || cx >= g || cy >= g || cz >= g) continue;
                            int c = cx + g * (cy + g * cz);
                            long ex = x - seeds[c][0], ey = y - seeds[c][1], ez = zz - seeds[c][2];
                            long d = ex * ex + ey * ey + ez * ez;
                            if (d < bd) { bd = d; best = c; }
                        }
                        CompressoFormat.set(chunks[k], 4L * i, 4, ids[best]);
                    }
                }
            }
        }
        double mb = 4 * l.byteSize() / 1e6;
        System.out.printf("256^3 uint32 Voronoi labels, 4 chunks of 256x256x64, %.1f MB%n", mb);
        CompressoCodec[] twins = CompressoCodec.INSTANCE.usesNative()
                ? new CompressoCodec[] {CompressoCodec.INSTANCE, CompressoCodec.INSTANCE.javaOnly()}
                : new CompressoCodec[] {CompressoCodec.INSTANCE};
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        for (CompressoCodec c : twins) {
            MemorySegment[] enc = new MemorySegment[4];
            double bestEnc = Double.MAX_VALUE, bestDec = Double.MAX_VALUE;
            long encBytes = 0;
            for (int rep = 0; rep <= reps; rep++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < 4; k++) enc[k] = c.encode(chunks[k], l);
                long t1 = System.nanoTime();
                for (int k = 0; k < 4; k++) {
                    c.decode(enc[k], l, out, "k");
                    if (out.mismatch(chunks[k]) != -1) throw new AssertionError("round trip differs");
                }
                long t2 = System.nanoTime();
                if (rep == 0) continue; // warm-up
                bestEnc = Math.min(bestEnc, (t1 - t0) / 1e9);
                bestDec = Math.min(bestDec, (t2 - t1) / 1e9);
                encBytes = 0;
                for (MemorySegment e : enc) encBytes += e.byteSize();
            }
            System.out.printf("%-18s encode %7.1f MB/s   decode %7.1f MB/s   (%d bytes encoded, ratio %.0f)%n",
                    c.usesNative() ? "C (libbigarrays)" : "Java twin", mb / bestEnc, mb / bestDec, encBytes, mb * 1e6 / encBytes);
        }
    }
}
