package org.bigarrays.chunk;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.CompressedSegmentation;

/**
 * The writer process of {@link CrashRecoveryTest}: rewrites random boxes of a uint16 layer
 * through the public API until it is killed. Every voxel a write stores equals the write's
 * generation, so the bytes on disk say which write produced them. Writes alternate raw and gzip
 * (by generation); one in three is an unaligned read-modify-write, the others are chunk-aligned.
 *
 * <p>Arguments: {@code <layer url> <journal file> <seed> <first generation> [sharded]}; on a
 * sharded layer every write is a read-modify-write (of the shards it covers in part). Before each write
 * it appends {@code start <generation> <rmw|aligned> <compression> <box>} to the journal, after
 * it {@code done <generation>}; first of all {@code native <whether libbigarrays loaded>}. A
 * line is one write(2) to the file, which a SIGKILL cannot tear, and it is in the page cache
 * (visible to the test) before the data write begins.
 */
final class KilledWriter {
    private KilledWriter() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Random rnd = new Random(Long.parseLong(args[2]));
        int generation = Integer.parseInt(args[3]);
        boolean sharded = args.length > 4 && Boolean.parseBoolean(args[4]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // never outlive a test that died
        try (FileChannel journal = FileChannel.open(Path.of(args[1]), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
             BigArray a = BigArray.open(url)) {
            // Loads libbigarrays (extracting it) before the first write, so no kill lands in the extraction.
            append(journal, "native " + CompressedSegmentation.available());
            long[] size = a.bounds().max();
            long[] chunk = a.chunkShape();
            while (System.nanoTime() < deadline && generation <= 0xFFFF) {
                boolean rmw = sharded || rnd.nextInt(3) == 0;
                Compression c = generation % 2 == 0 ? Compression.GZIP : Compression.NONE;
                long[] min = new long[3];
                long[] max = new long[3];
                for (int i = 0; i < 3; i++) {
                    if (rmw && !(sharded && rnd.nextInt(3) == 0)) {
                        min[i] = rnd.nextLong(size[i]);
                        max[i] = min[i] + 1 + rnd.nextLong(size[i] - min[i]);
                    } else {
                        long cells = Math.ceilDiv(size[i], chunk[i]);
                        long lo = rnd.nextLong(cells);
                        long hi = lo + 1 + rnd.nextLong(cells - lo);
                        min[i] = lo * chunk[i];
                        max[i] = Math.min(hi * chunk[i], size[i]);
                    }
                }
                Box box = Box.of(min, max);
                NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {min[0], min[1], min[2], 0},
                        new long[] {box.size(0), box.size(1), box.size(2), 1});
                v.fill(generation);
                append(journal, "start " + generation + " " + (rmw ? "rmw" : "aligned") + " " + c + " " + box.min(0) + "," + box.min(1) + ","
                        + box.min(2) + ":" + box.max(0) + "," + box.max(1) + "," + box.max(2));
                a.withOptions(Options.defaults().withThreads(2, 4).withCompression(c).withReadModifyWrite(rmw)).write(v);
                append(journal, "done " + generation);
                generation++;
            }
        }
    }

    private static void append(FileChannel journal, String line) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) journal.write(b);
    }
}
