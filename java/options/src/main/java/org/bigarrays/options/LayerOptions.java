package org.bigarrays.options;

import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import picocli.CommandLine.Option;

/** The geometry options of a new layer made from a source ({@code ingest}, CLI and Spark): chunk, offset, resolution, type. */
public final class LayerOptions {
    @Option(names = "--chunk", paramLabel = "X,Y,Z", description = "chunk shape (default 64,64,64, cut to the volume)")
    String chunk;

    @Option(names = "--offset", paramLabel = "X,Y,Z", description = "voxel_offset (default 0,0,0)")
    String offset;

    @Option(names = "--resolution", paramLabel = "X,Y,Z", description = "voxel size in nm (default 1,1,1)")
    String resolution;

    @Option(names = "--type", defaultValue = "image", description = "image or segmentation")
    String type;

    /** The chunk shape for a volume of {@code size}: --chunk, else 64 a side cut to the volume. */
    public long[] chunk(long[] size) {
        return chunk != null ? OptionValues.triple(chunk, "--chunk") : new long[] {Math.min(64, size[0]), Math.min(64, size[1]), Math.min(64, size[2])};
    }

    /** An info builder for {@code size} voxels of {@code channels} x {@code type} with these options. */
    public InfoBuilder builder(DataType dataType, long[] size, int channels) {
        InfoBuilder b = Info.builder(dataType, size, chunk(size)).type(type).channels(channels);
        if (offset != null) b.offset(OptionValues.triple(offset, "--offset"));
        if (resolution != null) {
            String[] r = resolution.split(",");
            if (r.length != 3) throw new InvalidInputException("--resolution: expected X,Y,Z, found '" + resolution + "'");
            try {
                b.resolution(Double.parseDouble(r[0]), Double.parseDouble(r[1]), Double.parseDouble(r[2]));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--resolution: invalid number in '" + resolution + "'");
            }
        }
        return b;
    }
}
