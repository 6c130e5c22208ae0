package org.bigarrays.options;

import org.bigarrays.array.Options;
import org.bigarrays.codec.ZstdCodec;
import picocli.CommandLine.Option;

/** {@code --zstd-level}, shared by the commands and Spark jobs that write chunks. */
public final class ZstdLevelOption {
    @Option(names = "--zstd-level", paramLabel = "N", description = "level zstd writes at (with --compress zstd or the BigArrays.jl zstd "
            + "encoding; other compressions ignore it): " + ZstdCodec.MIN_LEVEL + " to " + ZstdCodec.MAX_LEVEL + ", default " + ZstdCodec.LEVEL
            + ". Higher: smaller chunks, slower writes (EM-like uint8: 1 writes ~6x faster than 3 for 5%% larger chunks; 19 stores 8%% less "
            + "than 3 at a tenth of its speed); reads are the same at every level")
    Integer level;

    /**
     * {@code o} with the level given, else {@code o} unchanged.
     * @throws org.bigarrays.InvalidInputException naming the level and the range when it is outside it
     */
    public Options apply(Options o) {
        return level == null ? o : o.withZstdLevel(level);
    }

    /** The level given, else the default ({@link ZstdCodec#LEVEL}). */
    public int level() {
        return level == null ? ZstdCodec.LEVEL : level;
    }

    /** Refuses a level outside the range before any work starts. */
    public void check() {
        if (level != null) ZstdCodec.checkLevel(level);
    }
}
