package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Transcode;
import org.bigarrays.codec.Compression;
import org.bigarrays.options.CompressOption;
import org.bigarrays.options.ZstdLevelOption;
import org.bigarrays.options.EncodingOptions;
import org.bigarrays.options.RestartOption;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays transcode SRC DST}: copy a layer between any two stores, re-encoding, compressing or (un)sharding it. */
@Command(name = "transcode", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Copy layer SRC to a new layer DST (any stores) with another encoding, compression, sharding or format",
                "(precomputed, Zarr v3, OME-Zarr; Zarr v2 sources are read).",
                "New shards (--sharding) store their data gzip or raw to match the compression, when it is gzip or none."})
final class TranscodeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC")
    String src;

    @Parameters(index = "1", paramLabel = "DST")
    String dst;

    @Mixin
    CompressOption compress;

    @Mixin
    org.bigarrays.options.FormatOption format;

    @Mixin
    ZstdLevelOption zstdLevel;

    @Mixin
    RestartOption restart;

    @Mixin
    EncodingOptions enc;

    @Mixin
    ThreadOptions threads;

    @Mixin
    FillChunkOption fillChunks;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Compression compression = compress.compression(null);
        zstdLevel.check();
        Options o;
        java.util.Optional<ShardingSpec> sharding = null; // null: keep each scale's own
        // The source's info first (it is checked, keys included, before any chunk is touched),
        // then the options that depend on its data type.
        try (BigArray s = BigArray.open(src, Options.defaults())) {
            if (compression == null) {
                // Keep what the source stores (a gzip layer stays gzip); people expect a copy to be a copy.
                Compression found = StoredCompression.detect(s.mip(0));
                compression = found == null ? Compression.NONE : found;
            }
            o = format.apply(zstdLevel.apply(fillChunks.apply(threads.apply(Options.defaults()).withCompression(compression))));
            if (enc.shards()) {
                ShardingSpec spec = enc.sharding(s.bounds().shape(), s.chunkShape(), (long) s.dataType().size() * s.channels());
                sharding = java.util.Optional.of(withData(spec, compression));
            }
        }
        if (enc.unshards()) sharding = java.util.Optional.empty();
        try (Terminal.Bar bar = new Terminal.Bar("transcode")) {
            Transcode.Result r = Transcode.run(src, dst, enc.spec(), sharding, o.withProgress(bar.listener()), restart.restart());
            bar.close();
            System.err.printf("transcoded %s -> %s: %d chunks written, %d missing, %.1f MB read, %.1f MB written in %.2f s%n",
                    src, dst, r.chunksWritten(), r.chunksMissing(), r.bytesRead() / 1e6, r.bytesWritten() / 1e6, (System.nanoTime() - t0) / 1e9);
        }
        return Main.OK;
    }

    /**
     * {@code spec} storing chunk data as {@code c} where a shard can (gzip or raw): without this,
     * --sharding would gzip a raw layer (the planner's and parser's default) while an unsharded copy
     * keeps it raw. zstd and lz4 have no data_encoding in the format: those keep the spec's gzip.
     */
    static ShardingSpec withData(ShardingSpec spec, Compression c) {
        Compression data = ShardingSpec.ENCODINGS.contains(c) ? c : spec.dataEncoding();
        return new ShardingSpec(spec.preshiftBits(), spec.hash(), spec.minishardBits(), spec.shardBits(), spec.minishardIndexEncoding(), data);
    }
}
