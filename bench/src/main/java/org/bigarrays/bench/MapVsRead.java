package org.bigarrays.bench;

import java.lang.foreign.*;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.*;
/**
 * Whether a raw chunk should be mapped instead of read: per chunk file, open + read into a
 * buffer + copy out (what a raw cutout does: pread, then the gather) against open + map into a
 * confined arena + copy out of the mapping + unmap. Sizes: 64³/128³ uint8 and uint64 chunks.
 * Usage: {@code java -cp benchmarks.jar org.bigarrays.bench.MapVsRead [DIR]}.
 */
public final class MapVsRead {
    private MapVsRead() {}

    public static void main(String[] a) throws Exception {
        Path dir = Files.createTempDirectory(a.length > 0 ? Path.of(a[0]) : Path.of(System.getProperty("java.io.tmpdir")), "mapvsread");
        long[] sizes = {64L*64*64, 128L*128*128, 64L*64*64*8, 128L*128*128*8};
        for (long size : sizes) {
            int n = (int) Math.max(4, (64L << 20) / size);
            List<Path> files = new ArrayList<>();
            byte[] b = new byte[(int) size]; new Random(1).nextBytes(b);
            for (int i = 0; i < n; i++) { Path p = dir.resolve("f" + size + "_" + i); Files.write(p, b); files.add(p); }
            MemorySegment buf = Arena.global().allocate(size, 64);
            MemorySegment out = Arena.global().allocate(size, 64);
            double bestRead = 1e9, bestMap = 1e9;
            for (int rep = 0; rep < 15; rep++) {
                long t0 = System.nanoTime();
                for (Path p : files) try (FileChannel ch = FileChannel.open(p)) {
                    var bb = buf.asByteBuffer(); while (bb.hasRemaining() && ch.read(bb) > 0) {}
                    MemorySegment.copy(buf, 0, out, 0, size); // then the gather's copy
                }
                long t1 = System.nanoTime();
                for (Path p : files) try (FileChannel ch = FileChannel.open(p); Arena ar = Arena.ofConfined()) {
                    MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, ar);
                    MemorySegment.copy(m, 0, out, 0, size); // the gather straight from the mapping
                }
                long t2 = System.nanoTime();
                bestRead = Math.min(bestRead, (t1 - t0) / 1e9); bestMap = Math.min(bestMap, (t2 - t1) / 1e9);
            }
            double mb = n * size / 1e6;
            System.out.printf("chunk %d B x %d: pread+copy %.0f MB/s, map+copy+unmap %.0f MB/s (%.2fx)%n", size, n, mb / bestRead, mb / bestMap, bestRead / bestMap);
            for (Path p : files) Files.delete(p);
        }
        Files.delete(dir);
    }
}
