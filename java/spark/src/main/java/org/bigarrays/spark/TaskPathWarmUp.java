package org.bigarrays.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.serializer.SerializerInstance;
import org.bigarrays.core.Box;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Spark's own part of a task's first run on an executor, done ahead of it: a task's "deserialize"
 * time is mostly once per JVM — the first fetch of a broadcast from the driver (the task's RDD and
 * function travel as one), and the first Java deserialization of Spark's and our closures (Scala
 * links a lambda-deserializing call site per class the first time one of its lambdas arrives:
 * {@code SparkContext}, {@code RDD}, {@code JavaRDDLike} hold hundreds). The driver side builds,
 * once, a broadcast holding such a payload (an RDD made by {@code SparkContext.range}, one made by
 * {@code JavaRDD.mapPartitions}, a task closure of ours and a box) when the first executor asks;
 * the executor side fetches it and deserializes it as a task would its binary.
 */
final class TaskPathWarmUp {
    /** The message an executor sends its driver plugin to get the broadcast. */
    static final String REQUEST = "bigarrays-task-path-warm-up";

    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

    private TaskPathWarmUp() {}

    /** What the broadcast holds: objects of the kinds a task binary holds. */
    record Payload(Object rangeRdd, Object mappedRdd, BigArraysSpark.BoxTask task, TaskBox box) implements Serializable {}

    /** The driver side: answers {@link #REQUEST} with the serialized handle of one broadcast, made on the first request. */
    static final class Driver {
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile SparkContext sc;
        private byte[] handle;
        private Broadcast<byte[]> broadcast; // held: Spark's cleaner removes a broadcast nothing references

        /** The context; asks wait for {@link #started} (a broadcast needs the context's block manager, set up after plugins start). */
        void init(SparkContext context) {
            sc = context;
        }

        /** Called once the context is fully started. */
        void started() {
            ready.countDown();
        }

        /** The serialized broadcast handle, made on the first call (which waits for the context to start, at most a minute). */
        synchronized byte[] handle() throws InterruptedException {
            if (handle == null) {
                if (!ready.await(60, TimeUnit.SECONDS) || sc == null) throw new IllegalStateException("Spark context not started");
                JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
                TaskBox box = TaskBox.of(0, Box.of(new long[] {0, 0, 0}, new long[] {1, 1, 1}));
                Payload p = new Payload(sc.range(0, 2, 1, 1), jsc.parallelize(List.of(box), 1).mapPartitions(it -> it).rdd(),
                        tb -> tb.box(), box);
                SerializerInstance ser = SparkEnv.get().closureSerializer().newInstance();
                broadcast = jsc.broadcast(bytes(ser.serialize(p, ANY)));
                handle = bytes(ser.serialize(broadcast, ANY));
            }
            return handle;
        }
    }

    /** The executor side: fetch the broadcast {@code handle} names and deserialize what it holds, as a first task would. */
    static void run(byte[] handle) {
        SerializerInstance ser = SparkEnv.get().closureSerializer().newInstance();
        Broadcast<?> b = (Broadcast<?>) ser.deserialize(ByteBuffer.wrap(handle), ANY);
        Object p = ser.deserialize(ByteBuffer.wrap((byte[]) b.value()), Thread.currentThread().getContextClassLoader(), ANY);
        if (!(p instanceof Payload)) throw new IllegalStateException("unexpected warm-up payload " + p.getClass());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
