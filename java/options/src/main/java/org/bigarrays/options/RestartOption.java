package org.bigarrays.options;

import picocli.CommandLine.Option;

/** {@code --restart}, shared by the resumable jobs (ingest, transcode, downsample; CLI and Spark). */
public final class RestartOption {
    @Option(names = "--restart", description = "discard the record of an unfinished job with other settings at the destination and start over "
            + "(a rerun with the same settings resumes without it)")
    boolean restart;

    /** Whether --restart was given. */
    public boolean restart() {
        return restart;
    }
}
