package org.bigarrays.options;

import org.bigarrays.codec.Compression;
import picocli.CommandLine.Option;

/** {@code --compress}, shared by the commands and Spark jobs that write chunks. */
public final class CompressOption {
    @Option(names = "--compress", description = "transport compression of written chunks: none, gzip, zstd, lz4, each chunk under its plain key "
            + "(gzip on s3/gs with Content-Encoding: gzip; Neuroglancer reads none and gzip). Default: the source's for transcode (detected from "
            + "one stored chunk of its mip 0; none when nothing is stored), mip 0's for downsample, none for ingest and Spark's transcode")
    String compress;

    /** The compression given, else {@code dflt} (may be null: "as the command decides"). */
    public Compression compression(Compression dflt) {
        return compress == null ? dflt : Compression.of(compress);
    }
}
