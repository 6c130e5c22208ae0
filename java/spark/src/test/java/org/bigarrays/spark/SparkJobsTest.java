package org.bigarrays.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.array.Transcode;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.ingest.Stacks;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on local[2] (two attempts a task), one context for the class: each job's layer
 * equals the single-JVM command's chunk for chunk, also when a task fails on its first attempt;
 * failures name the box (and the file).
 */
class SparkJobsTest {
    private static JavaSparkContext sc;
    private static ExecutorService workers;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("SparkJobsTest")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false"));
        workers = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() {
        sc.stop();
        workers.shutdownNow();
    }

    /**
     * Wait until no task is running: a failed job is reported while its other tasks may still be
     * writing (Spark does not wait for them), and the temporary directory is deleted next.
     */
    private static void quiesce() throws InterruptedException {
        while (java.util.Arrays.stream(sc.sc().statusTracker().getExecutorInfos()).anyMatch(e -> e.numRunningTasks() > 0)) Thread.sleep(20);
    }

    @AfterEach
    void noInjection() throws InterruptedException {
        quiesce();
        FlakyStoreProvider.failKey = null;
        FlakyStoreProvider.ARMED.set(false);
        FlakyStoreProvider.FAIL_TIMES.set(0);
    }

    /** Every stored file of a layer (chunks, shards, info, and a job record left behind) by key, the file store's lock files left out. */
    private static Map<String, byte[]> files(Path layer) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(layer)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String k = layer.relativize(p).toString();
                if (k.endsWith(".bigarrays.lock")) continue;
                // By chunk key: the flaky:// test store wraps the file store, so its chunks keep the
                // plain name where file:// layers use CloudFiles' <key>.gz / .zstd (ChunkNamesTest covers names).
                out.put(k.replaceFirst("\\.(gz|zstd)$", ""), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void assertSameFiles(Path want, Path got) {
        Map<String, byte[]> a = files(want);
        Map<String, byte[]> b = files(got);
        assertEquals(a.keySet(), b.keySet(), "the same keys");
        assertTrue(a.size() > 2, "chunks were written: " + a.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), "bytes of " + k);
    }

    private ImageSlices stack(String name, DataType t, int w, int h, int d) {
        Stacks.writeSlices(tmp.resolve(name), "z", "tif", t, w, h, d, 1);
        return ImageSlices.scan(ImageSlices.listFiles(tmp.resolve(name).toString()), workers);
    }

    private static Info info(DataType t, long[] size, long[] chunk, ShardingSpec sharding) {
        var b = Info.builder(t, size, chunk).offset(3, 4, 5);
        if (sharding != null) b.sharding(sharding);
        return b.build();
    }

    @Test
    void ingestEqualsTheSingleJvmIngestChunkForChunk() {
        ImageSlices s = stack("src", DataType.UINT16, 70, 50, 12);
        long[] size = {70, 50, 12};
        long[] chunk = {16, 16, 4};
        long box = 70 * 16 * 4 * 2;
        Info plain = info(DataType.UINT16, size, chunk, null);
        Ingest.run(s, s.fingerprint(), tmp.resolve("one").toString(), plain, Options.defaults().withCompression(Compression.GZIP), box);
        Ingest.Result r = SparkIngest.run(sc, s, s.fingerprint(), tmp.resolve("spark").toString(), plain, Compression.GZIP, box);
        assertEquals(12, r.boxesWritten());
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));

        ShardingSpec spec = ShardingPlanner.forImage(size, chunk, 2, 4L * 16 * 16 * 4 * 2, 1 << 20, 1 << 20);
        Info sharded = info(DataType.UINT16, size, chunk, spec);
        Ingest.run(s, s.fingerprint(), tmp.resolve("one-sh").toString(), sharded, Options.defaults(), box);
        SparkIngest.run(sc, s, s.fingerprint(), tmp.resolve("spark-sh").toString(), sharded, Compression.NONE, box);
        assertSameFiles(tmp.resolve("one-sh"), tmp.resolve("spark-sh"));
    }

    @Test
    void ingestWithATaskKilledOnceIsExact() {
        ImageSlices s = stack("src", DataType.UINT8, 40, 40, 8);
        Info info = info(DataType.UINT8, new long[] {40, 40, 8}, new long[] {16, 16, 2}, null);
        long box = 40 * 16 * 2;
        Ingest.run(s, s.fingerprint(), tmp.resolve("one").toString(), info, Options.defaults(), box);
        // The second chunk of a middle box fails on its task's first attempt, after its first chunk was stored.
        FlakyStoreProvider.failKey = "19-35_20-36_9-11";
        FlakyStoreProvider.ARMED.set(true);
        int before = FlakyStoreProvider.INJECTED.get();
        SparkIngest.run(sc, s, s.fingerprint(), "flaky://" + tmp.resolve("spark") + "/", info, Compression.NONE, box);
        assertEquals(before + 1, FlakyStoreProvider.INJECTED.get(), "one task failed once");
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
    }

    @Test
    void ingestOfACorruptSliceFailsNamingTheFileAndBox() throws IOException {
        List<Path> files = Stacks.writeSlices(tmp.resolve("bad"), "z", "png", DataType.UINT8, 64, 64, 4, 1);
        byte[] b = Files.readAllBytes(files.get(2));
        int idat = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("IDAT");
        java.util.Arrays.fill(b, idat + 6, Math.min(b.length - 12, idat + 40), (byte) 0xff);
        Files.write(files.get(2), b);
        ImageSlices s = ImageSlices.scan(files, workers);
        Info info = info(DataType.UINT8, new long[] {64, 64, 4}, new long[] {32, 32, 2}, null);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SparkIngest.run(sc, s, s.fingerprint(), tmp.resolve("d").toString(), info, Compression.NONE, 64 * 32 * 2));
        assertTrue(e.getMessage().contains("z2.png") && e.getMessage().contains("box 3,"), e.getMessage());
    }

    private Path sourceLayer() {
        ImageSlices s = stack("src", DataType.UINT16, 70, 50, 12);
        Info info = info(DataType.UINT16, new long[] {70, 50, 12}, new long[] {16, 16, 4}, null);
        Path src = tmp.resolve("layer");
        Ingest.run(s, s.fingerprint(), src.toString(), info, Options.defaults(), 1 << 20);
        try {
            Files.delete(src.resolve("1_1_1/19-35_20-36_9-13")); // a missing chunk must stay missing
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return src;
    }

    @Test
    void transcodeEqualsTheSingleJvmTranscodeChunkForChunk() {
        Path src = sourceLayer();
        Transcode.run(src.toString(), tmp.resolve("one").toString(), null, Options.defaults().withCompression(Compression.GZIP));
        long tasks = SparkTranscode.run(sc, src.toString(), tmp.resolve("spark").toString(), null, null, Compression.GZIP, 70 * 16 * 4 * 2);
        assertEquals(12, tasks);
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
        assertTrue(!Files.exists(tmp.resolve("spark/1_1_1/19-35_20-36_9-13")), "missing stays missing");

        ShardingSpec spec = ShardingPlanner.forImage(new long[] {70, 50, 12}, new long[] {16, 16, 4}, 2, 4L * 16 * 16 * 4 * 2, 1 << 20, 1 << 20);
        Transcode.run(src.toString(), tmp.resolve("one-sh").toString(), null, Optional.of(spec), Options.defaults());
        SparkTranscode.run(sc, src.toString(), tmp.resolve("spark-sh").toString(), null, Optional.of(spec), Compression.NONE, 1);
        assertSameFiles(tmp.resolve("one-sh"), tmp.resolve("spark-sh"));

        // And back: unshard.
        Transcode.run(tmp.resolve("one-sh").toString(), tmp.resolve("one-un").toString(), null, Optional.empty(), Options.defaults());
        SparkTranscode.run(sc, tmp.resolve("one-sh").toString(), tmp.resolve("spark-un").toString(), null, Optional.empty(), Compression.NONE, 1 << 20);
        assertSameFiles(tmp.resolve("one-un"), tmp.resolve("spark-un"));
    }

    @Test
    void transcodeWithATaskKilledOnceIsExact() {
        Path src = sourceLayer();
        Transcode.run(src.toString(), tmp.resolve("one").toString(), null, Options.defaults().withCompression(Compression.ZSTD));
        FlakyStoreProvider.failKey = "35-51_20-36_9-13";
        FlakyStoreProvider.ARMED.set(true);
        int before = FlakyStoreProvider.INJECTED.get();
        SparkTranscode.run(sc, src.toString(), "flaky://" + tmp.resolve("spark") + "/", null, null, Compression.ZSTD, 70 * 16 * 4 * 2);
        assertEquals(before + 1, FlakyStoreProvider.INJECTED.get());
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
    }

    @Test
    void aFailedJobPublishesNothingAndItsRerunResumes() throws InterruptedException {
        Path src = sourceLayer();
        Transcode.run(src.toString(), tmp.resolve("one").toString(), null, Options.defaults().withCompression(Compression.GZIP));
        // One box fails on every attempt: the job fails after the other boxes committed their markers.
        FlakyStoreProvider.failKey = "35-51_20-36_9-13";
        FlakyStoreProvider.FAIL_TIMES.set(2);
        String dst = "flaky://" + tmp.resolve("spark") + "/";
        long box = 70 * 16 * 4 * 2;
        assertThrows(RuntimeException.class, () -> SparkTranscode.run(sc, src.toString(), dst, null, null, Compression.GZIP, box));
        quiesce();
        assertTrue(!Files.exists(tmp.resolve("spark/info")), "nothing is published before every box is written");
        assertThrows(InvalidInputException.class, () -> BigArray.open(tmp.resolve("spark").toString()).close());
        int done;
        try (Stream<Path> m = Files.list(tmp.resolve("spark").resolve(JobRecord.DONE_PREFIX))) {
            done = (int) m.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(done > 0 && done < 12, "some boxes committed their markers: " + done);
        // Other settings are refused, naming what differs; the same settings resume.
        InvalidInputException other = assertThrows(InvalidInputException.class,
                () -> SparkTranscode.run(sc, src.toString(), dst, null, null, Compression.NONE, box));
        assertTrue(other.getMessage().contains("compression: recorded 'gzip', now 'none'"), other.getMessage());
        SparkTranscode.run(sc, src.toString(), dst, null, null, Compression.GZIP, box);
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
    }

    @Test
    void downsampleEqualsTheSingleJvmPyramidChunkForChunk() {
        ImageSlices s = stack("src", DataType.UINT16, 70, 50, 12);
        Info info = info(DataType.UINT16, new long[] {70, 50, 12}, new long[] {16, 16, 4}, null);
        Ingest.run(s, s.fingerprint(), tmp.resolve("one").toString(), info, Options.defaults(), 1 << 20);
        Ingest.run(s, s.fingerprint(), tmp.resolve("spark").toString(), info, Options.defaults(), 1 << 20);
        org.bigarrays.array.PyramidSpec spec = org.bigarrays.array.PyramidSpec.defaults().withMips(2).withCompression(Compression.GZIP);
        try (BigArray a = BigArray.open(tmp.resolve("one").toString(), Options.defaults().withThreads(2, 16))) {
            org.bigarrays.array.Pyramid.build(a, spec);
        }
        long tasks = SparkDownsample.run(sc, tmp.resolve("spark").toString(), spec, Compression.GZIP, 16 * 16 * 4 * 8 * 2 * 2);
        assertTrue(tasks > 4, "tasks: " + tasks);
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
        try (BigArray b = BigArray.open(tmp.resolve("spark").toString())) {
            assertEquals(3, b.info().scales().size());
        }
    }

    /**
     * A pyramid whose mip 0 is under the least task size is one task: mip 1 computed from one
     * read of mip 0, each mip above from the one below in memory; equal to the single-JVM
     * pyramid chunk for chunk (odd sizes and an offset, so edges are cut).
     */
    @Test
    void aSmallPyramidIsOneTaskAndEqualsTheSingleJvmPyramid() {
        ImageSlices s = stack("src", DataType.UINT16, 70, 50, 12);
        Info info = info(DataType.UINT16, new long[] {70, 50, 12}, new long[] {16, 16, 4}, null);
        Ingest.run(s, s.fingerprint(), tmp.resolve("one").toString(), info, Options.defaults(), 1 << 20);
        Ingest.run(s, s.fingerprint(), tmp.resolve("spark").toString(), info, Options.defaults(), 1 << 20);
        org.bigarrays.array.PyramidSpec spec = org.bigarrays.array.PyramidSpec.defaults().withMips(3).withCompression(Compression.GZIP);
        try (BigArray a = BigArray.open(tmp.resolve("one").toString(), Options.defaults().withThreads(2, 16))) {
            org.bigarrays.array.Pyramid.build(a, spec);
        }
        long tasks = SparkDownsample.run(sc, tmp.resolve("spark").toString(), spec, Compression.GZIP, 256L << 20);
        assertEquals(1, tasks, "70x50x12 uint16 is under " + SparkDownsample.MIN_TASK_BYTES + " bytes: one task");
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
        try (BigArray b = BigArray.open(tmp.resolve("spark").toString())) {
            assertEquals(4, b.info().scales().size());
        }
    }

    /**
     * The jobs write zstd at the level given, as the single-JVM commands do: chunk for chunk the
     * same bytes as {@code Transcode.run} and {@code Pyramid.build} at that level, not those of
     * the default level; the level is part of the job's record.
     */
    @Test
    void jobsWriteZstdAtTheLevelGiven() {
        Path src = sourceLayer();
        Transcode.run(src.toString(), tmp.resolve("one").toString(), null, Options.defaults().withCompression(Compression.ZSTD).withZstdLevel(19));
        Transcode.run(src.toString(), tmp.resolve("one-3").toString(), null, Options.defaults().withCompression(Compression.ZSTD));
        SparkTranscode.run(sc, src.toString(), tmp.resolve("spark").toString(), null, null, Compression.ZSTD, 70 * 16 * 4 * 2, false, null, 19);
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));
        Map<String, byte[]> at19 = files(tmp.resolve("spark"));
        Map<String, byte[]> at3 = files(tmp.resolve("one-3"));
        assertTrue(at3.keySet().stream().filter(k -> !k.equals("info")).anyMatch(k -> !java.util.Arrays.equals(at3.get(k), at19.get(k))),
                "level 19 wrote other bytes than level 3");

        org.bigarrays.array.PyramidSpec spec = org.bigarrays.array.PyramidSpec.defaults().withMips(2).withCompression(Compression.ZSTD);
        try (BigArray a = BigArray.open(tmp.resolve("one").toString(), Options.defaults().withThreads(2, 16))) {
            org.bigarrays.array.Pyramid.build(a.withOptions(a.options().withZstdLevel(19)), spec);
        }
        SparkDownsample.run(sc, tmp.resolve("spark").toString(), spec, Compression.ZSTD, 256L << 20, false, 19);
        assertSameFiles(tmp.resolve("one"), tmp.resolve("spark"));

        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> SparkTranscode.run(sc, src.toString(), tmp.resolve("bad").toString(), null, null, Compression.ZSTD, 1 << 20, false, null, 23));
        assertTrue(bad.getMessage().contains("zstd level 23"), bad.getMessage());
        assertTrue(!Files.exists(tmp.resolve("bad")), "nothing written for a bad level");
    }

    /**
     * The executor warm-up runs every step in an executor's JVM (here local[2]'s, with its SparkEnv),
     * and leaves no temporary folder of its file-store layer behind.
     */
    @Test
    void theExecutorWarmUpRunsEveryStep() throws IOException {
        assertTrue(ExecutorWarmUp.warm(), "warm-up failed (see the debug log)");
        String prefix = "bigarrays-warm-up-" + ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList());
        }
    }

    /**
     * The task-path warm-up: the driver side makes one broadcast (the same handle for every ask),
     * and a task fetches and deserializes it as an executor's plugin does.
     */
    @Test
    void theTaskPathWarmUpFetchesAndDeserializesItsBroadcastInATask() throws Exception {
        TaskPathWarmUp.Driver driver = new TaskPathWarmUp.Driver();
        driver.init(sc.sc());
        driver.started();
        byte[] handle = driver.handle();
        assertTrue(handle == driver.handle(), "one broadcast for every ask");
        List<Boolean> ran = sc.parallelize(List.of(0, 1), 2).map(i -> {
            TaskPathWarmUp.run(handle);
            return true;
        }).collect();
        assertEquals(List.of(true, true), ran);
    }

    @Test
    void mapBoxesWritesWhatTheFunctionReturnsAndNamesAFailedBox() {
        Path src = sourceLayer();
        String dst = tmp.resolve("inv").toString();
        try (BigArray a = BigArray.open(src.toString())) {
            BigArray.create(dst, a.info()).close();
        }
        // Fails on the first attempt of the task at the volume's corner; the retry succeeds.
        long n = BigArraysSpark.mapBoxes(sc, src.toString(), dst, new long[] {32, 32, 8}, (box, in, arena) -> {
            if (box.min(0) == 3 && box.min(1) == 4 && box.min(2) == 5 && TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("killed once");
            }
            NdView out = NdView.allocate(arena, in.dataType(), in.origin(), in.shape());
            long[] o = in.origin();
            long[] s = in.shape();
            long[] at = new long[4];
            for (long z = 0; z < s[2]; z++) for (long y = 0; y < s[1]; y++) for (long x = 0; x < s[0]; x++) {
                at[0] = o[0] + x; at[1] = o[1] + y; at[2] = o[2] + z;
                out.set(at, 65535 - in.getAsLong(at));
            }
            return out;
        });
        assertEquals(3 * 2 * 2, n);
        try (BigArray a = BigArray.open(src.toString()); BigArray b = BigArray.open(dst)) {
            NdView va = a.read(a.bounds());
            NdView vb = b.read(b.bounds());
            long[] o = va.origin();
            for (long z = 0; z < 12; z++) for (long y = 0; y < 50; y++) for (long x = 0; x < 70; x++) {
                assertEquals(65535 - va.getAsLong(o[0] + x, o[1] + y, o[2] + z), vb.getAsLong(o[0] + x, o[1] + y, o[2] + z));
            }
        }

        BoxTaskException e = assertThrows(BoxTaskException.class, () -> BigArraysSpark.mapBoxes(sc, src.toString(), dst, new long[] {32, 32, 8},
                (box, in, arena) -> {
                    // One box only: with two failing boxes, which one fails the job first is up to the scheduler.
                    if (box.min(0) == 35 && box.min(1) == 36 && box.min(2) == 5) throw new IllegalStateException("always fails");
                    return in;
                }));
        assertTrue(e.getMessage().contains("box 35,36,5:67,54,13") && e.getMessage().contains("always fails"), e.getMessage());

        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> BigArraysSpark.mapBoxes(sc, src.toString(), dst, new long[] {20, 32, 8}, (box, in, arena) -> in));
        assertTrue(bad.getMessage().contains("write unit [16, 16, 4]"), bad.getMessage());
    }
}
