package org.bigarrays.array;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;

/**
 * The array driver contract on Zarr v3: raw chunks with each compressor (none, gzip, zstd) ×
 * unsharded and {@code sharding_indexed} (shards of 8 inner chunks, index at the end) × a lone
 * array and an OME-Zarr multiscale group × memory and file stores. Zarr compresses in its
 * codecs, so writes ask for no transport compression.
 */
class ZarrDriverContractTest extends ArrayDriverContract {
    record Zarr(String format, Compression compressor, boolean sharded) implements ArrayDriver {
        @Override
        public String name() {
            return format + " " + compressor.name().toLowerCase(java.util.Locale.ROOT) + (sharded ? " sharded" : "");
        }

        @Override
        public List<DataType> dataTypes() {
            return List.of(DataType.values());
        }

        @Override
        public List<Integer> channelCounts() {
            return List.of(1, 2, 3);
        }

        @Override
        public List<Compression> transports() {
            return List.of(Compression.NONE);
        }

        private ShardingSpec sharding(Geometry g) {
            if (!sharded) return null;
            long chunkBytes = (long) g.type().size() * g.channels() * g.chunk()[0] * g.chunk()[1] * g.chunk()[2];
            return ShardingPlanner.forImage(g.size(), g.chunk(), (long) g.type().size() * g.channels(), 8 * chunkBytes, 8192, 48);
        }

        @Override
        public long[] writeUnit(Geometry g) {
            ShardingSpec s = sharding(g);
            if (s == null) return new long[] {1, 1, 1};
            long[] per = s.shardShapeInChunks(g.grid());
            return per != null ? per : new long[] {Math.min(8, g.grid()[0]), Math.min(8, g.grid()[1]), Math.min(8, g.grid()[2])};
        }

        @Override
        public BigArray create(String url, Geometry g, Options options) {
            var b = Info.builder(g.type(), g.size(), g.chunk()).offset(g.offset()).channels(g.channels());
            ShardingSpec s = sharding(g);
            if (s != null) b.sharding(s);
            return BigArray.create(url, b.build(), options.withFormat(format).withCompression(compressor));
        }
    }

    @Override
    List<ArrayDriver> drivers() {
        List<ArrayDriver> out = new ArrayList<>();
        for (String f : List.of("zarr3", "ome-zarr")) {
            for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.ZSTD)) {
                for (boolean sharded : List.of(false, true)) out.add(new Zarr(f, c, sharded));
            }
        }
        return out;
    }
}
