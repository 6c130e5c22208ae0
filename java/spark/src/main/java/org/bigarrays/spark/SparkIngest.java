package org.bigarrays.spark;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.ingest.IngestPlan;
import org.bigarrays.kvstore.Generation;
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
        return run(sc, source, sourceId, dstUrl, info, compression, boxBytes, false);
    }

    /** As above; {@code restart} discards a recorded job with other settings instead of refusing. */
    public static Ingest.Result run(JavaSparkContext sc, ImageSlices source, String sourceId, String dstUrl, Info info,
                                    Compression compression, long boxBytes, boolean restart) {
        return run(sc, source, sourceId, dstUrl, info, compression, boxBytes, restart, null);
    }

    /** As above, writing the layer in {@code format} (precomputed, zarr3, ome-zarr; null: precomputed), as the single-JVM ingest's {@code --format}. */
    public static Ingest.Result run(JavaSparkContext sc, ImageSlices source, String sourceId, String dstUrl, Info info,
                                    Compression compression, long boxBytes, boolean restart, String format) {
        return run(sc, source, sourceId, dstUrl, info, compression, boxBytes, restart, format, ZstdCodec.LEVEL);
    }

    /**
     * As above, zstd written at {@code zstdLevel} (as the single-JVM ingest's {@code --zstd-level}).
     * @throws org.bigarrays.InvalidInputException for a level outside zstd's range, before anything is written
     */
    public static Ingest.Result run(JavaSparkContext sc, ImageSlices source, String sourceId, String dstUrl, Info info,
                                    Compression compression, long boxBytes, boolean restart, String format, int zstdLevel) {
        ZstdCodec.checkLevel(zstdLevel);
        checkFits(source, info);
        String infoJson = info.toJson();
        BigArray dst = Layers.open(dstUrl, infoJson, format, compression, zstdLevel); // validates the info before anything is written
        // The same record as the single-JVM ingest (same fields, same boxes): either can resume the other.
        JobRecord record = JobRecord.beginNewLayer(Layers.store(dstUrl), "ingest",
                Ingest.fields(sourceId, info, Options.defaults().withCompression(compression).withZstdLevel(zstdLevel)), restart);
        List<Box> boxes = IngestPlan.boxes(dst, boxBytes);
        List<TaskBox> all = new ArrayList<>();
        long voxels = 0;
        int skipped = 0;
        for (Box b : boxes) {
            TaskBox tb = TaskBox.of(0, b);
            all.add(tb);
            if (record.isDone(tb.taskName())) skipped++;
            else voxels += b.volume();
        }
        BigArraysSpark.run(sc, all, dstUrl, record, tb -> {
            BigArray out = Layers.open(dstUrl, infoJson, format, compression, zstdLevel)
                    .withOptions(Layers.taskOptions().withCompression(compression).withZstdLevel(zstdLevel));
            Box box = tb.box();
            try (Arena arena = Arena.ofShared()) {
                NdView v = Ingest.read(source, out, box, arena, Layers.decoders());
                out.write(v);
            }
        });
        dst.publish(Generation.NO_VALUE);
        record.finish();
        return new Ingest.Result(boxes.size() - skipped, skipped, voxels);
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
