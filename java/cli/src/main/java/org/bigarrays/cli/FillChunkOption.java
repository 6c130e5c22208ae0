package org.bigarrays.cli;

import org.bigarrays.array.Options;
import picocli.CommandLine.Option;

/** {@code --store-fill-chunks}, shared by the commands that write chunks (transcode, downsample, ingest, write). */
final class FillChunkOption {
    @Option(names = "--store-fill-chunks", description = "store chunks that are entirely the fill value (default: leave them out, "
            + "and delete a stored one they replace: a missing chunk reads back as the fill value, so sparse layers stay sparse)")
    boolean storeFillChunks;

    /** {@code o} with this choice. */
    Options apply(Options o) {
        return o.withStoreFillChunks(storeFillChunks);
    }
}
