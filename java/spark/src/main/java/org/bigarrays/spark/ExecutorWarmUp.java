package org.bigarrays.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.serializer.SerializerInstance;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * A Spark plugin ({@code spark.plugins}, set by {@code bigarrays spark}'s jobs) that warms each
 * executor before its first task: the executor starts its plugins before it tells the driver it
 * can take tasks, so what a first task would do once per JVM — load and link the native kernels,
 * start the shared context, open, write, read and downsample a layer, compress with each
 * transport codec, deserialize a task closure — is done here instead, on a tiny layer in memory
 * and on the local file store (a temporary folder, removed after). Then Spark's own part of a
 * first task ({@link TaskPathWarmUp}): the executor fetches a broadcast the driver side of the
 * plugin makes and deserializes Spark's and our closures from it (not on {@code local[N]}, where
 * the driver is the executor). A failure only leaves the executor cold (logged at debug).
 */
public final class ExecutorWarmUp implements SparkPlugin {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorWarmUp.class);

    @Override
    public DriverPlugin driverPlugin() {
        TaskPathWarmUp.Driver taskPath = new TaskPathWarmUp.Driver();
        return new DriverPlugin() {
            @Override
            public Map<String, String> init(SparkContext sc, PluginContext ctx) {
                taskPath.init(sc);
                return Map.of();
            }

            @Override
            public void registerMetrics(String appId, PluginContext ctx) {
                taskPath.started(); // called once the context has started
            }

            @Override
            public Object receive(Object message) throws Exception {
                return TaskPathWarmUp.REQUEST.equals(message) ? taskPath.handle() : null;
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                warm();
                // Not on local[N] (executor "driver"): there this runs inside the context's start, which the driver side's
                // answer waits for; run in the background instead, it competed with the first job's own driver work for
                // the cores and gained nothing (bench/results/issue25/spark2).
                if (!"driver".equals(ctx.executorID())) warmTaskPath(ctx);
            }
        };
    }

    /** Spark's part of a first task (see {@link TaskPathWarmUp}); never throws (false: logged at debug). */
    static boolean warmTaskPath(PluginContext ctx) {
        long t0 = System.nanoTime();
        try {
            TaskPathWarmUp.run((byte[]) ctx.ask(TaskPathWarmUp.REQUEST));
            LOG.debug("task path warmed up in {} ms", (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (Throwable e) {
            LOG.debug("task path warm-up failed; the first task deserializes cold", e);
            return false;
        }
    }

    /** The warm-up: never throws; whether every step ran (false: logged at debug, the executor stays cold). */
    static boolean warm() {
        long t0 = System.nanoTime();
        String name = "bigarrays-warm-up-" + ProcessHandle.current().pid();
        Path dir = null;
        try {
            Layers.store("mem://" + name + "/"); // the executor's shared context and decoders
            exercise("mem://" + name + "/l");
            // The local file store's paths too (what a task on a shared file system runs): a layer in a temporary folder.
            dir = Files.createTempDirectory(name);
            exercise(dir.resolve("l").toUri().toString());
            SparkEnv env = SparkEnv.get();
            if (env != null) { // a task closure's way in: Java serialization of a lambda and a record
                SerializerInstance ser = env.closureSerializer().newInstance();
                ClassTag<Object> tag = ClassTag$.MODULE$.apply(Object.class);
                BigArraysSpark.BoxTask task = tb -> tb.box();
                ser.deserialize(ser.serialize(task, tag), tag);
                ser.deserialize(ser.serialize(TaskBox.of(0, Box.of(new long[] {0, 0, 0}, new long[] {1, 1, 1})), tag), tag);
            }
            LOG.debug("executor warmed up in {} ms", (System.nanoTime() - t0) / 1_000_000);
            return true;
        } catch (Throwable e) {
            LOG.debug("executor warm-up failed; tasks start cold", e);
            return false;
        } finally {
            KeyValueStores.dropMemory(name);
            if (dir != null) delete(dir);
        }
    }

    /** Write a tiny layer at {@code url} (raw and gzip), compress with zstd and lz4, read it back and downsample it. */
    private static void exercise(String url) {
        Info info = Info.builder(DataType.UINT8, new long[] {64, 64, 16}, new long[] {32, 32, 8}).build();
        try (BigArray a = BigArray.create(url, info, Layers.taskOptions()); Arena arena = Arena.ofConfined()) {
            NdView v = NdView.allocate(arena, DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {64, 64, 16, 1});
            v.fill(7);
            for (Compression c : new Compression[] {Compression.NONE, Compression.GZIP}) a.withOptions(Layers.taskOptions().withCompression(c)).write(v);
            for (Compression c : new Compression[] {Compression.ZSTD, Compression.LZ4}) c.compress(v.segment(), ZstdCodec.LEVEL);
            NdView in = a.withOptions(Layers.taskOptions().withStrict(false)).read(Box.of(new long[] {0, 0, 0}, new long[] {64, 64, 16}), arena);
            SparkDownsample.Step step = new SparkDownsample.Step(new long[] {2, 2, 1}, DownsampleMethod.MEAN, false, 0, new long[] {0, 0, 0},
                    new long[] {64, 64, 16});
            step.apply(Box.of(new long[] {0, 0, 0}, new long[] {32, 32, 16}), in, arena);
        }
    }

    /** Remove the warm-up's temporary folder (a failure is logged: nothing else uses it). */
    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not remove the warm-up folder {}", dir, e);
        }
    }
}
