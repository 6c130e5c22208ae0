package org.bigarrays.spark;

import java.io.Serializable;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.IngestPlan;

/**
 * BigArrays jobs on Apache Spark, and the small API they are built on: a layer's volume cut into
 * boxes aligned to its write unit (a chunk, or a spatial shard), one Spark task per box, so no two
 * tasks write the same chunk or shard. Each task writes whole chunks (or shards), each stored
 * atomically, so a task run twice (a retry, a speculative copy) writes the same bytes again:
 * the jobs are idempotent. When a task still fails after Spark's retries, the job fails with an
 * exception naming the box.
 *
 * <pre>{@code
 * // Invert an 8-bit layer into a new layer of the same info, 256×256×64 voxels a task.
 * BigArraysSpark.mapBoxes(sc, "s3://bucket/em", "s3://bucket/em-inverted", new long[] {256, 256, 64}, (box, in, arena) -> {
 *     NdView out = NdView.allocate(arena, in.dataType(), in.origin(), in.shape());
 *     byte[] v = in.toByteArray();
 *     for (int i = 0; i < v.length; i++) v[i] = (byte) (255 - (v[i] & 0xff));
 *     out.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(v));
 *     return out;
 * });
 * }</pre>
 */
public final class BigArraysSpark {
    private BigArraysSpark() {}

    /** What a task computes from its input box. Serializable: Spark ships it to the executors. */
    @FunctionalInterface
    public interface BoxFunction extends Serializable {
        /**
         * The voxels of {@code outputBox} (rank 4 {@code [x,y,z,c]} at the box's origin, the
         * destination's data type and channels), computed from {@code input}, the source's
         * voxels of {@link #inputBox}(outputBox) (missing chunks read as 0). Allocate the result in
         * {@code arena}: it is closed after the result is written.
         */
        NdView apply(Box outputBox, NdView input, Arena arena);

        /** The source box a task reads for {@code outputBox}: by default the same box (same scale grid). */
        default Box inputBox(Box outputBox) {
            return outputBox;
        }
    }

    /**
     * Run {@code fn} over the layer {@code dst} (which must exist; mip 0) in tasks of
     * {@code taskShape} voxels (cut by the volume's edge), each reading its input box from layer
     * {@code src} (mip 0) and writing what {@code fn} returns.
     * @param taskShape a multiple of {@code dst}'s chunk shape (of its shard shape when sharded)
     * @return the number of tasks (boxes)
     * @throws InvalidInputException when {@code taskShape} is not aligned to the write unit
     * @throws BoxTaskException naming the box when a task failed after Spark's retries
     */
    public static long mapBoxes(JavaSparkContext sc, String src, String dst, long[] taskShape, BoxFunction fn) {
        return mapBoxes(sc, src, 0, dst, 0, taskShape, fn);
    }

    /**
     * As {@link #mapBoxes(JavaSparkContext, String, String, long[], BoxFunction)}, between given
     * scales: input boxes are in {@code srcMip}'s voxels, output boxes in {@code dstMip}'s (the
     * same layer at two mips makes a downsampling step).
     */
    public static long mapBoxes(JavaSparkContext sc, String src, int srcMip, String dst, int dstMip, long[] taskShape, BoxFunction fn) {
        return mapBoxes(sc, src, srcMip, dst, dstMip, taskShape, fn, org.bigarrays.codec.Compression.NONE);
    }

    /** As above, writing chunks with transport {@code compression}. */
    public static long mapBoxes(JavaSparkContext sc, String src, int srcMip, String dst, int dstMip, long[] taskShape, BoxFunction fn,
                                org.bigarrays.codec.Compression compression) {
        String srcInfo;
        String dstInfo;
        try (BigArray s = BigArray.open(src); BigArray d0 = BigArray.open(dst)) {
            srcInfo = s.info().toJson();
            dstInfo = d0.info().toJson();
        }
        return mapBoxes(sc, src, srcInfo, srcMip, dst, dstInfo, dstMip, taskShape, fn, compression, org.bigarrays.codec.ZstdCodec.LEVEL, null);
    }

    /**
     * The work of {@code mapBoxes} between layers described by the given infos (the destination's
     * may not be published yet), skipping the boxes {@code job} (null: none) has done and
     * committing a marker for each box written; zstd written at {@code zstdLevel}.
     */
    static long mapBoxes(JavaSparkContext sc, String src, String srcInfo, int srcMip, String dst, String dstInfo, int dstMip, long[] taskShape,
                         BoxFunction fn, org.bigarrays.codec.Compression compression, int zstdLevel, JobRecord job) {
        List<TaskBox> boxes = new ArrayList<>();
        BigArray s = Layers.open(src, srcInfo);
        s.mip(srcMip); // validates
        BigArray d = Layers.open(dst, dstInfo).mip(dstMip);
        long[] unit = IngestPlan.writeUnit(d);
        if (taskShape.length != 3) throw new InvalidInputException("task shape: expected 3 values x,y,z, found " + Arrays.toString(taskShape));
        for (int i = 0; i < 3; i++) {
            if (taskShape[i] < 1 || taskShape[i] % unit[i] != 0) {
                throw new InvalidInputException("task shape " + Arrays.toString(taskShape) + " is not a multiple of " + dst + "'s write unit "
                        + Arrays.toString(unit) + (d.sharding() != null ? " (a shard)" : " (a chunk)"));
            }
        }
        for (Box b : grid(d.bounds(), taskShape)) boxes.add(TaskBox.of(dstMip, b));
        run(sc, boxes, dst, job, tb -> {
            BigArray in = Layers.open(src, srcInfo).mip(srcMip).withOptions(Layers.taskOptions().withStrict(false));
            BigArray out = Layers.open(dst, dstInfo).mip(tb.mip()).withOptions(Layers.taskOptions().withCompression(compression).withZstdLevel(zstdLevel));
            Box box = tb.box();
            try (Arena arena = Arena.ofShared()) {
                NdView result = fn.apply(box, in.read(fn.inputBox(box), arena), arena);
                out.write(result);
            }
        });
        return boxes.size();
    }

    /** The boxes of {@code shape} that tile {@code vol} from its lower corner, cut by its upper faces. */
    static List<Box> grid(Box vol, long[] shape) {
        List<Box> out = new ArrayList<>();
        for (long z = vol.min(2); z < vol.max(2); z += shape[2]) {
            for (long y = vol.min(1); y < vol.max(1); y += shape[1]) {
                for (long x = vol.min(0); x < vol.max(0); x += shape[0]) {
                    out.add(Box.of(new long[] {x, y, z}, new long[] {Math.min(vol.max(0), x + shape[0]), Math.min(vol.max(1), y + shape[1]),
                            Math.min(vol.max(2), z + shape[2])}));
                }
            }
        }
        return out;
    }

    /** One task's work on its box; serializable. */
    @FunctionalInterface
    interface BoxTask extends Serializable {
        void run(TaskBox box) throws Exception;
    }

    /**
     * Run {@code task} once per box, one Spark task each. A task's failure names its box and
     * {@code layer}; after Spark's retries the first such failure is thrown here.
     */
    static void run(JavaSparkContext sc, List<TaskBox> boxes, String layer, BoxTask task) {
        run(sc, boxes, layer, null, task);
    }

    /**
     * As above, for a recorded job (null: none): boxes {@code job} has done are skipped, and each
     * task commits its own marker in {@code layer} once its box is written (no shared record to
     * read-modify-write, so tasks commit independently, retries and speculative copies included).
     */
    static void run(JavaSparkContext sc, List<TaskBox> all, String layer, JobRecord job, BoxTask task) {
        List<TaskBox> boxes = job == null ? all : all.stream().filter(b -> !job.isDone(b.taskName())).toList();
        if (boxes.isEmpty()) return;
        boolean recorded = job != null;
        try {
            sc.parallelize(boxes, boxes.size()).foreach(b -> {
                try {
                    task.run(b);
                    if (recorded) JobRecord.markDone(Layers.store(layer), b.taskName());
                } catch (InvalidInputException e) {
                    throw new InvalidInputException("box " + b + " of " + layer + ": " + e.getMessage(), e);
                } catch (Throwable e) {
                    throw new BoxTaskException("box " + b + " of " + layer + ": " + message(e), e);
                }
            });
        } catch (Exception e) { // Scala throws SparkException (checked in Java) without declaring it
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SparkException se) throw unwrap(se);
            }
            if (e instanceof RuntimeException r) throw r;
            throw new BoxTaskException("Spark job on " + layer + " failed: " + message(e), e);
        }
    }

    /** The task's own exception when Spark kept it, else one naming what Spark reported. */
    static RuntimeException unwrap(SparkException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof BigArraysException b) return b;
        }
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int i = m.indexOf("box ");
        String line = (i >= 0 ? m.substring(i) : m).split("\\R", 2)[0];
        return new BoxTaskException(line, e);
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
