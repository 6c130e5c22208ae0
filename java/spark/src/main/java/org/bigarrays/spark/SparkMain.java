package org.bigarrays.spark;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.options.CompressOption;
import org.bigarrays.options.EncodingOptions;
import org.bigarrays.options.LayerOptions;
import org.bigarrays.options.PyramidOptions;
import org.bigarrays.options.RestartOption;
import org.bigarrays.options.ZstdLevelOption;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bigarrays spark ingest|transcode ...}: the jobs on Spark, {@code local[N]} by default
 * or any master ({@code spark-submit} sets it). Exit codes as the CLI's: 0 ok, 1 failure, 2 bad
 * input; errors on one line, naming the box when a task failed.
 */
@Command(name = "bigarrays spark", mixinStandardHelpOptions = true,
        description = "Run BigArrays jobs on Apache Spark (local[N] by default; spark-submit for a cluster).",
        subcommands = {SparkMain.IngestJob.class, SparkMain.TranscodeJob.class, SparkMain.DownsampleJob.class})
public final class SparkMain implements Runnable {
    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing job: ingest, transcode or downsample");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("bigarrays spark: error: " + oneLine(ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            err.flush();
            return ex instanceof InvalidInputException || ex instanceof FormatException && !(ex instanceof CorruptChunkException) ? 2 : 1;
        });
        return cl.execute(args);
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /**
     * Options shared by the jobs: Spark's own (--master, --box-mb) and the CLI's --compress,
     * --zstd-level and --restart, as mixins of the options module (so that both read and document them alike).
     */
    static class SparkOptions {
        @Option(names = "--master", description = "Spark master (default: spark.master as spark-submit sets it, else local[<cores>,2]: 2 attempts a task)")
        String master;

        @Mixin
        CompressOption compress;

        @Mixin
        RestartOption restartOption;

        @Mixin
        ZstdLevelOption zstdLevel;

        /** The --zstd-level given (else the default), refused before the context starts when outside zstd's range. */
        int zstdLevel() {
            zstdLevel.check();
            return zstdLevel.level();
        }

        /** The --compress given, else {@code dflt}. */
        Compression compression(Compression dflt) {
            return compress.compression(dflt);
        }

        /** Whether --restart was given. */
        boolean restart() {
            return restartOption.restart();
        }

        @Option(names = "--box-mb", defaultValue = "256", description = "voxels of one task in MiB (ingest: keep it the same when resuming)")
        long boxMb;

        /** A context on loopback for local masters; a cluster's settings come from spark-submit. */
        JavaSparkContext start(String app) {
            SparkConf conf = new SparkConf().setAppName(app);
            String m = master != null ? master : conf.get("spark.master", "local[" + Runtime.getRuntime().availableProcessors() + ",2]");
            conf.setMaster(m);
            // Executors warm up before their first task (ExecutorWarmUp), beside any plugins given.
            String plugins = conf.get("spark.plugins", "");
            if (!plugins.contains(ExecutorWarmUp.class.getName())) {
                conf.set("spark.plugins", plugins.isEmpty() ? ExecutorWarmUp.class.getName() : plugins + "," + ExecutorWarmUp.class.getName());
            }
            if (m.startsWith("local")) {
                conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1")
                        .setIfMissing("spark.ui.enabled", "false");
            }
            JavaSparkContext sc = new JavaSparkContext(conf);
            sc.setLogLevel("WARN");
            return sc;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Ingest a directory or glob of 2-D image slices (or one 3-D TIFF) into new layer DST, one Spark task per box; resumable.")
    static final class IngestJob implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC", description = "directory, glob or multi-page TIFF, at the same path on every executor")
        String src;

        @Parameters(index = "1", paramLabel = "DST")
        String dst;

        @Option(names = "--dtype", description = "layer data type (default: the images')")
        String dtype;

        @Mixin
        LayerOptions layer;

        @Mixin
        EncodingOptions enc;

        @Option(names = "--downsample", description = "then build the pyramid on Spark (as the downsample job with its defaults)")
        boolean downsample;

        @Mixin
        org.bigarrays.options.FormatOption format;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            int level = spark.zstdLevel();
            ExecutorService headers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().daemon(true).factory());
            ImageSlices slices;
            try {
                slices = ImageSlices.scan(ImageSlices.listFiles(ImageSlices.localPath(src)), headers);
            } finally {
                headers.shutdownNow();
            }
            DataType dt = dtype == null ? slices.dataType() : DataType.of(dtype);
            Info info = info(slices.shape(), dt);
            try (JavaSparkContext sc = spark.start("bigarrays ingest " + src)) {
                Ingest.Result r = SparkIngest.run(sc, slices, slices.fingerprint(), dst, info, spark.compression(Compression.NONE), spark.boxMb << 20, spark.restart(),
                        format.format(), level);
                double secs = (System.nanoTime() - t0) / 1e9;
                double mb = r.voxelsWritten() * dt.size() * info.numChannels() / 1e6;
                System.err.printf(java.util.Locale.ROOT, "ingested %s -> %s on %s: %d box(es) written, %d already done, %.1f MB in %.2f s (%.1f MB/s)%n",
                        src, dst, sc.master(), r.boxesWritten(), r.boxesSkipped(), mb, secs, mb / secs);
                if (downsample) {
                    long tasks = SparkDownsample.run(sc, dst, org.bigarrays.array.PyramidSpec.defaults(), spark.compression(null), spark.boxMb << 20, spark.restart(),
                            level);
                    System.err.printf(java.util.Locale.ROOT, "downsampled %s on %s: %d task(s)%n", dst, sc.master(), tasks);
                }
            }
            return 0;
        }

        Info info(long[] sh, DataType dt) {
            long[] size = {sh[0], sh[1], sh[2]};
            long[] ch = layer.chunk(size);
            InfoBuilder b = layer.builder(dt, size, Math.toIntExact(sh[3]));
            b.build();
            ShardingSpec spec = enc.sharding(size, ch, (long) dt.size() * sh[3]);
            if (spec != null) b.sharding(spec);
            Info info = b.build();
            EncodingSpec encoding = enc.spec();
            return encoding == null ? info : encoding.applyTo(info);
        }
    }

    @Command(name = "transcode", mixinStandardHelpOptions = true,
            description = "Copy layer SRC to new layer DST with another encoding, compression or (spatial) sharding, one Spark task per box.")
    static final class TranscodeJob implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SRC")
        String src;

        @Parameters(index = "1", paramLabel = "DST")
        String dst;

        @Mixin
        EncodingOptions enc;

        @Mixin
        org.bigarrays.options.FormatOption format;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            int level = spark.zstdLevel();
            Optional<ShardingSpec> sh = null;
            if (this.enc.unshards()) {
                sh = Optional.empty();
            } else if (this.enc.shards()) {
                try (BigArray s = BigArray.open(src)) {
                    sh = Optional.of(this.enc.sharding(s.bounds().shape(), s.chunkShape(), (long) s.dataType().size() * s.channels()));
                }
            }
            EncodingSpec enc = this.enc.spec();
            try (JavaSparkContext sc = spark.start("bigarrays transcode " + src)) {
                long tasks = SparkTranscode.run(sc, src, dst, enc, sh, spark.compression(Compression.NONE), spark.boxMb << 20, spark.restart(), format.format(),
                        level);
                System.err.printf(java.util.Locale.ROOT, "transcoded %s -> %s on %s: %d task(s) in %.2f s%n", src, dst, sc.master(), tasks,
                        (System.nanoTime() - t0) / 1e9);
            }
            return 0;
        }
    }

    @Command(name = "downsample", mixinStandardHelpOptions = true,
            description = "Add or fill mips 1..N of layer URL (the pyramid), mip by mip, one Spark task per box of each mip.")
    static final class DownsampleJob implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "URL")
        String url;

        @Mixin
        PyramidOptions pyramid;

        @Mixin
        SparkOptions spark;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            int level = spark.zstdLevel();
            org.bigarrays.array.PyramidSpec spec = pyramid.apply(org.bigarrays.array.PyramidSpec.defaults());
            try (JavaSparkContext sc = spark.start("bigarrays downsample " + url)) {
                long tasks = SparkDownsample.run(sc, url, spec, spark.compression(null), spark.boxMb << 20, spark.restart(), level);
                System.err.printf(java.util.Locale.ROOT, "downsampled %s on %s: %d task(s) in %.2f s%n", url, sc.master(), tasks, (System.nanoTime() - t0) / 1e9);
            }
            return 0;
        }
    }

}
