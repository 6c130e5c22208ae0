package org.bigarrays.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.array.Transcode;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.Box;
import org.bigarrays.ingest.IngestPlan;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;

/**
 * {@code bigarrays transcode} as a Spark job: the driver creates the destination with the same
 * info as the single-JVM command, then every scale is cut into boxes aligned to the
 * destination's chunks (or spatial shards), about {@code boxBytes} each, all scales in one job;
 * each task copies its box with {@link Transcode#copyBox}, the code the single-JVM command's
 * copies are made of, so the layers are equal chunk for chunk. Destinations with shards hashed
 * over the volume cannot be cut into boxes: they are refused, naming the single-JVM command.
 */
public final class SparkTranscode {
    private SparkTranscode() {}

    /**
     * Transcode layer {@code srcUrl} into a new layer {@code dstUrl}; arguments as {@link Transcode#run}.
     * @return the number of tasks (boxes)
     */
    public static long run(JavaSparkContext sc, String srcUrl, String dstUrl, EncodingSpec target, Optional<ShardingSpec> sharding,
                           Compression compression, long boxBytes) {
        return run(sc, srcUrl, dstUrl, target, sharding, compression, boxBytes, false);
    }

    /** As above; {@code restart} discards a recorded job with other settings instead of refusing. */
    public static long run(JavaSparkContext sc, String srcUrl, String dstUrl, EncodingSpec target, Optional<ShardingSpec> sharding,
                           Compression compression, long boxBytes, boolean restart) {
        return run(sc, srcUrl, dstUrl, target, sharding, compression, boxBytes, restart, null);
    }

    /**
     * As above, writing DST in {@code format} ({@code precomputed}, {@code zarr3}, {@code ome-zarr};
     * null: precomputed), as the single-JVM command's {@code --format}.
     */
    public static long run(JavaSparkContext sc, String srcUrl, String dstUrl, EncodingSpec target, Optional<ShardingSpec> sharding,
                           Compression compression, long boxBytes, boolean restart, String format) {
        return run(sc, srcUrl, dstUrl, target, sharding, compression, boxBytes, restart, format, ZstdCodec.LEVEL);
    }

    /**
     * As above, zstd written at {@code zstdLevel} (as the single-JVM command's {@code --zstd-level}).
     * @throws org.bigarrays.InvalidInputException for a level outside zstd's range, before anything is written
     */
    public static long run(JavaSparkContext sc, String srcUrl, String dstUrl, EncodingSpec target, Optional<ShardingSpec> sharding,
                           Compression compression, long boxBytes, boolean restart, String format, int zstdLevel) {
        ZstdCodec.checkLevel(zstdLevel);
        String srcInfo;
        String dstInfo;
        List<TaskBox> boxes = new ArrayList<>();
        JobRecord job;
        // Everything that can be refused (the target encoding, the sharding's bits, a layer at DST)
        // is refused before the job is recorded; the info is published after every box is written.
        try (BigArray src = BigArray.open(srcUrl)) { // its own format: --format names DST's
            Info info = Transcode.targetInfo(src.info(), target, sharding);
            srcInfo = src.info().toJson();
            dstInfo = info.toJson();
            java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
            fields.put("source", src.uri().toString());
            fields.put("source info", srcInfo);
            fields.put("compression", compression.toString().toLowerCase(java.util.Locale.ROOT));
            fields.put("info", dstInfo);
            if (format != null) fields.put("format", format);
            JobRecord.putZstdLevel(fields, Options.defaults().withZstdLevel(zstdLevel));
            BigArray dst = Layers.open(dstUrl, dstInfo, format, compression, zstdLevel);
            for (int m = 0; m < info.scales().size(); m++) {
                for (Box b : IngestPlan.boxes(dst.mip(m), boxBytes)) boxes.add(TaskBox.of(m, b));
            }
            job = JobRecord.beginNewLayer(Layers.store(dstUrl), "spark transcode", fields, restart);
        }
        BigArraysSpark.run(sc, boxes, dstUrl, job, tb -> {
            Options options = Layers.taskOptions().withCompression(compression).withZstdLevel(zstdLevel);
            BigArray s = Layers.openSource(srcUrl, srcInfo).mip(tb.mip());
            BigArray d = Layers.open(dstUrl, dstInfo, format, compression, zstdLevel).mip(tb.mip());
            Transcode.copyBox(s, d, tb.box(), options);
        });
        Layers.open(dstUrl, dstInfo, format, compression, zstdLevel).publish(org.bigarrays.kvstore.Generation.NO_VALUE);
        job.finish();
        return boxes.size();
    }
}
