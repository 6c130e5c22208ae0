package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.options.EncodingOptions;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays create URL --dtype T --size X,Y,Z --chunk X,Y,Z ...}: write a new layer's info. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Create a new precomputed layer (writes its info).")
final class CreateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--dtype", required = true, description = "uint8 int8 uint16 int16 uint32 int32 uint64 int64 float32 float64 bool")
    String dtype;

    @Option(names = "--size", required = true, paramLabel = "X,Y,Z")
    String size;

    @Option(names = "--chunk", required = true, paramLabel = "X,Y,Z")
    String chunk;

    @Option(names = "--offset", paramLabel = "X,Y,Z", description = "voxel_offset (default 0,0,0; may be negative)")
    String offset;

    @Option(names = "--resolution", paramLabel = "X,Y,Z", description = "voxel size in nm (default 1,1,1)")
    String resolution;

    @Option(names = "--channels", defaultValue = "1")
    int channels;

    @Option(names = "--type", defaultValue = "image", description = "image or segmentation")
    String type;

    @Option(names = "--mips", paramLabel = "N", defaultValue = "0",
            description = "also create mips 1..N above mip 0, N+1 scales in all, as 'downsample --mips N' counts them (x and y halve per mip, "
                    + "until they are 1 voxel; the geometry 'bigarrays downsample' fills; default 0: mip 0 only)")
    int mips;

    @Mixin
    EncodingOptions enc;

    @Mixin
    org.bigarrays.options.FormatOption format;

    @Mixin
    org.bigarrays.options.CompressOption compress;

    @Mixin
    org.bigarrays.options.ZstdLevelOption zstdLevel;

    @Override
    public Integer call() {
        DataType dt = DataType.of(dtype);
        long[] sz = triple(size, "--size");
        long[] ch = triple(chunk, "--chunk");
        // --mips counts the mips above mip 0, as downsample's does; the builder counts scales.
        int max = InfoBuilder.maxMips(sz) - 1;
        if (mips < 0 || mips > max) {
            throw new InvalidInputException("--mips: expected 0.." + max + " for size " + size + " (mip " + max + " is 1 voxel in x and y), found " + mips);
        }
        InfoBuilder b = Info.builder(dt, sz, ch).type(type).channels(channels).mips(mips + 1);
        if (offset != null) b.offset(triple(offset, "--offset"));
        if (resolution != null) {
            String[] r = resolution.split(",");
            if (r.length != 3) throw new InvalidInputException("--resolution: expected X,Y,Z, found '" + resolution + "'");
            try {
                b.resolution(Double.parseDouble(r[0]), Double.parseDouble(r[1]), Double.parseDouble(r[2]));
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--resolution: invalid number in '" + resolution + "'");
            }
        }
        b.build(); // sizes, offset and chunk checked before the sharding planner sees them
        ShardingSpec spec = enc.sharding(sz, ch, (long) dt.size() * channels);
        if (spec != null) b.sharding(spec);
        Info info = b.build();
        EncodingSpec encoding = enc.spec();
        if (encoding != null) info = encoding.applyTo(info);
        org.bigarrays.array.Options o = zstdLevel.apply(format.apply(org.bigarrays.array.Options.defaults()));
        var c = compress.compression(null);
        if (c != null) {
            if (format.format() == null || format.format().equalsIgnoreCase("precomputed")) {
                throw new InvalidInputException("--compress applies to Zarr layers (--format zarr3 or ome-zarr); a precomputed layer's chunks are compressed as they are written (write, ingest, transcode --compress)");
            }
            o = o.withCompression(c);
        }
        try (BigArray a = BigArray.create(url, info, o)) {
            System.out.println("created " + a.uri() + " (" + a.format() + "): " + info.dataType() + " " + info.scale(0).encoding() + " x" + info.numChannels() + ", size "
                    + a.bounds() + ", chunks " + java.util.Arrays.toString(a.chunkShape()) + ", " + info.scales().size() + " scale(s)");
        }
        return Main.OK;
    }

    static long[] triple(String s, String what) {
        return org.bigarrays.options.OptionValues.triple(s, what);
    }
}
