package org.bigarrays.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.ingest.ImageSlices;
import org.bigarrays.ingest.Ingest;
import org.bigarrays.ingest.VolumeSource;
import org.bigarrays.options.CompressOption;
import org.bigarrays.options.ZstdLevelOption;
import org.bigarrays.options.EncodingOptions;
import org.bigarrays.options.LayerOptions;
import org.bigarrays.options.RestartOption;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bigarrays ingest SRC DST}: a new layer from a stack of 2-D images (a directory or glob
 * of TIFF/PNG/JPEG slices, multi-page TIFFs included), one 3-D TIFF, a .npy or a raw file.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Create layer DST from SRC: a directory or glob of 2-D image slices (TIFF 8/16/32-bit, multi-page too; PNG; JPEG)"
                + " in natural name order, one 3-D TIFF, a .npy, or a raw file (with --dtype and --shape).",
                "The info is derived from the images; options override it. Rerunning after a crash or kill resumes: boxes"
                        + " already stored are skipped."})
final class IngestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "directory, glob (quote it), .tif/.png/.jpg, .npy or raw file")
    String src;

    @Parameters(index = "1", paramLabel = "DST", description = "URL of the new layer (file, s3://, gs://, mem://)")
    String dst;

    @Option(names = "--dtype", description = "data type of the layer (default: the source's; other types convert each value, checked); required for raw")
    String dtype;

    @Option(names = "--shape", paramLabel = "X,Y,Z[,C]", description = "shape of a raw SRC (x fastest, little-endian)")
    String shape;

    @Mixin
    LayerOptions layer;

    @Mixin
    RestartOption restart;

    @Mixin
    CompressOption compress;

    @Mixin
    org.bigarrays.options.FormatOption format;

    @Mixin
    ZstdLevelOption zstdLevel;

    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @Option(names = "--box-mb", defaultValue = "256", description = "memory budget of one box in MiB (two are in memory; keep it the same when resuming)")
    long boxMb;

    @Option(names = "--downsample", description = "then build the pyramid (as 'bigarrays downsample DST' with its defaults)")
    boolean downsample;

    @Mixin
    EncodingOptions enc;

    @Mixin
    FillChunkOption fillChunks;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Options o = format.apply(zstdLevel.apply(fillChunks.apply(Options.defaults().withCompression(compress.compression(Compression.NONE)))));
        if (threads != null) o = o.withThreads(threads, Math.max(o.ioConcurrency(), threads));
        if (boxMb < 1) throw new InvalidInputException("--box-mb: expected ≥ 1, found " + boxMb);
        ExecutorService headers = Executors.newFixedThreadPool(o.cpuThreads(), Thread.ofPlatform().daemon(true).factory());
        try (Arena arena = Arena.ofShared(); Terminal.Bar bar = new Terminal.Bar("ingest")) {
            Source s = open(arena, headers);
            DataType dt = dtype == null ? s.source.dataType() : DataType.of(dtype);
            Info info = info(s.source, dt);
            Ingest.Result r = resumesDownsample()
                    ? new Ingest.Result(0, 0, 0)
                    : Ingest.run(s.source, s.id, dst, info, o.withProgress(bar.listener()), boxMb << 20, restart.restart());
            bar.close();
            if (downsample) {
                try (Terminal.Bar pyramidBar = new Terminal.Bar("downsample");
                     org.bigarrays.array.BigArray layer = org.bigarrays.array.BigArray.open(dst, o.withProgress(pyramidBar.listener()))) {
                    org.bigarrays.array.Pyramid.Result p = org.bigarrays.array.Pyramid.build(layer, org.bigarrays.array.PyramidSpec.defaults()
                            .withCompression(o.compression()), restart.restart());
                    pyramidBar.close();
                    System.err.printf(Locale.ROOT, "downsampled %s: mips 1..%d (%d chunks)%n", dst, p.info().scales().size() - 1, p.chunksWritten());
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long bytes = r.voxelsWritten() * dt.size() * info.numChannels();
            System.err.printf(Locale.ROOT, "ingested %s -> %s: %s, %d box(es) written, %d already done, %.1f MB in %.2f s (%.1f MB/s)%n",
                    src, dst, s.source instanceof ImageSlices is ? is.pages().size() + " slice(s)" : "array", r.boxesWritten(), r.boxesSkipped(),
                    bytes / 1e6, secs, bytes / 1e6 / secs);
        } finally {
            headers.shutdownNow();
        }
        return Main.OK;
    }

    /**
     * Whether this is a rerun of {@code ingest --downsample} whose ingest finished and whose
     * downsample was interrupted: the layer is published and holds a downsample job's record.
     */
    private boolean resumesDownsample() {
        if (!downsample) return false;
        try (org.bigarrays.array.BigArraysContext ctx = org.bigarrays.array.BigArraysContext.create()) {
            var root = ctx.store(org.bigarrays.kvstore.KeyValueStores.toUri(dst));
            if (!"downsample".equals(org.bigarrays.array.JobRecord.recordedCommand(root)) || !root.exists("info")) return false;
            System.err.println("ingest: " + dst + " was ingested already; resuming its downsample");
            return true;
        }
    }

    private record Source(VolumeSource source, String id) {}

    private Source open(Arena arena, ExecutorService headers) throws IOException {
        String src = ImageSlices.localPath(this.src);
        Path p = Path.of(src);
        String name = p.getFileName() == null ? src : p.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean image = ImageSlices.IMAGE_SUFFIXES.stream().anyMatch(name::endsWith);
        if (Files.isRegularFile(p) && !image) {
            long[] zero = {0, 0, 0};
            DataType t;
            if (name.endsWith(".npy")) {
                try (InputStream in = Files.newInputStream(p)) {
                    t = Npy.readHeader(in, src).type();
                }
            } else {
                if (dtype == null || shape == null) throw new InvalidInputException("raw input " + src + " needs --dtype and --shape X,Y,Z[,C]");
                t = DataType.of(dtype);
            }
            var view = WriteCommand.load(p, shape, t, zero, arena);
            return new Source(VolumeSource.of(view), "file " + p.getFileName() + " " + Files.size(p) + " bytes " + t);
        }
        if (shape != null) throw new InvalidInputException("--shape is for raw files; " + src + " is read as images");
        ImageSlices slices = ImageSlices.scan(ImageSlices.listFiles(src), headers);
        return new Source(slices, slices.fingerprint());
    }

    private Info info(VolumeSource s, DataType dt) {
        long[] sh = s.shape();
        long[] size = {sh[0], sh[1], sh[2]};
        if (size[0] < 1 || size[1] < 1 || size[2] < 1) throw new InvalidInputException("source " + src + " is empty: shape " + java.util.Arrays.toString(sh));
        long[] ch = layer.chunk(size);
        InfoBuilder b = layer.builder(dt, size, Math.toIntExact(sh[3]));
        b.build();
        ShardingSpec spec = enc.sharding(size, ch, (long) dt.size() * sh[3]);
        if (spec != null) b.sharding(spec);
        Info info = b.build();
        EncodingSpec encoding = enc.spec();
        return encoding == null ? info : encoding.applyTo(info);
    }
}
