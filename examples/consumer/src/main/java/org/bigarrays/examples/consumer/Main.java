package org.bigarrays.examples.consumer;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/**
 * BigArrays used as a library: creates a small uint16 layer (zstd chunks) in a temporary
 * folder, writes a box, reads an unaligned box back (partly outside the volume) and checks
 * every voxel. Exits 1 on the first mismatch.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("bigarrays-consumer");
        int status;
        try {
            status = run(dir.resolve("layer").toString());
        } finally { // before System.exit, which never returns to a finally block
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(status);
    }

    /** The value written at (x, y, z): distinct across the box, so a misplaced chunk is caught. */
    static long expected(long x, long y, long z) {
        return (x * 7 + y * 131 + z * 1009) & 0xffff;
    }

    static int run(String url) {
        // 96 x 64 x 40 voxels in 32^3 chunks (the last z chunk partial), starting at (-16, 0, 10).
        Info info = Info.builder(DataType.UINT16, new long[] {96, 64, 40}, new long[] {32, 32, 32})
                .offset(-16, 0, 10).resolution(4, 4, 40).build();
        Options zstd = Options.defaults().withCompression(Compression.ZSTD);
        try (BigArray a = BigArray.create(url, info, zstd)) {
            NdView block = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-16, 0, 10, 0}, new long[] {96, 64, 40, 1});
            for (long z = 10; z < 50; z++)
                for (long y = 0; y < 64; y++)
                    for (long x = -16; x < 80; x++) block.set(new long[] {x, y, z}, expected(x, y, z));
            a.write(block);
        }
        long checked = 0;
        try (BigArray a = BigArray.open(url)) {
            // Unaligned, and past the volume's upper x and y bounds: those voxels read as the fill value 0.
            NdView v = a.read(Box.parse("-5,3,12:90,70,47"));
            for (long z = 12; z < 47; z++)
                for (long y = 3; y < 70; y++)
                    for (long x = -5; x < 90; x++) {
                        long want = x < 80 && y < 64 ? expected(x, y, z) : 0;
                        long got = v.getAsLong(x, y, z);
                        if (got != want) {
                            System.err.printf("consumer: voxel (%d, %d, %d) is %d, expected %d%n", x, y, z, got, want);
                            return 1;
                        }
                        checked++;
                    }
        }
        System.out.println("consumer: wrote a 96x64x40 uint16 box (zstd chunks), read back " + checked + " voxels, all as expected");
        return 0;
    }
}
