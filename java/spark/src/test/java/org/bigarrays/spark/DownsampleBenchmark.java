package org.bigarrays.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;

/**
 * Spark overhead of downsampling, one run each (a benchmark, not a test): the layer the ingest
 * benchmark wrote (1024×1024×256 uint8, raw 64³) is copied twice; one copy gets its pyramid from
 * {@link Pyramid#build} on 2 threads, the other from {@link SparkDownsample} on local[2] (context
 * started before the clock). Reports both times and single/Spark (the goal is ≥ 0.85).
 *
 * <p>Run: {@code java/spark/run-ingest-benchmark} first, then
 * {@code java/spark/run-ingest-benchmark --downsample [DIR]}.
 */
public final class DownsampleBenchmark {
    private DownsampleBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/bigarrays-ingest-bench");
        Path base = dir.resolve("one");
        if (!Files.exists(base.resolve("info"))) throw new IllegalStateException("no layer at " + base + ": run the ingest benchmark first");
        Path one = copy(base, dir.resolve("ds-one"));
        Path spark = copy(base, dir.resolve("ds-spark"));
        // Warm-up (not counted): mip 1 of a third copy, so neither timed run pays for the JIT or loading the kernels.
        Path warm = copy(base, dir.resolve("ds-warm"));
        try (BigArray a = BigArray.open(warm.toString(), Options.defaults().withThreads(2, 16))) {
            Pyramid.build(a, PyramidSpec.defaults().withMips(1).withCompression(Compression.NONE));
        }
        System.out.printf(Locale.ROOT, "load average before: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
        PyramidSpec spec = PyramidSpec.defaults().withCompression(Compression.NONE);
        long t0 = System.nanoTime();
        int mips;
        try (BigArray a = BigArray.open(one.toString(), Options.defaults().withThreads(2, 16))) {
            Pyramid.Result r = Pyramid.build(a, spec);
            mips = r.info().scales().size() - 1;
        }
        double single = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-44s %7.2f s (mips 1..%d)%n", "Pyramid.build, single JVM, 2 threads", single, mips);
        long c0 = System.nanoTime();
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("DownsampleBenchmark")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false");
        // As the jobs start their context: with the executor warm-up where this build has it (an older jar, compared, may not).
        try {
            Class.forName("org.bigarrays.spark.ExecutorWarmUp");
            conf.set("spark.plugins", "org.bigarrays.spark.ExecutorWarmUp");
        } catch (ClassNotFoundException e) {
            // an older build: no plugin
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            System.out.printf(Locale.ROOT, "%-44s %7.2f s (not counted)%n", "Spark context start", (System.nanoTime() - c0) / 1e9);
            TaskTimes times = new TaskTimes();
            sc.sc().addSparkListener(times);
            t0 = System.nanoTime();
            long wall0 = System.currentTimeMillis();
            long tasks = SparkDownsample.run(sc, spark.toString(), spec, Compression.NONE, 256L << 20);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%-44s %7.2f s (%d tasks)%n", "SparkDownsample, local[2]", s, tasks);
            Thread.sleep(300); // the listener bus delivers the last events asynchronously
            times.print(wall0);
            System.out.printf(Locale.ROOT, "single-JVM time / Spark time = %.2f (goal >= 0.85)%n", single / s);
            // The same job again on a fresh copy, in the same (now warm) context: how much was first-job cost.
            Path again = copy(base, dir.resolve("ds-spark2"));
            TaskTimes times2 = new TaskTimes();
            sc.sc().addSparkListener(times2);
            sc.sc().removeSparkListener(times);
            t0 = System.nanoTime();
            wall0 = System.currentTimeMillis();
            SparkDownsample.run(sc, again.toString(), spec, Compression.NONE, 256L << 20);
            double s2 = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%-44s %7.2f s (ratio %.2f)%n", "SparkDownsample, local[2], second job", s2, single / s2);
            Thread.sleep(300);
            times2.print(wall0);
        }
        System.out.printf(Locale.ROOT, "load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(Locale.ROOT, "the two pyramids are %s%n", sameFiles(one, spark) ? "identical file for file" : "DIFFERENT");
    }

    /** Where a job's time went, from Spark's own task metrics (ms since the job was called). */
    static final class TaskTimes extends org.apache.spark.scheduler.SparkListener {
        private final java.util.List<String> lines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
            lines.add(String.format(Locale.ROOT, "job %d start at %d", e.jobId(), e.time()));
        }

        @Override
        public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd e) {
            lines.add(String.format(Locale.ROOT, "job %d end at %d", e.jobId(), e.time()));
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
            var i = e.taskInfo();
            var m = e.taskMetrics();
            lines.add(String.format(Locale.ROOT, "task %d (stage %d) launch at %d finish at %d: %d ms; deserialize %d ms (cpu %d), run %d ms (cpu %d), result ser %d ms, gc %d ms",
                    i.taskId(), e.stageId(), i.launchTime(), i.finishTime(), i.duration(), m.executorDeserializeTime(),
                    m.executorDeserializeCpuTime() / 1_000_000, m.executorRunTime(), m.executorCpuTime() / 1_000_000, m.resultSerializationTime(),
                    m.jvmGCTime()));
        }

        void print(long wall0) {
            synchronized (lines) {
                for (String l : lines) {
                    // times as ms after the job was called
                    java.util.regex.Matcher mt = java.util.regex.Pattern.compile("at (\\d{13})").matcher(l);
                    StringBuilder sb = new StringBuilder();
                    while (mt.find()) mt.appendReplacement(sb, "at +" + (Long.parseLong(mt.group(1)) - wall0));
                    mt.appendTail(sb);
                    System.out.println("  " + sb);
                }
            }
        }
    }

    private static boolean sameFiles(Path a, Path b) throws IOException {
        try (Stream<Path> s = Files.walk(a)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String rel = a.relativize(f).toString();
                if (rel.endsWith(".bigarrays.lock")) continue;
                Path g = b.resolve(rel);
                if (!Files.exists(g) || Files.mismatch(f, g) != -1) return false;
            }
        }
        return true;
    }

    private static Path copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.walk(to)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                String rel = from.relativize(f).toString();
                if (rel.startsWith("ingest")) continue;
                Path t = to.resolve(rel);
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }
}
