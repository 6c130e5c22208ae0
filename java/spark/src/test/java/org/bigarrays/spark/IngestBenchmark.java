package org.bigarrays.spark;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.ingest.IngestPlan;
import org.bigarrays.precomputed.Info;

/**
 * Ingest throughput, one run of each (a benchmark, not a test): a generated W×W×D uint8 TIFF
 * stack (one file per slice, uncompressed; in the page cache after writing) is (1) only decoded,
 * box by box as ingest reads it, on all cores: the limit; (2) ingested by one JVM
 * ({@link Ingest#run}); (3) ingested by Spark on local[2] ({@link SparkIngest#run}), the context
 * started before the clock starts. Raw encoding, 64³ chunks, file store.
 *
 * <p>Run: {@code java/spark/run-ingest-benchmark [DIR] [W] [D]} (defaults /tmp/bigarrays-ingest-bench 1024 256).
 */
public final class IngestBenchmark {
    private IngestBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/bigarrays-ingest-bench");
        int w = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int d = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Path src = dir.resolve("tiffs");
        generate(src, w, d);
        double mb = (double) w * w * d / 1e6;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "stack: %d TIFF slices %dx%d uint8 (%.1f MB) in %s; %d cores; %s%n", d, w, w, mb, src, cores,
                System.getProperty("java.vm.version"));
        ExecutorService workers = Executors.newFixedThreadPool(cores);
        ImageSlices slices = ImageSlices.scan(ImageSlices.listFiles(src.toString()), workers);
        Info info = Info.builder(slices.dataType(), new long[] {w, w, d}, new long[] {64, 64, 64}).build();

        // Warm-up (not counted): decode one box's worth of slices, so the first figure is not the JIT's.
        try (BigArray layout = BigArray.create(dir.resolve("warm").toString(), info); Arena a = Arena.ofShared()) {
            Ingest.read(slices, layout, Box.parse("0,0,0:" + w + "," + w + "," + Math.min(d, 64)), a, workers);
        } finally {
            delete(dir.resolve("warm"));
        }
        System.out.printf(Locale.ROOT, "load average before: %s%n", loadAverage());

        // (1) Decode only: the same boxes, each into new memory.
        Path probe = dir.resolve("probe");
        delete(probe);
        long t0 = System.nanoTime();
        try (BigArray layout = BigArray.create(probe.toString(), info)) {
            for (Box b : IngestPlan.boxes(layout, IngestPlan.DEFAULT_BOX_BYTES)) {
                try (Arena box = Arena.ofShared()) {
                    Ingest.read(slices, layout, b, box, workers);
                }
            }
        }
        report("read TIFFs only (" + cores + " decode threads)", mb, t0);

        // (2) One JVM.
        Path one = dir.resolve("one");
        delete(one);
        t0 = System.nanoTime();
        Ingest.run(slices, slices.fingerprint(), one.toString(), info, Options.defaults().withCompression(Compression.NONE), IngestPlan.DEFAULT_BOX_BYTES);
        report("bigarrays ingest, single JVM (" + cores + " threads)", mb, t0);

        // (3) Spark local[2].
        Path spark = dir.resolve("spark");
        delete(spark);
        long s0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("IngestBenchmark")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false"))) {
            sc.setLogLevel("WARN");
            System.out.printf(Locale.ROOT, "  (Spark context started in %.2f s, not counted)%n", (System.nanoTime() - s0) / 1e9);
            t0 = System.nanoTime();
            SparkIngest.run(sc, slices, slices.fingerprint(), spark.toString(), info, Compression.NONE, IngestPlan.DEFAULT_BOX_BYTES);
            report("Spark ingest, local[2]", mb, t0);
            // (3b) smaller tasks: 64 MiB boxes are 1024x1024x64 here; 16 MiB gives 16 tasks.
            Path spark16 = dir.resolve("spark16");
            delete(spark16);
            t0 = System.nanoTime();
            SparkIngest.run(sc, slices, slices.fingerprint(), spark16.toString(), info, Compression.NONE, 16L << 20);
            report("Spark ingest, local[2], 16 MiB tasks", mb, t0);
        }
        workers.shutdownNow();
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void report(String what, double mb, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-48s %7.2f s %8.1f MB/s%n", what, s, mb / s);
    }

    /** W×W uint8 slices with a varied pattern, written once (kept between runs). */
    private static void generate(Path dir, int w, int d) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            if (s.count() == d) return;
        }
        BufferedImage img = new BufferedImage(w, w, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int z = 0; z < d; z++) {
            for (int i = 0; i < px.length; i++) px[i] = (byte) ((i % w) * 7 + (i / w) * 13 + z * 31 + ((i * 2654435761L) >>> 28));
            ImageIO.write(img, "tiff", dir.resolve("slice" + z + ".tif").toFile());
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
