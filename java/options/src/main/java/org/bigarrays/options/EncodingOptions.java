package org.bigarrays.options;

import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine.Option;

/** The encoding and sharding options of a new layer: {@code create}, {@code ingest} and {@code transcode}, on the CLI and on Spark. */
public final class EncodingOptions {
    @Option(names = "--encoding", paramLabel = "ENC", description = "raw, jpeg, png, jxl, compressed_segmentation, compresso, or BigArrays.jl's gzip, zstd, blosclz "
            + "(default: raw for a new layer; transcode keeps the source's)")
    String encoding;

    @Option(names = "--block", paramLabel = "X,Y,Z", description = "compressed_segmentation block size (default 8,8,8)")
    String block;

    @Option(names = "--jpeg-quality", paramLabel = "Q", description = "1..100 (default 85)")
    Integer jpegQuality;

    @Option(names = "--png-level", paramLabel = "L", description = "0..9 (default 6)")
    Integer pngLevel;

    @Option(names = "--jxl-quality", paramLabel = "Q", description = "jxl: 0..100, 100 lossless (default 100); needs libjxl")
    Integer jxlQuality;

    @Option(names = "--sharding", paramLabel = "P,M,S[,HASH]|auto|none",
            description = "neuroglancer_uint64_sharded_v1: preshift,minishard,shard bits[,identity|murmurhash3_x86_128]; "
                    + "'auto' proposes spatial shards of about 3.5 GB; 'none' (transcode) unshards")
    String sharding;

    /** The encoding asked for, or null when no encoding option was given. */
    public EncodingSpec spec() {
        if (encoding == null && block == null && jpegQuality == null && pngLevel == null && jxlQuality == null) return null;
        String enc = encoding != null ? encoding : block != null ? "compressed_segmentation" : jpegQuality != null ? "jpeg"
                : jxlQuality != null ? "jxl" : "png";
        return new EncodingSpec(enc, block == null ? null : OptionValues.triple(block, "--block"), jpegQuality, pngLevel, jxlQuality);
    }

    /** The sharding spec for a volume of {@code size}/{@code chunk}, or null when none was asked for. */
    public ShardingSpec sharding(long[] size, long[] chunk, long bytesPerVoxel) {
        if (sharding == null || sharding.equals("none")) return null;
        return sharding.equals("auto") ? ShardingPlanner.forImage(size, chunk, bytesPerVoxel) : ShardingSpec.parseCli(sharding);
    }

    /** Whether --sharding asks for shards (not absent, not 'none'). */
    public boolean shards() {
        return sharding != null && !sharding.equals("none");
    }

    /** Whether --sharding is 'none' (transcode: unshard). */
    public boolean unshards() {
        return "none".equals(sharding);
    }
}
