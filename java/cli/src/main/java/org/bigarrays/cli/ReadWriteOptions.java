package org.bigarrays.cli;

import org.bigarrays.array.Options;
import picocli.CommandLine.Option;

/** Options shared by the commands that read or write voxels. */
final class ReadWriteOptions {
    @Option(names = "--mip", defaultValue = "0", description = "scale (0 = finest)")
    int mip;

    @Option(names = "--fill", description = "value for voxels outside the volume or in missing chunks (default 0)")
    Double fill;

    @Option(names = "--strict", description = "fail on missing chunks and boxes outside the volume instead of filling")
    boolean strict;

    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @Option(names = "--io", description = "chunk requests in flight (default: 4 x cores, at least 16)")
    Integer io;

    Options apply(Options o) {
        Options r = o.withStrict(strict);
        if (fill != null) r = r.withFillValue(fill);
        if (threads != null || io != null) r = r.withThreads(threads != null ? threads : o.cpuThreads(), io != null ? io : o.ioConcurrency());
        return r;
    }
}
