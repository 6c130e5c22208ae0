package org.bigarrays.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The training run for the JDK's ahead-of-time cache (JEP 483/514/515) of {@code bigarrays spark}:
 * the launcher runs {@code java -XX:AOTCacheOutput=... -cp <the module's class path>
 * org.bigarrays.spark.SparkAotTraining} once per build. On {@code local[N]} the driver JVM is the
 * executor, so one small job of each kind (ingest of a few TIFF slices, transcode to gzip,
 * downsample, in tasks of a few chunks) loads, links and profiles both Spark's scheduler,
 * serializer and task paths and ours into the cache, and a later job's first tasks start from
 * it instead of loading ~10,000 classes. Output is discarded; a failing step fails the training
 * (exit 1), and the launcher then runs without a cache.
 */
final class SparkAotTraining {
    private SparkAotTraining() {}

    public static void main(String[] args) throws IOException {
        System.exit(train() == 0 ? 0 : 1);
    }

    /** Run every step in a temporary directory (removed after); 0 when all succeeded, else the failing step's exit code. */
    static int train() throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-spark-aot-training");
        PrintStream err = System.err;
        int rc = 0;
        try {
            Path tiffs = Files.createDirectory(dir.resolve("tiffs"));
            for (int z = 0; z < 16; z++) {
                BufferedImage im = new BufferedImage(128, 128, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 128; y++) for (int x = 0; x < 128; x++) im.getRaster().setSample(x, y, 0, (x * 7 + y * 3 + z * 11) & 0xff);
                ImageIO.write(im, "tiff", tiffs.resolve(String.format(java.util.Locale.ROOT, "z%02d.tif", z)).toFile());
            }
            String a = dir.resolve("a").toUri().toString();
            String b = dir.resolve("b").toUri().toString();
            String master = "local[2]";
            List<String[]> steps = List.of(
                    new String[] {"ingest", tiffs.toString(), a, "--chunk", "32,32,8", "--box-mb", "1", "--master", master},
                    new String[] {"transcode", a, b, "--compress", "gzip", "--box-mb", "1", "--master", master},
                    new String[] {"downsample", a, "--box-mb", "1", "--master", master});
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            for (String[] step : steps) {
                rc = SparkMain.run(step);
                if (rc != 0) {
                    err.println("bigarrays spark: AOT training step failed (exit " + rc + "): " + String.join(" ", step));
                    break;
                }
            }
        } finally {
            System.setErr(err);
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        return rc;
    }
}
