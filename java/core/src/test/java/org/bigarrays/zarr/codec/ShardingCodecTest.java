package org.bigarrays.zarr.codec;

import static org.bigarrays.zarr.codec.ZarrSubjects.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.ByteRange;
import org.junit.jupiter.api.Test;

/** {@code sharding_indexed}: the spec's example, hand-built shards with the index at either end, damage, and round trips. */
class ShardingCodecTest {
    private static final String LE = "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}";
    private static final String INDEX = "[" + LE + ",{\"name\":\"crc32c\"}]";
    private static final long MISSING = -1L;

    /** The sharding example of the v3 spec (its trailing commas removed), on a 64x64 shard. */
    private static final String SPEC_EXAMPLE = """
            [{"name": "sharding_indexed",
              "configuration": {
                "chunk_shape": [32, 32],
                "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 1}}],
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
                "index_location": "end"}}]""";

    private static String sharded(String innerShape, String codecs, String indexCodecs, String location) {
        return "[{\"name\":\"sharding_indexed\",\"configuration\":{\"chunk_shape\":" + innerShape + ",\"codecs\":" + codecs + ",\"index_codecs\":" + indexCodecs
                + (location == null ? "" : ",\"index_location\":\"" + location + "\"") + "}}]";
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should say " + p);
    }

    @Test
    void theSpecsExample() {
        assertTrue(ShardingCodec.isSharded(json(SPEC_EXAMPLE)));
        ShardingCodec s = ShardingCodec.parse(json(SPEC_EXAMPLE), DataType.UINT16, new long[] {64, 64});
        // "16 (2x uint64) * 4 (chunks per shard) + 4 (crc32c checksum) = 68 bytes"
        assertEquals(68, s.indexByteSize());
        assertArrayEquals(new long[] {2, 2}, s.chunksPerShard());
        assertArrayEquals(new long[] {32, 32}, s.innerChunkShape());
        assertArrayEquals(new long[] {64, 64}, s.shardShape());
        assertEquals(4, s.innerChunkCount());
        assertEquals(ShardingCodec.IndexLocation.END, s.indexLocation());
        assertEquals(ByteRange.suffix(68), s.indexRange());
        assertEquals(json("[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]"), s.inner().toJson());
        assertEquals(32 * 32 * 2, s.inner().chunkByteSize());
        assertEquals(json(SPEC_EXAMPLE), s.toJson());
        // As the metadata model holds codecs: a list of JSON nodes.
        List<com.fasterxml.jackson.databind.JsonNode> asList = new ArrayList<>();
        json(SPEC_EXAMPLE).forEach(asList::add);
        assertTrue(ShardingCodec.isSharded(asList));
        assertEquals(s.toJson(), ShardingCodec.parse(asList, DataType.UINT16, new long[] {64, 64}).toJson());
        assertEquals(s.inner().toJson(), ZarrCodecPipeline.parse(List.of(json(SPEC_EXAMPLE).get(0).get("configuration").get("codecs").get(0),
                json(SPEC_EXAMPLE).get(0).get("configuration").get("codecs").get(1)), DataType.UINT16, new long[] {32, 32}).toJson());
        // Index order: chunk (0,0), (0,1), (1,0), (1,1): row-major.
        assertEquals(0, s.innerChunkIndex(0, 0));
        assertEquals(1, s.innerChunkIndex(0, 1));
        assertEquals(2, s.innerChunkIndex(1, 0));
        assertEquals(3, s.innerChunkIndex(1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.innerChunkIndex(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> s.innerChunkIndex(0));
        for (int i = 0; i < 4; i++) assertEquals(i, s.innerChunkIndex(s.innerChunkPosition(i)));
        assertArrayEquals(new long[] {1, 0}, s.innerChunkPosition(2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.innerChunkPosition(4));
    }

    @Test
    void indexLocationDefaultsToEnd() {
        ShardingCodec s = ShardingCodec.parse(json(sharded("[2]", "[\"bytes\"]", INDEX, null)), DataType.UINT8, new long[] {8});
        assertEquals(ShardingCodec.IndexLocation.END, s.indexLocation());
        assertEquals("end", s.toJson().get(0).get("configuration").get("index_location").asText());
        ShardingCodec start = ShardingCodec.parse(json(sharded("[2]", "[\"bytes\"]", INDEX, "start")), DataType.UINT8, new long[] {8});
        assertEquals(ByteRange.of(0, 4 * 16 + 4), start.indexRange());
    }

    /** An index as the spec lays it out: (offset, nbytes) little-endian uint64 pairs, then the CRC-32C of those bytes, little-endian. */
    private static byte[] index(long... pairs) {
        ByteBuffer b = ByteBuffer.allocate(8 * pairs.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long p : pairs) b.putLong(p);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, 8 * pairs.length);
        b.putInt((int) c.getValue());
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** uint8 shard 4x4 of 2x2 inner chunks (four of 4 bytes), raw bytes inner codec. */
    private static ShardingCodec small(String location) {
        return ShardingCodec.parse(json(sharded("[2,2]", "[\"bytes\"]", INDEX, location)), DataType.UINT8, new long[] {4, 4});
    }

    private static byte[] read(ShardingCodec s, byte[] shard, int i) {
        ShardingCodec.Index index = s.decodeIndexOf(MemorySegment.ofArray(shard), "s/0");
        MemorySegment out = MemorySegment.ofArray(new byte[4]);
        s.inner().decode(index.slice(MemorySegment.ofArray(shard), i), out, "s/0");
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void handBuiltShardWithTheIndexAtTheEnd() {
        ShardingCodec s = small("end");
        byte[] c0 = {1, 2, 3, 4}, c1 = {5, 6, 7, 8}, c3 = {9, 10, 11, 12};
        // Chunks out of order with 3 unused bytes between them (both allowed); chunk 2 missing.
        byte[] data = concat(c3, new byte[] {-1, -1, -1}, c0, c1);
        byte[] shard = concat(data, index(7, 4, 11, 4, MISSING, MISSING, 0, 4));
        ShardingCodec.Index index = s.decodeIndexOf(MemorySegment.ofArray(shard), "s/0");
        assertEquals(4, index.size());
        assertEquals(7, index.offset(0));
        assertEquals(4, index.length(0));
        assertEquals(ByteRange.of(11, 15), index.range(1));
        assertTrue(index.isMissing(2));
        assertFalse(index.isMissing(3));
        assertThrows(IllegalStateException.class, () -> index.offset(2));
        assertArrayEquals(c0, read(s, shard, 0));
        assertArrayEquals(c1, read(s, shard, 1));
        assertArrayEquals(c3, read(s, shard, 3));
        // The same from only the index's bytes and the shard's size (one ranged read).
        long[] r = s.indexRange().resolve(shard.length);
        ShardingCodec.Index fromRange = s.decodeIndex(MemorySegment.ofArray(Arrays.copyOfRange(shard, (int) r[0], (int) r[1])), shard.length, "s/0");
        assertEquals(11, fromRange.offset(1));
    }

    @Test
    void handBuiltShardWithTheIndexAtTheStart() {
        ShardingCodec s = small("start");
        byte[] c1 = {5, 6, 7, 8}, c2 = {1, 1, 2, 2};
        long base = 68;
        byte[] shard = concat(index(MISSING, MISSING, base + 4, 4, base, 4, MISSING, MISSING), c2, c1);
        ShardingCodec.Index index = s.decodeIndexOf(MemorySegment.ofArray(shard), "s/0");
        assertTrue(index.isMissing(0));
        assertTrue(index.isMissing(3));
        assertArrayEquals(c1, read(s, shard, 1));
        assertArrayEquals(c2, read(s, shard, 2));
        // Bytes after the last inner chunk are unused space, not damage.
        byte[] longer = concat(shard, new byte[] {42, 43});
        assertArrayEquals(c2, read(s, longer, 2));
    }

    private static CorruptChunkException corrupt(ShardingCodec s, byte[] shard) {
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> s.decodeIndexOf(MemorySegment.ofArray(shard), "shards/c/1/2"));
        assertEquals("shards/c/1/2", e.key());
        return e;
    }

    @Test
    void damagedIndexesAreCorruptNamingTheShard() {
        ShardingCodec end = small("end");
        byte[] data = new byte[16];
        // Past the end of the data, over the index, beyond 2^63, half-missing.
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, 4, 8, 4, 13, 4))), "entry 3", "[1, 1]", "offset 13, nbytes 4", "[0, 16)");
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, 4, 8, 4, 12, 5))), "entry 3");
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, 4, 8, 4, 16, 1))), "entry 3");
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, 4, 8, 4, Long.MIN_VALUE, 4))), "offset 9223372036854775808");
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, Long.MAX_VALUE, 8, 4, 12, 4))), "entry 1");
        assertMessage(corrupt(end, concat(data, index(0, 4, MISSING, 4, 8, 4, 12, 4))), "entry 1");
        assertMessage(corrupt(end, concat(data, index(0, 4, 4, MISSING, 8, 4, 12, 4))), "entry 1");
        // Checksum, and a shard shorter than its index.
        byte[] ok = concat(data, index(0, 4, 4, 4, 8, 4, 12, 4));
        end.decodeIndexOf(MemorySegment.ofArray(ok), "k");
        byte[] flipped = ok.clone();
        flipped[20] ^= 0x10;
        assertMessage(corrupt(end, flipped), "crc32c");
        assertMessage(corrupt(end, new byte[67]), "shorter than its 68-byte index");
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> end.decodeIndex(MemorySegment.ofArray(new byte[60]), 1000, "k"));
        assertMessage(e, "60 bytes, expected 68");

        ShardingCodec start = small("start");
        assertMessage(corrupt(start, concat(index(0, 4, 72, 4, 76, 4, 80, 4), data)), "entry 0", "[68, 84)");
        assertMessage(corrupt(start, concat(index(68, 4, 72, 4, 76, 4, 80, 5), data)), "entry 3");
    }

    @Test
    void encodedShardsDecodeBack() {
        for (ShardingCodec.IndexLocation loc : ShardingCodec.IndexLocation.values()) {
            ZarrCodecPipeline inner = ZarrCodecPipeline.of(DataType.UINT16, new long[] {4, 4}, "zstd", null, false);
            ShardingCodec s = ShardingCodec.of(new long[] {8, 12}, inner, loc);
            assertEquals(6, s.innerChunkCount());
            assertEquals(6 * 16 + 4, s.indexByteSize());
            List<MemorySegment> plain = new ArrayList<>(), encoded = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                MemorySegment c = i == 4 ? null : ZarrSubjects.sample(DataType.UINT16, new long[] {4, 4}, i);
                plain.add(c);
                encoded.add(c == null ? null : inner.encode(c));
            }
            MemorySegment shard = s.encodeShard(encoded).orElseThrow();
            ShardingCodec.Index index = s.decodeIndexOf(shard, "k");
            for (int i = 0; i < 6; i++) {
                assertEquals(plain.get(i) == null, index.isMissing(i));
                if (plain.get(i) == null) continue;
                MemorySegment out = MemorySegment.ofArray(new byte[32]);
                inner.decode(index.slice(shard, i), out, "k");
                assertEquals(-1, plain.get(i).mismatch(out), loc + " chunk " + i);
            }
            // What it writes is what the spec recommends: bytes little-endian and crc32c.
            assertEquals(json(INDEX), s.index().toJson());
            assertEquals(s.toJson(), ShardingCodec.parse(s.toJson(), DataType.UINT16, new long[] {8, 12}).toJson());
            List<MemorySegment> none = new ArrayList<>(java.util.Collections.nCopies(6, (MemorySegment) null));
            assertTrue(s.encodeShard(none).isEmpty(), "a shard of missing chunks is not stored");
            assertThrows(IllegalArgumentException.class, () -> s.encodeShard(encoded.subList(0, 5)));
        }
    }

    @Test
    void invalidConfigurationsAreNamed() {
        long[] shard = {8, 8};
        FormatException e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[3,4]", "[\"bytes\"]", INDEX, null)), DataType.UINT8, shard));
        assertMessage(e, "chunk_shape [3, 4] does not divide the shard shape [8, 8]");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[4]", "[\"bytes\"]", INDEX, null)), DataType.UINT8, shard));
        assertMessage(e, "\"chunk_shape\"");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[4,4]", "[\"bytes\"]", "[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]", null)),
                DataType.UINT8, shard));
        assertMessage(e, "index_codecs", "fixed size");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[4,4]", sharded("[2,2]", "[\"bytes\"]", INDEX, null), INDEX, null)), DataType.UINT8, shard));
        assertMessage(e, "sharding_indexed", "nested");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[4,4]", "[\"bytes\"]", INDEX, "middle")), DataType.UINT8, shard));
        assertMessage(e, "index_location", "start, end");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(sharded("[4,4]", "[\"lzma\"]", INDEX, null)), DataType.UINT8, shard));
        assertMessage(e, "'lzma'");
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json("[{\"name\":\"sharding_indexed\",\"configuration\":{\"chunk_shape\":[4,4],\"index_codecs\":" + INDEX + "}}]"),
                DataType.UINT8, shard));
        assertMessage(e, "needs \"codecs\"");
        String withCrc = sharded("[4,4]", "[\"bytes\"]", INDEX, null);
        withCrc = withCrc.substring(0, withCrc.length() - 1) + ",{\"name\":\"crc32c\"}]";
        String around = withCrc;
        e = assertThrows(FormatException.class, () -> ShardingCodec.parse(json(around), DataType.UINT8, shard));
        assertMessage(e, "other codecs around it");
        assertFalse(ShardingCodec.isSharded(json("[" + LE + "]")));
        assertFalse(ShardingCodec.isSharded(json("[]")));
        assertTrue(ShardingCodec.isSharded(json("[\"sharding_indexed\"]")));
    }

    /** Random grids, inner codecs, missing chunks and index location: every present inner chunk reads back, every missing one reads missing. */
    @Property(tries = 100)
    void randomShardsRoundTrip(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll boolean atStart, @ForAll @IntRange(min = 0, max = 3) int codecs,
                               @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] inner = new long[rank], shard = new long[rank];
        for (int d = 0; d < rank; d++) {
            inner[d] = 1 + r.nextInt(4);
            shard[d] = inner[d] * (1 + r.nextInt(rank > 2 ? 2 : 4));
        }
        String compressor = List.of("none", "gzip", "zstd", "none").get(codecs);
        ZarrCodecPipeline p = ZarrCodecPipeline.of(DataType.INT32, inner, compressor, null, codecs == 3);
        ShardingCodec s = ShardingCodec.of(shard, p, atStart ? ShardingCodec.IndexLocation.START : ShardingCodec.IndexLocation.END);
        List<MemorySegment> plain = new ArrayList<>(), enc = new ArrayList<>();
        for (int i = 0; i < s.innerChunkCount(); i++) {
            MemorySegment c = r.nextInt(3) == 0 ? null : ZarrSubjects.sample(DataType.INT32, inner, r.nextLong());
            plain.add(c);
            enc.add(c == null ? null : p.encode(c));
        }
        if (plain.stream().allMatch(c -> c == null)) {
            assertTrue(s.encodeShard(enc).isEmpty());
            return;
        }
        MemorySegment bytes = s.encodeShard(enc).orElseThrow();
        ShardingCodec parsed = ShardingCodec.parse(s.toJson(), DataType.INT32, shard);
        ShardingCodec.Index index = parsed.decodeIndexOf(bytes, "k");
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i) == null, index.isMissing(i));
            if (plain.get(i) == null) continue;
            MemorySegment out = MemorySegment.ofArray(new byte[(int) p.chunkByteSize()]);
            parsed.inner().decode(index.slice(bytes, i), out, "k");
            assertEquals(-1, plain.get(i).mismatch(out));
        }
    }
}
