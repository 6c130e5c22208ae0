package org.bigarrays.spark;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.ingest.IngestPlan;
import org.bigarrays.ingest.IngestRecord;
import org.bigarrays.precomputed.Info;

/**
 * {@code bigarrays ingest} as a Spark job: the driver scans the slices' headers, creates the
 * layer (or finds an unfinished ingest to resume, exactly as the single-JVM command), and cuts it
 * along the same {@link IngestPlan}; each task decodes its box's region of its slices and writes
 * the box, then its marker. Same plan, same codecs: the layer equals the single-JVM command's
 * chunk for chunk. The slices must be readable at the same path on every executor (a shared file
 * system).
 */
public final class SparkIngest {
    private SparkIngest() {}

    /**
     * Ingest {@code source} into {@code dstUrl} (see {@link Ingest#run}), one task per box.
     * @throws org.bigarrays.InvalidInputException as {@link Ingest#run}; a slice that cannot be
     *     decoded names the box and the file
     * @throws BoxTaskException naming the box when a task failed after Spark's retries
     */
    public static Ingest.Result run(JavaSparkContext sc, ImageSlices source, String sourceId, String dstUrl, Info info,
                                    Compression compression, long boxBytes) {
        checkFits(source, info);
        try (BigArraysContext ctx = BigArraysContext.create()) {
            IngestRecord record = IngestRecord.begin(dstUrl, info, sourceId, Options.defaults(), ctx);
            BigArray dst = record.array();
            String infoJson = dst.info().toJson();
            List<Box> boxes = IngestPlan.boxes(dst, boxBytes);
            List<TaskBox> todo = new ArrayList<>();
            long voxels = 0;
            for (Box b : boxes) {
                if (!record.isDone(b)) {
                    todo.add(TaskBox.of(0, b));
                    voxels += b.volume();
                }
            }
            BigArraysSpark.run(sc, todo, dstUrl, tb -> {
                BigArray out = Layers.open(dstUrl, infoJson).withOptions(Layers.taskOptions().withCompression(compression));
                Box box = tb.box();
                try (Arena arena = Arena.ofShared()) {
                    NdView v = Ingest.read(source, out, box, arena, Layers.decoders());
                    out.write(v);
                }
                IngestRecord.markDone(Layers.store(dstUrl), box);
            });
            record.finish();
            return new Ingest.Result(todo.size(), boxes.size() - todo.size(), voxels);
        }
    }

    private static void checkFits(ImageSlices source, Info info) {
        long[] s = source.shape();
        long[] size = info.scale(0).size();
        if (size[0] != s[0] || size[1] != s[1] || size[2] != s[2] || info.numChannels() != s[3]) {
            throw new org.bigarrays.InvalidInputException("the layer's size " + java.util.Arrays.toString(size) + " x" + info.numChannels()
                    + " channel(s) does not match the source's " + java.util.Arrays.toString(s));
        }
    }
}
