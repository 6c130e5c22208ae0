package org.bigarrays.cli;

import java.lang.foreign.Arena;
import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays cutout URL --box x0,y0,z0:x1,y1,z1 -o OUT}: read a box to .npy, raw bytes or stdout. */
@Command(name = "cutout", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Cut out a box: OUT.npy (shape x,y,z,c, Fortran order), raw little-endian bytes, or - for stdout.")
final class CutoutCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--box", required = true, paramLabel = "x0,y0,z0:x1,y1,z1", description = "half-open box in voxel coordinates of the mip")
    String box;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
    String output;

    @Mixin
    ReadWriteOptions rw;

    @Override
    public Integer call() {
        // Everything that can be checked is checked before a chunk is read: the box, where the
        // output goes, and whether the cutout fits in memory.
        Box b = Box.parse(box);
        if (b.rank() != 3) throw new InvalidInputException("--box " + box + ": expected x0,y0,z0:x1,y1,z1, found " + b.rank() + " coordinates");
        OutputFile out = OutputFile.check(output);
        long t0 = System.nanoTime();
        try (BigArray a = BigArray.open(url, Options.defaults()).mip(rw.mip); Terminal.Bar bar = new Terminal.Bar("cutout");
             Arena arena = Arena.ofShared()) {
            BigArray arr = a.withOptions(rw.apply(a.options(), a.dataType()).withProgress(bar.listener()));
            long bytes = CutoutSize.bytes(b, arr.channels(), arr.dataType());
            CutoutSize.checkFits(b, bytes, CutoutSize.availableMemory());
            NdView v = arr.read(b, arena);
            bar.close();
            out.write(v);
            double s = (System.nanoTime() - t0) / 1e9;
            if (!out.isStdout()) {
                System.err.printf("cut out %s (%s x%d, %.1f MB) from %s mip %d to %s in %.2f s%n", b, v.dataType(), arr.channels(),
                        v.byteSize() / 1e6, arr.uri(), arr.mip(), output, s);
            }
        }
        return Main.OK;
    }
}
