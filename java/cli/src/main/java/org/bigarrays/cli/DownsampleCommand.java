package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.downsample.DownsampleMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays downsample URL [--mips N] ...}: add or fill the layer's mips 1..N from mip 0. */
@Command(name = "downsample", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Add or fill mips 1..N of a layer, each computed from the mip below (one read of mip 0 where the task budget allows).",
                "New scales: voxel_offset = floor(offset/f), size = ceil((offset+size)/f) - floor(offset/f), resolution x f, key <rx>_<ry>_<rz>, "
                        + "mip 0's chunk size, encoding and compression; existing scales with that geometry are filled."})
final class DownsampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--mips", paramLabel = "N", description = "coarsest mip to fill (default: the existing scales, or until x and y fit one chunk)")
    Integer mips;

    @Option(names = "--factor", paramLabel = "FX,FY,FZ", description = "factor per step (default: 2,2,1 while z's resolution is over twice x/y's, then 2,2,2; "
            + "existing scales keep the factor their resolutions give)")
    String factor;

    @Option(names = "--method", description = "mean, mode, median, min or max (default: mean for images, mode for segmentation)")
    String method;

    @Option(names = "--sparse", description = "the fill value does not vote or average unless a whole block is fill")
    boolean sparse;

    @Option(names = "--box", paramLabel = "x0,y0,z0:x1,y1,z1", description = "update only what a change to this mip-0 box affects")
    String box;

    @Option(names = "--chunk", paramLabel = "X,Y,Z", description = "chunk size of new scales (default: mip 0's)")
    String chunk;

    @Option(names = "--compress", description = "transport compression of written chunks: none, gzip, zstd, lz4 (default: as mip 0's chunks)")
    String compress;

    @Option(names = "--fill", paramLabel = "V", description = "value of missing chunks (default 0); with --sparse, the value that does not vote")
    String fill;

    @Option(names = "--restart", description = "discard the record of an unfinished job with other settings at the destination and start over (a rerun with the same settings resumes without it)")
    boolean restart;

    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @picocli.CommandLine.Mixin
    FillChunkOption fillChunks;

    @Option(names = "--task-mb", paramLabel = "MB", description = "most MB of mip 0 one task holds (default 256); memory is about 1.3 x this per parallel task")
    Long taskMb;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        PyramidSpec spec = PyramidSpec.defaults();
        if (mips != null) spec = spec.withMips(mips);
        if (factor != null) spec = spec.withFactor(CreateCommand.triple(factor, "--factor"));
        if (method != null) spec = spec.withMethod(DownsampleMethod.of(method));
        if (sparse) spec = spec.withSparse(true);
        if (box != null) {
            Box b = Box.parse(box);
            if (b.rank() != 3) throw new InvalidInputException("--box " + box + ": expected x0,y0,z0:x1,y1,z1, found " + b.rank() + " coordinates");
            spec = spec.withBox(b);
        }
        if (chunk != null) spec = spec.withChunk(CreateCommand.triple(chunk, "--chunk"));
        if (compress != null) spec = spec.withCompression(Compression.of(compress));
        if (taskMb != null) {
            if (taskMb < 1) throw new InvalidInputException("--task-mb: expected ≥ 1, found " + taskMb);
            spec = spec.withTaskBytes(Math.multiplyExact(taskMb, 1L << 20));
        }
        try (BigArray a = BigArray.open(url, Options.defaults()); Terminal.Bar bar = new Terminal.Bar("downsample")) {
            Options o = fillChunks.apply(a.options());
            if (fill != null) {
                a.dataType().bitsOf(fill, "--fill");
                o = o.withFillValue(fill);
            }
            if (threads != null) o = o.withThreads(threads, o.ioConcurrency());
            Pyramid.Result r = Pyramid.build(a.withOptions(o.withProgress(bar.listener())), spec, restart);
            bar.close();
            int n = r.info().scales().size() - 1;
            System.err.printf("downsampled %s: %d chunk(s) written in %d pass(es), %d scale(s) added, %d mip(s) above mip 0, %s kernel, %.2f s%n",
                    a.uri(), r.chunksWritten(), r.passes(), r.mipsAdded(), n, r.kernel(), (System.nanoTime() - t0) / 1e9);
        }
        return Main.OK;
    }
}
