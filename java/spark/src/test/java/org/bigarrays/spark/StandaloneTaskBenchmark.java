package org.bigarrays.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;

/**
 * Per-task cost on new executors of a Spark standalone cluster (a benchmark, not a test; issue 25
 * goal 6): {@link SparkDownsample} of a copy of the ingest benchmark's layer in small tasks
 * ({@code --box-mb}-like budget BOX_MB, default 2) on MASTER; a listener records every task's
 * executor, launch time and duration; printed: per executor, its first task's duration against
 * the median task of the job, the largest such ratio, and the largest ratio of the next three
 * tasks of an executor (the goal is ≤ 2). Executor JVM options come
 * from {@code spark.executor.extraJavaOptions} (the script sets them, with or without an AOT cache).
 *
 * <p>Run: {@code java/spark/run-standalone-benchmark [DIR]}.
 */
public final class StandaloneTaskBenchmark {
    private StandaloneTaskBenchmark() {}

    record Task(String executor, long launch, long duration, long run, long deserialize) {}

    public static void main(String[] args) throws Exception {
        String master = args[0];
        Path dir = Path.of(args[1]);
        String label = args[2];
        long boxMb = args.length > 3 ? Long.parseLong(args[3]) : 2;
        Path base = dir.resolve("one");
        Path copy = dir.resolve("sa-" + label);
        if (Files.exists(copy)) {
            try (Stream<Path> s = Files.walk(copy)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        try (Stream<Path> s = Files.walk(base)) {
            for (Path f : s.toList()) {
                String rel = base.relativize(f).toString();
                if (rel.startsWith("ingest")) continue;
                Path t = copy.resolve(rel);
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t);
            }
        }
        ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
        SparkConf conf = new SparkConf().setMaster(master).setAppName("StandaloneTaskBenchmark " + label);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd e) {
                    var i = e.taskInfo();
                    var m = e.taskMetrics();
                    tasks.add(new Task(i.executorId(), i.launchTime(), i.duration(), m == null ? -1 : m.executorRunTime(),
                            m == null ? -1 : m.executorDeserializeTime()));
                }
            });
            long t0 = System.nanoTime();
            long n = SparkDownsample.run(sc, copy.toString(), PyramidSpec.defaults().withCompression(Compression.NONE), Compression.NONE, boxMb << 20);
            double secs = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(500); // the listener bus delivers the last task ends asynchronously
            List<Task> all = new ArrayList<>(tasks);
            long[] d = all.stream().mapToLong(Task::duration).sorted().toArray();
            double median = d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2.0;
            Map<String, List<Task>> byExec = new TreeMap<>();
            for (Task t : all) byExec.computeIfAbsent(t.executor(), k -> new ArrayList<>()).add(t);
            System.out.printf(Locale.ROOT, "[%s] %d tasks in %.2f s on %d executor(s); median task %.0f ms%n", label, n, secs, byExec.size(), median);
            double worst = 0;
            double worstAfter = 0;
            double worstRest = 0;
            for (var e : byExec.entrySet()) {
                List<Task> ts = e.getValue();
                ts.sort(Comparator.comparingLong(Task::launch));
                Task first = ts.get(0);
                Task second = ts.size() > 1 ? ts.get(1) : first;
                worst = Math.max(worst, first.duration() / median);
                for (int i = 1; i < Math.min(4, ts.size()); i++) worstAfter = Math.max(worstAfter, ts.get(i).duration() / median);
                for (int i = 1; i < ts.size(); i++) worstRest = Math.max(worstRest, ts.get(i).duration() / median);
                System.out.printf(Locale.ROOT, "[%s]   executor %s: %d tasks; first %d ms (deserialize %d, run %d) = %.1f x median; second %d ms%n", label,
                        e.getKey(), ts.size(), first.duration(), first.deserialize(), first.run(), first.duration() / median, second.duration());
            }
            System.out.printf(Locale.ROOT, "[%s] largest first task / median = %.1f; largest of tasks 2..4 of an executor / median = %.1f;"
                    + " largest of all tasks after an executor's first / median = %.1f (goal <= 2)%n", label, worst, worstAfter, worstRest);
        }
    }
}
