package org.bigarrays.spark;

import java.lang.foreign.Arena;
import org.apache.spark.api.java.JavaSparkContext;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.Downsampler;
import org.bigarrays.ingest.IngestPlan;

/**
 * {@code bigarrays downsample} as Spark jobs: the driver plans the scales exactly as
 * {@link Pyramid#build} does (same info, factors and method), then builds mip by mip, one job per
 * mip: each task computes a box of mip k, aligned to mip k's chunks (or spatial shards), from the
 * box of mip k-1 under it, read from the store ({@link BigArraysSpark#mapBoxes} between the two
 * scales). Shuffle-free; each task writes its own chunks once.
 *
 * <p>Task sizes: a task reads at most {@code boxBytes} of mip k-1 and at least
 * {@link #MIN_TASK_BYTES} (or all of mip k-1 when it is smaller); a mip is cut into two tasks per
 * Spark slot only as far as that keeps them at that size. Once a mip's input is at most that size
 * (the top of the pyramid), one task computes it and every mip above it from one read, each
 * computed from the one below in memory: the top of a pyramid is one job of one task rather
 * than a job per mip of tasks of a few chunks each. The single-JVM builder computes
 * several mips from one read of mip 0 instead; the voxels are the same (each mip is computed from
 * the one below with the same kernel), and so are the chunks where the encoding is lossless.
 * Not supported here (refused or unchecked, use the single-JVM command): a partial update
 * ({@code box}), hashed-shard mips, voxel offsets that are not multiples of the factors.
 */
public final class SparkDownsample {
    /** The least a task reads of mip k-1 (unless the whole mip is less, or {@code boxBytes} is): 32 MiB. */
    public static final long MIN_TASK_BYTES = 32L << 20;

    private SparkDownsample() {}

    /**
     * Add or fill mips 1..N of the layer at {@code url}.
     * @param compression transport compression of written chunks (null: none)
     * @param boxBytes at most about how many bytes of mip k-1 one task reads (less where that
     *     leaves fewer than two tasks per Spark slot)
     * @return the number of tasks, all mips
     */
    public static long run(JavaSparkContext sc, String url, PyramidSpec spec, Compression compression, long boxBytes) {
        if (spec.box() != null) throw new org.bigarrays.InvalidInputException("a partial update (box) is not supported on Spark: use 'bigarrays downsample --box'");
        return run(sc, url, spec, compression, boxBytes, false);
    }

    /**
     * As above; {@code restart} discards a recorded job with other settings instead of refusing.
     * The new scales enter the layer's info after all their chunks are written.
     */
    public static long run(JavaSparkContext sc, String url, PyramidSpec spec, Compression compression, long boxBytes, boolean restart) {
        return run(sc, url, spec, compression, boxBytes, restart, ZstdCodec.LEVEL);
    }

    /**
     * As above, zstd written at {@code zstdLevel} (as the single-JVM command's {@code --zstd-level}).
     * @throws org.bigarrays.InvalidInputException for a level outside zstd's range, before anything is written
     */
    public static long run(JavaSparkContext sc, String url, PyramidSpec spec, Compression compression, long boxBytes, boolean restart,
                           int zstdLevel) {
        ZstdCodec.checkLevel(zstdLevel);
        if (spec.box() != null) throw new org.bigarrays.InvalidInputException("a partial update (box) is not supported on Spark: use 'bigarrays downsample --box'");
        Pyramid.Plan plan;
        DownsampleMethod method;
        long fillBits;
        String infoGeneration;
        String srcInfo;
        Compression c;
        try (BigArray layer = BigArray.open(url)) {
            plan = Pyramid.plan(layer.info(), spec);
            infoGeneration = layer.infoGeneration();
            srcInfo = layer.info().toJson();
            method = spec.method() != null ? spec.method() : DownsampleMethod.defaultFor(plan.info().type());
            fillBits = Options.defaults().fillPattern(layer.dataType());
            // As the CLI: new chunks keep mip 0's transport compression unless told otherwise.
            c = compression != null ? compression : Pyramid.mip0Compression(layer);
        }
        String info = plan.info().toJson();
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("mips", Integer.toString(plan.mips()));
        fields.put("method", method.toString());
        fields.put("sparse", Boolean.toString(spec.sparse()));
        fields.put("compression", c.toString().toLowerCase(java.util.Locale.ROOT));
        fields.put("info", info);
        JobRecord.putZstdLevel(fields, Options.defaults().withZstdLevel(zstdLevel));
        JobRecord job = JobRecord.begin(Layers.store(url), "spark downsample", fields, restart);
        long tasks = 0;
        BigArray layer = Layers.open(url, info);
        long least = Math.min(boxBytes, MIN_TASK_BYTES);
        for (int k = 1; k <= plan.mips(); k++) {
            long[] factor = plan.factors()[k].clone();
            BigArray below = layer.mip(k - 1);
            BigArray mip = layer.mip(k);
            long belowBytes = below.bounds().volume() * below.dataType().size() * below.channels();
            if (belowBytes <= least) {
                tasks += top(sc, url, info, k, plan, new Top(method, spec.sparse(), fillBits), c, zstdLevel, job);
                break;
            }
            // Two tasks per slot where the mip is big enough, so the slots stay balanced, but none under the least size.
            long budget = Math.min(boxBytes, Math.max(least, belowBytes / (2L * sc.defaultParallelism())));
            long[] task = taskShape(mip, factor, budget);
            tasks += BigArraysSpark.mapBoxes(sc, url, info, k - 1, url, info, k, task, new Step(factor, method, spec.sparse(), fillBits,
                    below.bounds().min(), below.bounds().max()), c, zstdLevel, job);
        }
        if (plan.added() > 0) layer.publish(infoGeneration);
        job.finish();
        return tasks;
    }

    /**
     * Mips {@code from}..N in one task: mip {@code from}-1 read whole once, each mip computed
     * from the one below in memory and written. Its marker is mip {@code from}'s whole box.
     */
    private static long top(JavaSparkContext sc, String url, String info, int from, Pyramid.Plan plan, Top how, Compression c, int zstdLevel,
                            JobRecord job) {
        long[][] factors = plan.factors();
        int mips = plan.mips();
        Box bounds = Layers.open(url, info).mip(from).bounds();
        BigArraysSpark.run(sc, java.util.List.of(TaskBox.of(from, bounds)), url, job, tb -> {
            BigArray layer = Layers.open(url, info);
            Options writes = Layers.taskOptions().withCompression(c).withZstdLevel(zstdLevel);
            try (Arena arena = Arena.ofShared()) {
                NdView in = null;
                for (int k = from; k <= mips; k++) {
                    BigArray below = layer.mip(k - 1).withOptions(Layers.taskOptions().withStrict(false));
                    Box out = layer.mip(k).bounds();
                    Box need = Downsampler.inputBox(out, factors[k], below.bounds());
                    // The mip computed last is the input when it is all the next one needs (always, for offsets
                    // that are multiples of the factors); else the stored mip is read, as a task of mip k would.
                    if (in == null || !need.equals(below.bounds())) in = below.read(need, arena);
                    NdView o = NdView.allocate(arena, in.dataType(), new long[] {out.min(0), out.min(1), out.min(2), 0},
                            new long[] {out.size(0), out.size(1), out.size(2), in.shape()[3]});
                    Downsampler.get().downsample(in, o, factors[k], how.method(), how.sparse(), how.fillBits());
                    layer.mip(k).withOptions(writes).write(o);
                    in = o;
                }
            }
        });
        return 1;
    }

    /** How the top task downsamples (serializable: shipped with it). */
    record Top(DownsampleMethod method, boolean sparse, long fillBits) implements java.io.Serializable {}

    /** Write units of mip k, as many in y and x as keep the mip k-1 box under a task within {@code boxBytes}. */
    static long[] taskShape(BigArray mip, long[] factor, long boxBytes) {
        long[] unit = IngestPlan.writeUnit(mip);
        long bpv = (long) mip.dataType().size() * mip.channels();
        long unitInput = unit[0] * factor[0] * unit[1] * factor[1] * unit[2] * factor[2] * bpv;
        long n = Math.max(1, boxBytes / Math.max(1, unitInput));
        long[] s = unit.clone();
        long[] size = mip.bounds().shape();
        long nx = Math.min(n, Math.ceilDiv(size[0], unit[0]));
        s[0] = unit[0] * nx;
        s[1] = unit[1] * Math.max(1, Math.min(n / nx, Math.ceilDiv(size[1], unit[1])));
        return s;
    }

    /** One downsampling step as a box function: reads the box of mip k-1 under the output box. */
    record Step(long[] factor, DownsampleMethod method, boolean sparse, long fillBits, long[] belowMin, long[] belowMax)
            implements BigArraysSpark.BoxFunction {
        @Override
        public Box inputBox(Box out) {
            return Downsampler.inputBox(out, factor, Box.of(belowMin, belowMax));
        }

        @Override
        public NdView apply(Box out, NdView in, Arena arena) {
            NdView o = NdView.allocate(arena, in.dataType(), new long[] {out.min(0), out.min(1), out.min(2), 0},
                    new long[] {out.size(0), out.size(1), out.size(2), in.shape()[3]});
            Downsampler.get().downsample(in, o, factor, method, sparse, fillBits);
            return o;
        }
    }
}
