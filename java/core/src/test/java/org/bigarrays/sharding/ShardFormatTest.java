package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.MemoryStore;
import org.bigarrays.kvstore.ReadResult;
import org.junit.jupiter.api.Test;

/** The shard byte layout against TensorStore's vectors: encoders, readers, malformed files, request sequence. */
class ShardFormatTest {
    private final JsonNode v = Fixtures.json("tensorstore/sharded_kvstore_vectors.json");

    private static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }

    private static String str(ReadResult r) {
        return new String(r.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void minishardIndexEncoding() {
        for (JsonNode c : v.get("minishard_index_encoding_cases").get("cases")) {
            JsonNode es = c.get("entries");
            int n = es.size();
            long[] ids = new long[n], s = new long[n], e = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = Fixtures.num(es.get(i).get("chunk_id"));
                s[i] = es.get(i).get("byte_range").get(0).asLong();
                e[i] = es.get(i).get("byte_range").get(1).asLong();
            }
            byte[] enc = MinishardIndex.encode(ids, s, e);
            assertEquals(c.get("expected_hex").asText(), HexFormat.of().formatHex(enc), c.get("name").asText());
            // And back: decoding with data start 0 gives the same absolute ranges.
            MinishardIndex d = MinishardIndex.decode(enc, 0, -1, "t");
            for (int i = 0; i < n; i++) {
                int k = d.find(ids[i]);
                assertEquals(s[i], d.start(k));
                assertEquals(e[i], d.end(k));
            }
        }
    }

    @Test
    void shardIndexEncoding() {
        JsonNode c = v.get("shard_index_encoding_cases").get("cases").get(0);
        byte[] enc = ShardEncoder.encodeShardIndex(new long[] {1, 7}, new long[] {5, 10});
        assertEquals(c.get("expected_hex").asText(), HexFormat.of().formatHex(enc));
    }

    @Test
    void encoderMatchesTensorstoreShardByteForByte() {
        JsonNode c = v.get("shard_encoder_raw");
        ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), "t");
        TreeMap<Long, MemorySegment> chunks = new TreeMap<>();
        for (JsonNode w : c.get("writes_in_order")) {
            long id = w.get("chunk_id").asLong();
            assertEquals(w.get("minishard").asInt(), spec.minishardOf(id));
            chunks.put(id, seg(Fixtures.hex(w.get("data_hex").asText())));
        }
        byte[] file = ShardEncoder.encode(spec, chunks).toArray(ValueLayout.JAVA_BYTE);
        byte[] expected = Fixtures.bytes("tensorstore/shard_encoder_raw/0.shard");
        assertEquals(113, expected.length);
        assertArrayEquals(expected, file);
        assertEquals(c.get("expected_shard_index_hex").asText() + c.get("expected_data_section_hex").asText(), HexFormat.of().formatHex(file));
        // The reader gets every chunk back from the reference file.
        MemoryStore m = new MemoryStore("mem://t/");
        m.write("0.shard", seg(expected));
        ChunkIdView store = new ChunkIdView(m, spec);
        for (var e : chunks.entrySet()) assertArrayEquals(e.getValue().toArray(ValueLayout.JAVA_BYTE), store.read(e.getKey()).toByteArray());
        assertFalse(store.read(4).found());
        assertEquals(chunks.keySet(), store.readShard(0).keySet());
    }

    @Test
    void handBuiltShardWithSizeBeforeChunk() {
        JsonNode c = v.get("hand_built_shard_read_size_before_chunk");
        byte[] file = Fixtures.bytes("tensorstore/shard_read_size_before_chunk/0.shard");
        assertEquals(c.get("shard_hex").asText(), HexFormat.of().formatHex(file));
        MemoryStore m = new MemoryStore("mem://t/");
        m.write("0.shard", seg(file));
        ChunkIdView store = new ChunkIdView(m, ShardingSpec.parse(c.get("sharding"), "t"));
        assertEquals("ABCDE", str(store.read(1)));
        assertEquals("FGHIJ", str(store.read(2)));
        Map<Long, ReadResult> both = store.readAll(List.of(1L, 2L, 3L));
        assertEquals("ABCDE", str(both.get(1L)));
        assertEquals("FGHIJ", str(both.get(2L)));
        assertFalse(both.get(3L).found());
    }

    @Test
    void nineMalformedShardsAreRejectedNamingShardAndChunk() {
        JsonNode c = v.get("malformed_shards");
        String[] expectedWords = {"16 bytes", "invalid byte range", "overflows", "beyond the end", "multiple of 24", "overflows",
                                  "beyond the end", "more than once", "not valid gzip"};
        int i = 0;
        for (JsonNode k : c.get("cases")) {
            ObjectNode sj = c.get("sharding").deepCopy();
            if (k.has("spec_override")) sj.setAll((ObjectNode) k.get("spec_override"));
            ShardingSpec spec = ShardingSpec.parse(sj, "t");
            MemoryStore m = new MemoryStore("mem://t/");
            m.write("0.shard", seg(Fixtures.hex(k.get("shard_hex").asText())));
            long id = k.get("read_chunk").asLong();
            ChunkIdView store = new ChunkIdView(m, spec, "", "1_1_1/", 16);
            var e = assertThrows(CorruptChunkException.class, () -> store.read(id), k.get("name").asText());
            String msg = e.getMessage();
            assertTrue(msg.contains("1_1_1/0.shard"), "names the shard file: " + msg);
            assertTrue(msg.contains("chunk 10"), "names the chunk: " + msg);
            assertTrue(msg.contains(expectedWords[i]), k.get("name").asText() + ": '" + expectedWords[i] + "' in " + msg);
            // Whole-shard reads (read-modify-write) reject it too.
            assertThrows(CorruptChunkException.class, () -> store.readShard(0), k.get("name").asText());
            i++;
        }
        assertEquals(9, i);
    }

    @Test
    void rangeReadSequenceAndMinishardIndexCache() {
        JsonNode c = v.get("range_read_sequence");
        ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), "t");
        long id = Fixtures.num(c.get("chunk_id"));
        JsonNode steps = c.get("steps");
        // 1. Replay TensorStore's mock: the same requests, in order. Its second response is 24
        //    bytes for a 26-byte range, which a real store only does for a truncated file: we
        //    reject it instead of decoding a partial index.
        Map<ByteRange, byte[]> script = new java.util.HashMap<>();
        for (JsonNode st : steps) {
            script.put(ByteRange.of(st.get("byte_range").get(0).asLong(), st.get("byte_range").get(1).asLong()),
                    Fixtures.hex(st.get("response_hex").asText()));
        }
        List<CountingStore.Read> seen = new ArrayList<>();
        org.bigarrays.kvstore.KeyValueStore scripted = new CountingStore(new MemoryStore("mem://x/")) {
            @Override
            public ReadResult read(String key, org.bigarrays.kvstore.ReadOptions options) {
                ByteRange range = options.range();
                seen.add(new CountingStore.Read(key, range));
                byte[] r = script.get(range);
                return r == null ? ReadResult.MISSING : ReadResult.of(r);
            }
        };
        var e = assertThrows(CorruptChunkException.class, () -> new ChunkIdView(scripted, spec, "prefix/", "prefix/", 16).read(id));
        assertTrue(e.getMessage().contains("got 24 of 26 bytes"), e.getMessage());
        for (int i = 0; i < 2; i++) {
            JsonNode st = steps.get(i);
            assertEquals(new CountingStore.Read(st.get("key").asText(), ByteRange.of(st.get("byte_range").get(0).asLong(),
                    st.get("byte_range").get(1).asLong())), seen.get(i));
        }
        // 2. A consistent file with the same chunk: shard index entry [5, 29), chunk at [32, 37).
        byte[] file = new byte[32 + 5 + 24];
        byte[] entry = Fixtures.hex(steps.get(0).get("response_hex").asText());
        entry[8] = 29;
        System.arraycopy(entry, 0, file, 0, 16);
        System.arraycopy(Fixtures.hex(steps.get(1).get("response_hex").asText()), 0, file, 37, 24);
        System.arraycopy(Fixtures.hex(steps.get(2).get("response_hex").asText()), 0, file, 32, 5);
        MemoryStore m = new MemoryStore("mem://t/");
        m.write("prefix/0.shard", seg(file));
        CountingStore counting = new CountingStore(m);
        ChunkIdView store = new ChunkIdView(counting, spec, "prefix/", "prefix/", 16);
        assertEquals(c.get("expected_value_hex").asText(), HexFormat.of().formatHex(store.read(id).toByteArray()));
        assertEquals(List.of(new CountingStore.Read("prefix/0.shard", ByteRange.of(0, 16)),
                new CountingStore.Read("prefix/0.shard", ByteRange.of(37, 61)),
                new CountingStore.Read("prefix/0.shard", ByteRange.of(32, 37))), counting.reads);
        // 0x60 is in the same (cached) minishard and absent: no further request.
        assertFalse(store.read(0x60).found());
        assertEquals(3, counting.reads.size());
    }

    @Test
    void chunkToShardFile() {
        JsonNode c = v.get("chunk_to_shard_file");
        ShardingSpec spec = ShardingSpec.parse(c.get("sharding"), "t");
        for (JsonNode k : c.get("cases")) {
            long id = k.get("chunk_id").asLong();
            assertEquals(k.get("shard_file").asText(), spec.shardFileName(spec.shardOf(id)));
            assertEquals(k.get("minishard").asInt(), spec.minishardOf(id));
        }
    }

    @Test
    void missingShardIsMissingNotAnError() {
        ChunkIdView store = new ChunkIdView(new MemoryStore("mem://t/"), ShardingSpec.parseCli("0,1,1"));
        assertFalse(store.read(5).found());
        assertTrue(store.readShard(1).isEmpty());
    }
}
