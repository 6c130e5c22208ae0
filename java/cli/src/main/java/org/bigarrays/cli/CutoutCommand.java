package org.bigarrays.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bigarrays cutout URL --box x0,y0,z0:x1,y1,z1 -o OUT}: read a box to .npy, raw bytes or
 * stdout, streamed tile by tile so that memory stays bounded whatever the box's size.
 */
@Command(name = "cutout", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Cut out a box to OUT, in the format its extension names: .npy (shape x,y,z,c, Fortran order; with --axes zyx",
                "shape z,y,x[,c], C order), .raw or .bin (little-endian, the same orders), .tif or .tiff (multi-page TIFF: one page per z,",
                "channels as samples per pixel; BigTIFF past 4 GiB), or - (raw to stdout). Other names are refused.",
                "Streamed: memory stays under --memory (plus the chunks being read) for boxes of any size (TIFF and zyx: one",
                "z-plane must fit); the box, the output path and the free disk space are checked before any chunk is read."})
final class CutoutCommand implements Callable<Integer> {
    /** The default of --memory (FastPath sets it too). */
    static final String DEFAULT_MEMORY = "256M";

    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--box", required = true, paramLabel = "x0,y0,z0:x1,y1,z1", description = "half-open box in voxel coordinates of the mip")
    String box;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
    String output;

    @Option(names = "--memory", defaultValue = DEFAULT_MEMORY, paramLabel = "SIZE",
            description = "bound of the tile buffer (default ${DEFAULT-VALUE}); chunks in flight come on top")
    String memory;

    @Option(names = "--axes", defaultValue = "xyz", paramLabel = "xyz|zyx",
            description = ".npy/raw/stdout order: xyz (default; precomputed's own) or zyx (tifffile, scikit-image, Fiji); TIFF is pages of z whatever this says")
    String axes = "xyz"; // FastPath leaves it at the default

    @Option(names = "--strict", description = "fail on missing chunks and boxes outside the volume instead of filling")
    boolean strict;

    @Mixin
    ReadWriteOptions rw;

    @Override
    public Integer call() {
        // Everything that can be checked is checked before a chunk is read: the box, where the
        // output goes, its size against the disk (the library checks that), the memory bound.
        Box b = Box.parse(box);
        if (b.rank() != 3) throw new InvalidInputException("--box " + box + ": expected x0,y0,z0:x1,y1,z1, found " + b.rank() + " coordinates");
        boolean zyx = Axes.zyx(axes);
        OutputFile out = OutputFile.check(output);
        long mem = ByteSize.parse(memory, "--memory");
        long t0 = System.nanoTime();
        try (BigArray a = BigArray.open(url, Options.defaults()).mip(rw.mip); Terminal.Bar bar = Terminal.Bar.bytes("cutout")) {
            BigArray arr = a.withOptions(rw.apply(a.options(), a.dataType()).withStrict(strict).withProgress(bar.listener()));
            CutoutSize.bytes(b, arr.channels(), arr.dataType()); // overflow: one line naming --box
            long written;
            try {
                if (zyx || out.format() == OutputFile.Format.TIFF) {
                    // Plane by plane in (z, y, x, c) order: TIFF pages, or the C-order arrays Python and Fiji expect.
                    PlaneCutout pc = new PlaneCutout(arr, b, switch (out.format()) {
                        case TIFF -> PlaneCutout.Format.TIFF;
                        case NPY -> PlaneCutout.Format.NPY;
                        case RAW -> PlaneCutout.Format.RAW;
                    }, mem);
                    if (out.isStdout()) {
                        written = pc.toStream(new FileOutputStream(FileDescriptor.out).getChannel());
                    } else if (out.inPlace()) {
                        try (FileChannel ch = FileChannel.open(out.path(), StandardOpenOption.WRITE)) {
                            written = pc.toStream(ch);
                        }
                    } else {
                        written = pc.toFile(out.path());
                    }
                } else if (out.isStdout()) {
                    // Not closed: that would close the process's stdout.
                    written = arr.read(b, new FileOutputStream(FileDescriptor.out).getChannel(), false, mem);
                } else if (out.inPlace()) {
                    try (FileChannel ch = FileChannel.open(out.path(), StandardOpenOption.WRITE)) {
                        written = arr.read(b, ch, out.isNpy(), mem);
                    }
                } else {
                    written = arr.read(b, out.path(), mem);
                }
            } catch (IOException e) {
                throw new StorageException(output, "", "write output", e.toString(), e);
            }
            bar.close();
            double s = (System.nanoTime() - t0) / 1e9;
            if (!out.isStdout() && FixedPoint.plainLocale()) {
                // What the printf below writes in these locales, without starting Formatter (see FixedPoint).
                System.err.print("cut out " + b + " (" + arr.dataType() + " x" + arr.channels() + ", " + FixedPoint.format(written / 1e6, 1) + " MB) from "
                        + arr.uri() + " mip " + arr.mip() + " to " + output + " in " + FixedPoint.format(s, 2) + " s" + System.lineSeparator());
            } else if (!out.isStdout()) {
                System.err.printf("cut out %s (%s x%d, %.1f MB) from %s mip %d to %s in %.2f s%n", b, arr.dataType(), arr.channels(),
                        written / 1e6, arr.uri(), arr.mip(), output, s);
            }
        }
        return Main.OK;
    }
}
