package org.bigarrays.cli;

import org.bigarrays.array.Options;
import picocli.CommandLine.Option;

/**
 * {@code --threads} and {@code --io} alone, for commands that copy chunks without reading boxes
 * ({@code transcode}): they have no mip, fill value or strictness to offer (see
 * {@link ReadWriteOptions} for the commands that do).
 */
final class ThreadOptions {
    @Option(names = "--threads", description = "decode/encode workers (default: cores)")
    Integer threads;

    @Option(names = "--io", description = "chunk requests in flight (default: 4 x cores, at least 16)")
    Integer io;

    /** {@code o} with these worker counts. */
    Options apply(Options o) {
        if (threads == null && io == null) return o;
        return o.withThreads(threads != null ? threads : o.cpuThreads(), io != null ? io : o.ioConcurrency());
    }
}
