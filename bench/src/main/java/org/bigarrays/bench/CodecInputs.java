package org.bigarrays.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.codec.Compression;

/**
 * Writes the benchmark's chunks, compressed by this library, to a folder, so the command-line
 * tools ({@code gzip -d}, {@code libdeflate-gunzip}, {@code zstd -d}, {@code lz4 -d}) can be
 * timed on the same bytes: {@code <data>.raw} and {@code <data>.x<N>.{gz,zst,lz4}}, the
 * compressed chunk repeated N times as concatenated members/frames (to amortize process start).
 * Usage: {@code CodecInputs DIR [N]}.
 */
public final class CodecInputs {
    private CodecInputs() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int copies = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Files.createDirectories(dir);
        for (String data : new String[] {"em", "labels"}) {
            byte[] raw = CodecBenchmark.dataFor(data);
            Files.write(dir.resolve(data + ".raw"), raw);
            for (Compression c : new Compression[] {Compression.GZIP, Compression.ZSTD, Compression.LZ4}) {
                byte[] packed = c.compress(MemorySegment.ofArray(raw)).toArray(ValueLayout.JAVA_BYTE);
                String ext = switch (c) { case GZIP -> "gz"; case ZSTD -> "zst"; default -> "lz4"; };
                try (OutputStream o = Files.newOutputStream(dir.resolve(data + ".x" + copies + "." + ext))) {
                    for (int i = 0; i < copies; i++) o.write(packed);
                }
                System.out.printf("%s %s %d -> %d%n", data, ext, raw.length, packed.length);
            }
        }
    }
}
