package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bigarrays.nativ.CompressedSegmentation;
import org.bigarrays.nativ.Compresso;
import org.bigarrays.nativ.DownsampleKernel;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.nativ.LibDeflate;
import org.bigarrays.nativ.LibZstd;
import org.bigarrays.nativ.TurboJpeg;

/**
 * The native paths (libdeflate, libzstd, TurboJPEG, and libbigarrays' codecs and kernels) through
 * the public {@code nativ} facades, timed in thread CPU time: the best of ROUNDS calls of each,
 * after 4 s of warm-up. Thread CPU time is far less disturbed than wall time by other processes
 * on a shared machine, so two builds can be compared there: run this class against each build's
 * benchmarks.jar in turn, interleaved, and compare the medians of the per-run figures.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.bigarrays.bench.NativePathsCpuTime 300
 * </pre>
 */
public final class NativePathsCpuTime {
    private interface Op {
        long run();
    }

    private NativePathsCpuTime() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Random rnd = new Random(1);
        int n = 64;
        byte[] em = new byte[n * n * n];
        for (int i = 0; i < em.length; i++) em[i] = (byte) (128 + 40 * Math.sin(i * 0.01) + rnd.nextInt(16));
        long[] lab = new long[n * n * n];
        for (int z = 0, i = 0; z < n; z++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++, i++) lab[i] = 1000 + x / 13 + 7 * (y / 17) + 31 * (z / 11);
        MemorySegment emSeg = MemorySegment.ofArray(em), labSeg = MemorySegment.ofArray(lab);
        int[] lab32 = new int[lab.length];
        for (int i = 0; i < lab.length; i++) lab32[i] = (int) lab[i];
        MemorySegment lab32Seg = MemorySegment.ofArray(lab32);
        MemorySegment emGz = LibDeflate.compress(emSeg), labGz = LibDeflate.compress(labSeg);
        MemorySegment emZ = MemorySegment.ofArray(new byte[(int) LibZstd.compressBound(em.length)]);
        long emZn = LibZstd.compress(emSeg, emZ);
        MemorySegment emZs = emZ.asSlice(0, emZn);
        MemorySegment jpg = TurboJpeg.encode(emSeg, n, n * n, 1, 85);
        long[] shape = {n, n, n};
        int[] block = {8, 8, 8};
        MemorySegment cseg = CompressedSegmentation.encode(labSeg, shape, 1, block, 2);
        MemorySegment cpso = Compresso.encode(lab32Seg, shape, 4);
        MemorySegment out = MemorySegment.ofArray(new byte[n * n * n * 8]);
        Arena arena = Arena.ofShared();
        MemorySegment slab = arena.allocate(512L * 512 * 64, 64);
        MemorySegment[] chunks = new MemorySegment[8];
        for (int k = 0; k < 8; k++) chunks[k] = arena.allocate(n * n * n, 64).copyFrom(emSeg);
        long[][] cs = new long[8][];
        long[] offs = new long[8], ext = new long[8];
        for (int k = 0; k < 8; k++) { cs[k] = new long[] {1, n, n * n}; ext[k] = n; }
        long[] ds = {1, 512, 512 * 512};
        Kernels kern = Kernels.get();
        DownsampleKernel dk = DownsampleKernel.get();
        MemorySegment dsIn = MemorySegment.ofArray(new byte[256 * 256 * 64]);
        for (long i = 0; i < dsIn.byteSize(); i++) dsIn.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(4));
        MemorySegment dsOut = MemorySegment.ofArray(new byte[128 * 128 * 32]);

        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("gzip decode em 64^3 (libdeflate)", () -> LibDeflate.decompress(emGz, out, "k"));
        ops.put("gzip decode labels 64^3 u64", () -> LibDeflate.decompress(labGz, out, "k"));
        ops.put("gzip encode em 64^3", () -> LibDeflate.compress(emSeg).byteSize());
        ops.put("zstd decode em 64^3 (libzstd)", () -> LibZstd.decompress(emZs, out, "k"));
        ops.put("zstd encode em 64^3", () -> LibZstd.compress(emSeg, emZ));
        ops.put("jpeg decode 64x4096 gray (TurboJPEG)", () -> { TurboJpeg.decode(jpg, n, n * n, 1, out, "k"); return 0; });
        ops.put("cseg decode 64^3 u64", () -> { CompressedSegmentation.decode(cseg, shape, 1, block, 2, out, "k"); return 0; });
        ops.put("cseg encode 64^3 u64", () -> CompressedSegmentation.encode(labSeg, shape, 1, block, 2).byteSize());
        ops.put("compresso decode 64^3 u32", () -> { Compresso.decode(cpso, shape, 4, out, "k"); return 0; });
        ops.put("copy 64^3 u8 chunk (heap) into slab", () -> { kern.copy(emSeg, 0, cs[0], slab, 64 + 512 * 64, ds, shape, 1); return 0; });
        ops.put("gather row of 8 64^3 u8 into 16 MiB slab", () -> { kern.gather(chunks, offs, cs, ext, slab, 0, ds, new long[] {512, n, n}, 1); return 0; });
        ops.put("fill 64^3 u8 box", () -> { kern.fill(slab, 0, ds, shape, 1, 7); return 0; });
        ops.put("downsample mean u8 256x256x64 /2", () -> { dk.downsample(dsIn, new long[] {256, 256, 64, 1}, 0, 0, false, 0, new long[] {2, 2, 2}, new long[] {0, 0, 0}, dsOut); return 0; });

        long sink = 0;
        Map<String, Long> best = new LinkedHashMap<>();
        long warmEnd = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < warmEnd) for (Op o : ops.values()) sink += o.run();
        for (int r = 0; r < rounds; r++) {
            for (var e : ops.entrySet()) {
                long t0 = mx.getCurrentThreadCpuTime();
                sink += e.getValue().run();
                long t = mx.getCurrentThreadCpuTime() - t0;
                best.merge(e.getKey(), t, Math::min);
            }
        }
        for (var e : best.entrySet()) System.out.printf("%-44s %10.1f%n", e.getKey(), e.getValue() / 1000.0);
        System.err.println("sink " + sink + ", kernels " + kern.name() + ", downsample " + dk.name());
    }
}
