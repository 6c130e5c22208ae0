package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;

/**
 * BigArrays on a local file store (precomputed, or Zarr v3 for the {@code zarr3-} encodings), read the way a user's code does it:
 * {@link Api#INTO} reuses the harness's buffer ({@code read(box, into)}, the tuned path);
 * {@link Api#SIMPLE} calls {@code read(box)} and takes a new result every time (the README's
 * first example); {@link Api#ARENA} reads into a confined arena closed after each read
 * ({@code read(box, arena)}).
 */
final class BigArraysPeer implements Peer {
    enum Api { INTO, SIMPLE, ARENA }

    private final Api api;

    BigArraysPeer() {
        this(Api.INTO);
    }

    BigArraysPeer(Api api) {
        this.api = api;
    }

    static Options options(SideBySide.Case c) {
        Options o = Options.defaults().withThreads(c.threads(), Integer.getInteger(IO_CONCURRENCY, Math.max(c.threads(), 4 * c.threads())))
                .withCompression(SideBySide.compression(c.encoding()));
        Integer level = Integer.getInteger(ZSTD_LEVEL);
        if (level != null) o = o.withZstdLevel(level);
        return zarr(c) ? o.withFormat("zarr3") : o;
    }

    /**
     * Set to the I/O concurrency BigArrays runs with (default 4 per CPU thread): {@link Writes}'
     * {@code --io}. Durable writes wait on one fsync per chunk file, so they scale with it.
     */
    static final String IO_CONCURRENCY = "bigarrays.bench.ioConcurrency";

    /** Set to the zstd level BigArrays writes (default: its own, 3): {@link Writes}' {@code --zstd-level}. */
    static final String ZSTD_LEVEL = "bigarrays.bench.zstdLevel";

    /** The prefix of an encoding ("zarr3-gzip", "zarr3-zstd-sharded") whose layer is a Zarr v3 array. */
    static final String ZARR = "zarr3-";

    /** Whether {@code c}'s layer is written as a Zarr v3 array (sharded: {@code sharding_indexed}) instead of precomputed. */
    static boolean zarr(SideBySide.Case c) {
        return c.encoding().startsWith(ZARR);
    }

    /** The suffix of an encoding ("raw-sharded", "gzip-sharded") whose layer is stored in spatial shards. */
    static final String SHARDED = "-sharded";

    static boolean sharded(SideBySide.Case c) {
        return c.encoding().endsWith(SHARDED);
    }

    /**
     * Spatial shards of 4×4×4 chunks (identity hash, 8 chunks per minishard, 8 minishards), the
     * chunks' compression as the shard's data_encoding; or {@code hashed}: murmurhash3 over 4 shards.
     * A Zarr layer takes the same spatial shard shape as its {@code sharding_indexed} shard.
     */
    static ShardingSpec shardingOf(SideBySide.Case c, long[] gridShape, boolean hashed) {
        int bits = 0;
        for (long g : gridShape) bits += 64 - Long.numberOfLeadingZeros(Math.max(0, g - 1));
        Compression data = SideBySide.compression(c.encoding()) == org.bigarrays.codec.Compression.GZIP ? Compression.GZIP
                : Compression.NONE;
        return hashed ? new ShardingSpec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 3, 2, data, Compression.GZIP)
                : new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 3, Math.max(0, bits - 6), data, Compression.GZIP);
    }

    /** The precomputed data encoding of the harness's {@code jpeg}, {@code png}, {@code cseg} and {@code blosc} cases; null for raw chunks (compressed or not). */
    static String dataEncoding(SideBySide.Case c) {
        return switch (c.encoding()) {
            case "jpeg" -> "jpeg";
            case "png" -> "png";
            case "cseg" -> "compressed_segmentation";
            case "blosc" -> "blosclz";
            default -> null;
        };
    }

    @Override
    public boolean supports(SideBySide.Case c) {
        return true; // the harness only builds cases whose encoding BigArrays has
    }

    @Override
    public void write(Path dir, NdView volume, SideBySide.Case c) {
        long[] s = volume.shape();
        var b = Info.builder(c.type(), new long[] {s[0], s[1], s[2]}, new long[] {c.chunk(), c.chunk(), c.chunk()});
        if (sharded(c)) {
            long[] grid = new long[3];
            for (int i = 0; i < 3; i++) grid[i] = Math.ceilDiv(s[i], c.chunk());
            b.sharding(shardingOf(c, grid, false));
        }
        String dataEncoding = dataEncoding(c);
        if (dataEncoding != null) b.encoding(dataEncoding);
        if (c.encoding().equals("cseg")) b.compressedSegmentationBlockSize(8, 8, 8); // what the bare decoder is given
        Info info = b.build();
        // Durable by default (fsync per chunk file, and of the scale directory once per write); --no-fsync compares like for like
        // with peers that do not sync.
        String url = dir.toUri() + (SideBySide.durableWrites() ? "" : "?fsync=false");
        try (BigArray arr = BigArray.create(url, info, options(c))) {
            arr.write(volume);
        }
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) {
        BigArray arr = BigArray.open(dir.toUri().toString(), options(c));
        return new Reader() {
            private boolean checked;

            @Override
            public void read(Box box, NdView into) {
                switch (api) {
                    case INTO -> arr.read(box, into);
                    case SIMPLE -> keepFirst(arr.read(box), into);
                    case ARENA -> {
                        try (Arena a = Arena.ofConfined()) {
                            keepFirst(arr.read(box, a), into);
                        }
                    }
                }
            }

            /** The first result goes to the harness's buffer (it checks the voxels); later ones are dropped, as a loop would. */
            private void keepFirst(NdView result, NdView into) {
                if (checked) return;
                MemorySegment.copy(result.segment(), 0, into.segment(), 0, into.byteSize());
                checked = true;
            }

            @Override
            public void close() {
                arr.close();
            }
        };
    }
}
