package org.bigarrays.cli;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.precomputed.Info;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bigarrays demo}: create a sample EM-like volume on local disk, write it (raw and gzip),
 * cut out unaligned boxes, check every voxel against the generator, and report speeds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Create a sample volume on local disk, write it, cut out boxes, verify and time them.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "where to put the sample layers (default: $TMPDIR/bigarrays-demo): a new or empty "
            + "directory, or one an earlier demo made; only the demo's own layers in it are replaced")
    Path dir;

    /** Marks a directory as made by demo, which may then replace its layers on the next run. */
    static final String MARKER = ".bigarrays-demo";

    @Option(names = "--size", defaultValue = "512,512,256", paramLabel = "X,Y,Z")
    String size;

    @Option(names = "--chunk", defaultValue = "64,64,64", paramLabel = "X,Y,Z")
    String chunk;

    @Option(names = "--cutouts", defaultValue = "4")
    int cutouts;

    /** The synthetic voxel at (x, y, z): smooth ramps plus texture, so gzip has something to do. */
    static byte voxel(long x, long y, long z) {
        long h = (x * 0x9E3779B1L) ^ (y * 0x85EBCA77L) ^ (z * 0xC2B2AE3DL);
        return (byte) (((x + 2 * y + 3 * z) >> 2) + ((h >>> 29) & 15));
    }

    @Override
    public Integer call() throws IOException {
        long[] sz = CreateCommand.triple(size, "--size");
        long[] ch = CreateCommand.triple(chunk, "--chunk");
        long voxels = CutoutSize.bytes(Box.at(new long[3], sz), 1, DataType.UINT8);
        if (voxels > Integer.MAX_VALUE - 8) throw new InvalidInputException("demo --size " + size + ": at most 2^31 voxels, found " + voxels);
        Path root = prepare(dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"), "bigarrays-demo"));
        System.out.printf("BigArrays demo: %s, kernels: %s, %d cores%n", root, Kernels.get().name(), Runtime.getRuntime().availableProcessors());
        byte[] data = new byte[Math.toIntExact(sz[0] * sz[1] * sz[2])];
        int i = 0;
        for (long z = 0; z < sz[2]; z++) for (long y = 0; y < sz[1]; y++) for (long x = 0; x < sz[0]; x++) data[i++] = voxel(x, y, z);
        NdView volume = NdView.wrap(MemorySegment.ofArray(data), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {sz[0], sz[1], sz[2], 1});
        double mb = data.length / 1e6;
        Random rnd = new Random(42);
        for (Compression c : new Compression[] {Compression.NONE, Compression.GZIP}) {
            String name = c == Compression.NONE ? "raw" : "gzip";
            Path layer = root.resolve(name);
            Info info = Info.builder(DataType.UINT8, sz, ch).resolution(4, 4, 40).build();
            try (BigArray a = BigArray.create(layer.toString(), info, Options.defaults().withCompression(c))) {
                long t0 = System.nanoTime();
                a.write(volume);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%-4s write %s uint8, chunks %s: %.1f MB in %.2f s = %.0f MB/s%n", name, a.bounds(),
                        java.util.Arrays.toString(ch), mb, s, mb / s);
                for (int k = 0; k < cutouts; k++) {
                    long[] lo = new long[3];
                    long[] hi = new long[3];
                    for (int d = 0; d < 3; d++) {
                        long len = Math.max(1, sz[d] / 2 + rnd.nextLong(Math.max(1, sz[d] / 4)));
                        lo[d] = rnd.nextLong(Math.max(1, sz[d] - len + 1));
                        hi[d] = lo[d] + len;
                    }
                    Box box = Box.of(lo, hi);
                    long t1 = System.nanoTime();
                    NdView v = a.read(box);
                    double s1 = (System.nanoTime() - t1) / 1e9;
                    verify(v, box);
                    System.out.printf("%-4s cutout %s: %.1f MB in %.3f s = %.0f MB/s, every voxel verified%n", name, box,
                            v.byteSize() / 1e6, s1, v.byteSize() / 1e6 / s1);
                }
            }
        }
        System.out.println("layers left in " + root + " (open them with 'bigarrays info " + root.resolve("raw") + "')");
        return Main.OK;
    }

    private static void verify(NdView v, Box box) {
        byte[] got = v.toByteArray();
        int i = 0;
        for (long z = box.min(2); z < box.max(2); z++) {
            for (long y = box.min(1); y < box.max(1); y++) {
                for (long x = box.min(0); x < box.max(0); x++) {
                    if (got[i++] != voxel(x, y, z)) {
                        throw new BigArraysException("demo: wrong voxel at (" + x + "," + y + "," + z + ") in cutout " + box);
                    }
                }
            }
        }
    }

    /**
     * Make {@code root} ready for the demo's layers without deleting anything demo did not make:
     * a new or empty directory gets the marker; one with the marker gets its old "raw" and
     * "gzip" layers removed; anything else is refused.
     */
    static Path prepare(Path root) throws IOException {
        if (Files.exists(root) && !Files.isDirectory(root)) throw new InvalidInputException("demo --dir " + root + " is not a directory");
        if (Files.isDirectory(root)) {
            boolean empty;
            try (Stream<Path> s = Files.list(root)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(root.resolve(MARKER))) {
                throw new InvalidInputException("demo --dir " + root + " is not empty and was not made by demo; give a new or empty directory");
            }
            LocalFolders.deleteTree(root.resolve("raw"));
            LocalFolders.deleteTree(root.resolve("gzip"));
        } else {
            Files.createDirectories(root);
        }
        Files.writeString(root.resolve(MARKER), "made by 'bigarrays demo', which replaces the raw and gzip layers here on each run\n");
        return root;
    }

}
