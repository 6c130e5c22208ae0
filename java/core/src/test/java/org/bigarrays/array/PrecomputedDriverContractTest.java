package org.bigarrays.array;

import org.bigarrays.core.Box;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * The array driver contract on Neuroglancer precomputed: every encoding this library writes ×
 * unsharded, sharded in blocks of the grid (identity hash, gzip data and indexes, several
 * minishards) and sharded by hash (murmur, raw data and indexes) × memory and file stores.
 * Unsharded chunks are written with every transport compression (none, gzip, zstd, lz4), mixed
 * within a scenario; sharded chunks have none (the shard's data_encoding is the compression).
 */
class PrecomputedDriverContractTest extends ArrayDriverContract {
    private static final List<DataType> ALL_TYPES = List.of(DataType.values());
    private static final List<DataType> UNSIGNED = List.of(DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64);

    /**
     * An encoding with what it stores, as its codec's {@code check} states it ({@link #listsMatchTheCodecs} keeps the two in step).
     * @param tolerance see {@link ArrayDriver#tolerance()}
     */
    record Encoding(String name, List<DataType> types, List<Integer> channels, int tolerance, boolean gray, Function<ArrayDriver.Geometry, EncodingSpec> spec) {
        static Encoding lossless(String name, List<DataType> types, List<Integer> channels) {
            return new Encoding(name, types, channels, 0, false, g -> EncodingSpec.of(name));
        }
    }

    /** compressed_segmentation blocks of 8 voxels a side, or the chunk's extent where it is smaller (larger blocks are refused). */
    private static EncodingSpec segmentationBlocks(ArrayDriver.Geometry g) {
        long[] block = new long[3];
        for (int i = 0; i < 3; i++) block[i] = Math.min(8, g.chunk()[i]);
        return new EncodingSpec("compressed_segmentation", block, null, null);
    }

    /** How chunks are laid out in the store. */
    enum Layout {
        UNSHARDED, SHARDED_BLOCKS, SHARDED_HASHED;

        ShardingSpec sharding(ArrayDriver.Geometry g) {
            return switch (this) {
                case UNSHARDED -> null;
                case SHARDED_BLOCKS -> {
                    // Shards of 8 chunks in minishards of 2 (a 48-byte minishard index bound): several shards and minishards.
                    long chunkBytes = (long) g.type().size() * g.channels() * g.chunk()[0] * g.chunk()[1] * g.chunk()[2];
                    yield ShardingPlanner.forImage(g.size(), g.chunk(), (long) g.type().size() * g.channels(), 8 * chunkBytes, 8192, 48);
                }
                case SHARDED_HASHED -> new ShardingSpec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 1, Compression.NONE, Compression.NONE);
            };
        }
    }

    record Precomputed(Encoding encoding, Layout layout) implements ArrayDriver {
        @Override
        public String name() {
            return "precomputed " + encoding.name + " " + layout.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public List<DataType> dataTypes() {
            return encoding.types;
        }

        @Override
        public List<Integer> channelCounts() {
            return encoding.channels;
        }

        @Override
        public int tolerance() {
            return encoding.tolerance;
        }

        @Override
        public boolean grayChannels() {
            return encoding.gray;
        }

        @Override
        public List<Compression> transports() {
            return layout == Layout.UNSHARDED ? List.of(Compression.values()) : List.of(Compression.NONE);
        }

        @Override
        public long[] writeUnit(Geometry g) {
            ShardingSpec s = layout.sharding(g);
            return s == null ? new long[] {1, 1, 1} : s.shardShapeInChunks(g.grid());
        }

        /** Hashed shards: every chunk of the grid in a shard the box touches lies in the box (a shard may hold one chunk). */
        @Override
        public boolean coversWriteUnits(Geometry g, Box b) {
            ShardingSpec s = layout.sharding(g);
            if (s == null || s.shardShapeInChunks(g.grid()) != null) return ArrayDriver.super.coversWriteUnits(g, b);
            long[] grid = g.grid();
            int[] bits = org.bigarrays.sharding.CompressedMorton.bits(grid);
            java.util.Map<Long, long[]> chunks = new java.util.HashMap<>(); // shard -> {in the box, in the grid}
            for (long z = 0; z < grid[2]; z++)
                for (long y = 0; y < grid[1]; y++)
                    for (long x = 0; x < grid[0]; x++) {
                        long shard = s.shardOf(org.bigarrays.sharding.CompressedMorton.encodeBits(new long[] {x, y, z}, bits));
                        long[] c = {x * g.chunk()[0] + g.offset()[0], y * g.chunk()[1] + g.offset()[1], z * g.chunk()[2] + g.offset()[2]};
                        boolean in = true;
                        for (int i = 0; i < 3; i++) in &= c[i] >= b.min(i) && c[i] < b.max(i);
                        long[] n = chunks.computeIfAbsent(shard, k -> new long[2]);
                        if (in) n[0]++;
                        n[1]++;
                    }
            return chunks.values().stream().allMatch(n -> n[0] == 0 || n[0] == n[1]);
        }

        @Override
        public BigArray create(String url, Geometry g, Options options) {
            var b = Info.builder(g.type(), g.size(), g.chunk()).offset(g.offset()).channels(g.channels());
            ShardingSpec s = layout.sharding(g);
            if (s != null) b.sharding(s);
            return BigArray.create(url, encoding.spec.apply(g).applyTo(b.build()), options);
        }
    }

    static List<Encoding> encodings() {
        List<Encoding> out = new ArrayList<>(List.of(
                Encoding.lossless("raw", ALL_TYPES, List.of(1, 2, 3)),
                // BigArrays.jl's whole-chunk compressions of raw chunks.
                Encoding.lossless("gzip", ALL_TYPES, List.of(1, 2)),
                Encoding.lossless("zstd", ALL_TYPES, List.of(1, 2)),
                new Encoding("compressed_segmentation", List.of(DataType.UINT32, DataType.UINT64), List.of(1, 2), 0, false,
                        PrecomputedDriverContractTest::segmentationBlocks),
                Encoding.lossless("compresso", UNSIGNED, List.of(1)),
                Encoding.lossless("png", List.of(DataType.UINT8, DataType.UINT16), List.of(1, 2, 3, 4)),
                // Quality 100 on gray data: only the DCT's rounding is lost, once per read-modify-write of a chunk
                // (at most 2 seen over 300 scenarios of up to 3 writes each).
                new Encoding("jpeg", List.of(DataType.UINT8), List.of(1, 3), 4, true, g -> new EncodingSpec("jpeg", null, 100, null))));
        // libblosc and libjxl only (no Java twins): not there with BIGARRAYS_NATIVE=0 (BloscCodecContractTest and
        // JxlCodecTest say when they must be).
        if (org.bigarrays.codec.BloscCodec.available()) out.add(Encoding.lossless("blosclz", ALL_TYPES, List.of(1, 2)));
        if (org.bigarrays.nativ.Jxl.available()) out.add(Encoding.lossless("jxl", List.of(DataType.UINT8), List.of(1, 3)));
        return out;
    }

    @Override
    List<ArrayDriver> drivers() {
        List<ArrayDriver> out = new ArrayList<>();
        for (Encoding e : encodings()) for (Layout l : Layout.values()) out.add(new Precomputed(e, l));
        return out;
    }

    /** The data types each driver lists are exactly those its codec accepts, and every channel count it lists is accepted. */
    @Test
    void listsMatchTheCodecs() {
        List<String> wrong = new ArrayList<>();
        for (Encoding e : encodings()) {
            for (DataType t : DataType.values()) {
                if (accepts(e, t, e.channels.getFirst()) != e.types.contains(t)) wrong.add(e.name + " " + t + (e.types.contains(t) ? " is listed but refused" : " is accepted but not listed"));
            }
            for (int c : e.channels) if (!accepts(e, e.types.getFirst(), c)) wrong.add(e.name + " " + c + " channels are listed but refused");
        }
        assertEquals(List.of(), wrong);
    }

    private static boolean accepts(Encoding e, DataType t, int channels) {
        try {
            e.spec.apply(new ArrayDriver.Geometry(t, channels, new long[] {8, 8, 8}, new long[3], new long[] {8, 8, 8})).check(t, channels);
            return true;
        } catch (InvalidInputException refused) {
            return false;
        }
    }
}
