package org.bigarrays.cli;

import org.bigarrays.InvalidInputException;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that read or write boxes of voxels at one mip ({@code cutout},
 * {@code write}): all of them matter there (write's --fill is what a read-modify-write finds in
 * missing chunks). {@code --strict} is cutout's own (writes never fail on a missing chunk), and
 * commands that would ignore more take a narrower mixin ({@link ThreadOptions}), so that --help
 * offers nothing that does nothing.
 */
final class ReadWriteOptions {
    @Option(names = "--mip", defaultValue = "0", description = "scale (0 = finest)")
    int mip;

    @Option(names = "--fill", paramLabel = "V", description = "value for voxels outside the volume or in missing chunks (default 0); "
            + "must fit the data type (e.g. 0..255 for uint8; NaN and Infinity for floats only)")
    String fill;

    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @Option(names = "--io", description = "chunk requests in flight (default: 4 x cores, at least 16)")
    Integer io;

    /** {@code o} with these options, the fill value checked against {@code type} (naming --fill). */
    Options apply(Options o, DataType type) {
        Options r = o;
        if (fill != null) {
            type.bitsOf(fill, "--fill"); // fails at once, naming the value, when it does not fit the type
            r = r.withFillValue(fill);
        }
        if (threads != null || io != null) r = r.withThreads(threads != null ? threads : o.cpuThreads(), io != null ? io : o.ioConcurrency());
        return r;
    }
}
