package org.bigarrays.options;

import org.bigarrays.array.Options;
import picocli.CommandLine.Option;

/** {@code --format}, shared by the commands that create a layer. */
public final class FormatOption {
    @Option(names = "--format", paramLabel = "FORMAT", description = "format of the new layer: precomputed (default), zarr3 (a Zarr v3 array; "
            + "with --sharding, sharding_indexed), ome-zarr (an OME-Zarr 0.5 multiscale image: a Zarr v3 group with one array per mip). "
            + "Zarr chunks are compressed by the array's codecs: --compress gzip or zstd (default none) is fixed when the layer is created")
    String format;

    /** {@code o} with the format given, else {@code o} unchanged. */
    public Options apply(Options o) {
        return format == null ? o : o.withFormat(format);
    }

    /** The format given, or null. */
    public String format() {
        return format;
    }
}
