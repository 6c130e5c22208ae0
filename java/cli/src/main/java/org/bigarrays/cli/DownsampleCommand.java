package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.options.CompressOption;
import org.bigarrays.options.ZstdLevelOption;
import org.bigarrays.options.PyramidOptions;
import org.bigarrays.options.RestartOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    PyramidOptions pyramid;

    @Option(names = "--box", paramLabel = "x0,y0,z0:x1,y1,z1", description = "update only what a change to this mip-0 box affects")
    String box;

    @Mixin
    CompressOption compress;

    @Mixin
    ZstdLevelOption zstdLevel;

    @Option(names = "--fill", paramLabel = "V", description = "value of missing chunks (default 0); with --sparse, the value that does not vote")
    String fill;

    @Mixin
    RestartOption restart;

    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @Mixin
    FillChunkOption fillChunks;

    @Option(names = "--task-mb", paramLabel = "MB", description = "most MB of mip 0 one task holds (default 256); memory is about 1.3 x this per parallel task")
    Long taskMb;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        PyramidSpec spec = pyramid.apply(PyramidSpec.defaults());
        if (box != null) {
            Box b = Box.parse(box);
            if (b.rank() != 3) throw new InvalidInputException("--box " + box + ": expected x0,y0,z0:x1,y1,z1, found " + b.rank() + " coordinates");
            spec = spec.withBox(b);
        }
        Compression c = compress.compression(null);
        zstdLevel.check();
        if (c != null) spec = spec.withCompression(c);
        if (taskMb != null) {
            if (taskMb < 1) throw new InvalidInputException("--task-mb: expected ≥ 1, found " + taskMb);
            spec = spec.withTaskBytes(Math.multiplyExact(taskMb, 1L << 20));
        }
        try (BigArray a = BigArray.open(url, Options.defaults()); Terminal.Bar bar = new Terminal.Bar("downsample")) {
            Options o = zstdLevel.apply(fillChunks.apply(a.options()));
            if (fill != null) {
                a.dataType().bitsOf(fill, "--fill");
                o = o.withFillValue(fill);
            }
            if (threads != null) o = o.withThreads(threads, o.ioConcurrency());
            Pyramid.Result r = Pyramid.build(a.withOptions(o.withProgress(bar.listener())), spec, restart.restart());
            bar.close();
            int n = r.info().scales().size() - 1;
            System.err.printf("downsampled %s: %d chunk(s) written in %d pass(es), %d scale(s) added, %d mip(s) above mip 0, %s kernel, %.2f s%n",
                    a.uri(), r.chunksWritten(), r.passes(), r.mipsAdded(), n, r.kernel(), (System.nanoTime() - t0) / 1e9);
        }
        return Main.OK;
    }
}
