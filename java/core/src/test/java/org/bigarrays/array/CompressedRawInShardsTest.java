package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.UUID;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Found by the array driver contract (fails on main at c2ae901, to be fixed in main code): BigArrays.jl's
 * whole-chunk encodings (gzip, zstd, blosclz) on a sharded scale. A chunk too small or too random
 * to compress takes more bytes than the raw chunk, but a sharded scale caps a stored chunk at its
 * array codec's bound (raw: the chunk's size; ScaleChunkStore.maxStoredChunkBytes leaves out the
 * whole-chunk bytes stage). A whole write is refused ("chunk 0 of 24 bytes is larger than the 1
 * any chunk of this scale can have"); a read-modify-write stores the shard anyway, and reading it
 * back fails ("chunk of 592 stored bytes is larger than the 576 any chunk of this scale can take",
 * or with gzip shard data "chunk data declares 592 inflated bytes, more than the 576 it can
 * have"): a layer written that cannot be read.
 */
class CompressedRawInShardsTest {
    @ParameterizedTest(name = "{0} chunks in {1} shards, {2}")
    @CsvSource({"gzip, raw, tiny", "gzip, gzip, tiny", "gzip, raw, random", "gzip, gzip, random", "gzip, raw, patched", "gzip, gzip, patched",
            "zstd, raw, tiny", "zstd, gzip, tiny", "zstd, raw, random", "zstd, gzip, random", "zstd, raw, patched", "zstd, gzip, patched",
            "blosclz, raw, tiny", "blosclz, gzip, tiny", "blosclz, raw, random", "blosclz, gzip, random", "blosclz, raw, patched", "blosclz, gzip, patched"})
    void randomChunksRoundTrip(String encoding, String dataEncoding, String kind) {
        Compression data = Compression.of(dataEncoding);
        ShardingSpec sharding = new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 0, 1, Compression.NONE, data);
        // tiny: two 1-voxel uint8 chunks, too small to compress; random: two 7x6x2 int64 chunks of random bits, too
        // random to; patched: a uint8 layer written in part with read-modify-write (the contract's case: it is stored,
        // and then cannot be read).
        DataType type = switch (kind) {
            case "tiny", "patched" -> DataType.UINT8;
            default -> DataType.INT64;
        };
        long[] size = switch (kind) {
            case "tiny" -> new long[] {2, 1, 1};
            case "random" -> new long[] {14, 6, 2};
            default -> new long[] {13, 6, 15};
        };
        long[] chunk = switch (kind) {
            case "tiny" -> new long[] {1, 1, 1};
            case "random" -> new long[] {7, 6, 2};
            default -> new long[] {12, 4, 12};
        };
        Box box = kind.equals("patched") ? Box.of(new long[] {1, 1, 1}, new long[] {12, 4, 12}) : Box.of(new long[3], size);
        Info info = EncodingSpec.of(encoding).applyTo(Info.builder(type, size, chunk).sharding(sharding).build());
        String name = "compressed-raw-" + UUID.randomUUID();
        try (BigArray a = BigArray.create("mem://" + name + "/layer", info, Options.defaults().withReadModifyWrite(kind.equals("patched")))) {
            NdView v = NdView.allocate(Arena.ofAuto(), type, new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), 1});
            byte[] bytes = new byte[(int) v.byteSize()];
            new SplittableRandom(7).nextBytes(bytes);
            v.segment().asSlice(v.byteOffset(), v.byteSize()).copyFrom(MemorySegment.ofArray(bytes));
            a.write(v);
            NdView back = a.read(box);
            assertEquals(-1, back.toSegment(Arena.ofAuto()).mismatch(v.toSegment(Arena.ofAuto())), encoding + " chunks in " + dataEncoding + " shards read back differently");
        } finally {
            KeyValueStores.dropMemory(name);
        }
    }
}
