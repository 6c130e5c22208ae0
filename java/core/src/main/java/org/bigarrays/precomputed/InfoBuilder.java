package org.bigarrays.precomputed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;

/**
 * Builds a new {@link Info}; see {@link Info#builder}. Mips are added by halving x and y, with the
 * geometry of {@link ScaleGeometry#downsampled} (what {@code bigarrays downsample} fills).
 */
public final class InfoBuilder {
    private final DataType dataType;
    private final long[] size;
    private final long[] chunk;
    private String type = "image";
    private int channels = 1;
    private long[] offset = new long[3];
    private double[] resolution = {1, 1, 1};
    private String encoding = org.bigarrays.codec.Encoding.RAW.jsonName();
    private long[] block;
    private Integer jpegQuality;
    private Integer pngLevel;
    private JsonMembers sharding;
    private int mips = 1;

    InfoBuilder(DataType dataType, long[] size, long[] chunk) {
        check(size, "size", 1);
        check(chunk, "chunk size", 1);
        this.dataType = dataType;
        this.size = size.clone();
        this.chunk = chunk.clone();
    }

    private static void check(long[] v, String what, long min) {
        if (v.length != 3) throw new InvalidInputException(what + ": expected 3 values x,y,z, found " + v.length);
        for (long x : v) if (x < min) throw new InvalidInputException(what + ": expected values ≥ " + min + ", found " + x);
    }

    public InfoBuilder type(String t) {
        if (!t.equals("image") && !t.equals("segmentation")) throw new InvalidInputException("type: expected image or segmentation, found " + t);
        this.type = t;
        return this;
    }

    public InfoBuilder channels(int c) {
        if (c < 1) throw new InvalidInputException("channels: expected ≥ 1, found " + c);
        this.channels = c;
        return this;
    }

    public InfoBuilder offset(long... o) {
        check(o, "offset", Long.MIN_VALUE);
        this.offset = o.clone();
        return this;
    }

    public InfoBuilder resolution(double... r) {
        if (r.length != 3) throw new InvalidInputException("resolution: expected 3 values, found " + r.length);
        for (double d : r) {
            if (!(d > 0) || !Double.isFinite(d)) throw new InvalidInputException("resolution: expected positive finite values, found " + d);
        }
        this.resolution = r.clone();
        return this;
    }

    public InfoBuilder encoding(String e) {
        this.encoding = e;
        return this;
    }

    public InfoBuilder compressedSegmentationBlockSize(long... b) {
        check(b, "block size", 1);
        this.block = b.clone();
        return this;
    }

    public InfoBuilder jpegQuality(int q) {
        this.jpegQuality = q;
        return this;
    }

    public InfoBuilder pngLevel(int l) {
        this.pngLevel = l;
        return this;
    }

    /** Shard every scale by {@code spec} (null: unsharded). */
    public InfoBuilder sharding(org.bigarrays.sharding.ShardingSpec spec) {
        this.sharding = JsonMembers.sharding(spec);
        return this;
    }

    /**
     * Number of scales: mip k halves x and y k times (z kept), like Neuroglancer's defaults. At
     * most until x and y are one voxel: the last mip is the first that is 1 x 1 in x and y.
     */
    public InfoBuilder mips(int n) {
        int max = maxMips(size);
        if (n < 1 || n > max) {
            throw new InvalidInputException("mips: expected 1.." + max + " for size " + size[0] + "," + size[1] + "," + size[2]
                    + " (mip " + (max - 1) + " is 1 voxel in x and y), found " + n);
        }
        this.mips = n;
        return this;
    }

    /** The most mips {@link #mips} allows for {@code size}: 1 + ceil(log2(max(x, y))), at most 63. */
    public static int maxMips(long[] size) {
        long m = Math.max(size[0], size[1]);
        int n = 1;
        while (n < 63 && m > (1L << (n - 1))) n++;
        return n;
    }

    /**
     * The info, validated as a read one is.
     *
     * @throws InvalidInputException when a value is out of range (a chunk over 2 GiB, offset +
     *     size beyond 2^63-1, ...), naming it
     */
    public Info build() {
        if (encoding.equals(org.bigarrays.codec.Encoding.COMPRESSED_SEGMENTATION.jsonName()) && block == null) block = new long[] {8, 8, 8};
        List<Scale> scales = new ArrayList<>();
        Scale s = new Scale(ScaleGeometry.key(resolution), size.clone(), resolution.clone(), offset.clone(), List.of(chunk.clone()),
                encoding, block, jpegQuality, pngLevel, sharding, JsonMembers.EMPTY);
        scales.add(s);
        for (int m = 1; m < mips; m++) {
            // The geometry `bigarrays downsample` fills (ScaleGeometry), with factor 2,2,1.
            Scale d = ScaleGeometry.downsampled(s, new long[] {2, 2, 1}, chunk);
            s = new Scale(d.key(), d.size(), d.resolution(), d.voxelOffset(), d.chunkSizes(), encoding, block, jpegQuality, pngLevel,
                    sharding, JsonMembers.EMPTY);
            scales.add(s);
        }
        var extra = JsonNodeFactory.instance.objectNode();
        extra.put("@type", "neuroglancer_multiscale_volume");
        Info info = new Info(type, dataType, channels, scales, JsonMembers.of(extra));
        try {
            return Info.parseTree(info.toJsonTree(), "new info"); // one validation path for new and read infos
        } catch (FormatException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

}
