package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.sharding.ShardingSpec.Hash;
import org.junit.jupiter.api.Test;

class ShardingSpecTest {
    private final JsonNode CASES = Fixtures.json("tensorstore/sharding_spec_parse_cases.json");

    private ObjectNode valid() {
        return CASES.get("valid").get(0).get("json").deepCopy();
    }

    @Test
    void validCasesWithDefaults() {
        JsonNode v = CASES.get("valid");
        assertEquals(new ShardingSpec(1, Hash.IDENTITY, 2, 3, Compression.GZIP, Compression.NONE), ShardingSpec.parse(v.get(0).get("json"), "t"));
        assertEquals(new ShardingSpec(1, Hash.MURMURHASH3_X86_128, 2, 3, Compression.GZIP, Compression.NONE), ShardingSpec.parse(v.get(1).get("json"), "t"));
        assertEquals(new ShardingSpec(1, Hash.MURMURHASH3_X86_128, 2, 3, Compression.NONE, Compression.GZIP), ShardingSpec.parse(v.get(2).get("json"), "t"));
        for (JsonNode c : v) {
            ShardingSpec s = ShardingSpec.parse(c.get("json"), "t");
            assertEquals(s, ShardingSpec.parse(s.toJson(), "round trip"));
        }
    }

    private void rejects(ObjectNode json, String field) {
        var e = assertThrows(FormatException.class, () -> ShardingSpec.parse(json, "scale 'x' sharding"));
        assertTrue(e.getMessage().contains(field), "message names " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("scale 'x' sharding"), e.getMessage());
    }

    @Test
    void missingOrNullRequiredMembers() {
        for (String f : new String[] {"@type", "hash", "preshift_bits", "minishard_bits", "shard_bits"}) {
            ObjectNode a = valid();
            a.remove(f);
            rejects(a, f);
            ObjectNode b = valid();
            b.putNull(f);
            rejects(b, f);
        }
    }

    @Test
    void badTypeHashAndEncodings() {
        ObjectNode t = valid();
        t.put("@type", "neuroglancer_uint64_sharded_v2");
        rejects(t, "@type");
        for (String h : new String[] {"invalid_hash", "murmurhash3_X86_128", "Identity"}) {
            ObjectNode a = valid();
            a.put("hash", h);
            rejects(a, "hash");
        }
        ObjectNode d = valid();
        d.put("data_encoding", 1234);
        rejects(d, "data_encoding");
        ObjectNode d2 = valid();
        d2.put("data_encoding", "invalid_encoding");
        rejects(d2, "data_encoding");
        ObjectNode m = valid();
        m.put("minishard_index_encoding", "zstd");
        rejects(m, "minishard_index_encoding");
    }

    @Test
    void bitRanges() {
        for (int p : new int[] {-1, -2, 65, 66}) {
            ObjectNode a = valid();
            a.put("preshift_bits", p);
            rejects(a, "preshift_bits");
        }
        for (int p : new int[] {0, 64}) {
            ObjectNode a = valid();
            a.put("preshift_bits", p);
            assertEquals(p, ShardingSpec.parse(a, "t").preshiftBits());
        }
        for (int m : new int[] {-1, -2, 33, 34, 35}) {
            ObjectNode a = valid();
            a.put("minishard_bits", m);
            rejects(a, "minishard_bits");
        }
        ObjectNode m32 = valid();
        m32.put("minishard_bits", 32);
        m32.put("shard_bits", 32);
        assertEquals(32, ShardingSpec.parse(m32, "t").shardBits());
        for (int s : new int[] {-1, -2, 58, 59, 65, 66}) {
            ObjectNode a = valid();
            a.put("minishard_bits", 7);
            a.put("shard_bits", s);
            rejects(a, "shard_bits");
        }
        ObjectNode s57 = valid();
        s57.put("minishard_bits", 7);
        s57.put("shard_bits", 57);
        assertEquals(57, ShardingSpec.parse(s57, "t").shardBits());
    }

    @Test
    void cliForm() {
        assertEquals(new ShardingSpec(9, Hash.IDENTITY, 6, 8, Compression.GZIP, Compression.GZIP), ShardingSpec.parseCli("9,6,8"));
        assertEquals(new ShardingSpec(0, Hash.MURMURHASH3_X86_128, 2, 3, Compression.GZIP, Compression.GZIP), ShardingSpec.parseCli("0, 2, 3, murmurhash3_x86_128"));
        assertThrows(InvalidInputException.class, () -> ShardingSpec.parseCli("9,6"));
        var e = assertThrows(InvalidInputException.class, () -> ShardingSpec.parseCli("9,x,8"));
        assertTrue(e.getMessage().contains("minishard_bits"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> ShardingSpec.parseCli("9,6,8,md5"));
        assertThrows(InvalidInputException.class, () -> ShardingSpec.parseCli("9,40,8"));
    }

    @Test
    void shardFileNamesAreZeroPaddedLowercaseHex() {
        ShardingSpec s16 = new ShardingSpec(0, Hash.IDENTITY, 0, 16, Compression.NONE, Compression.NONE);
        assertEquals("00ab.shard", s16.shardFileName(0xab));
        ShardingSpec s0 = new ShardingSpec(0, Hash.IDENTITY, 0, 0, Compression.NONE, Compression.NONE);
        assertEquals("0.shard", s0.shardFileName(0));
        ShardingSpec s5 = new ShardingSpec(0, Hash.IDENTITY, 0, 5, Compression.NONE, Compression.NONE);
        assertEquals("1f.shard", s5.shardFileName(31));
    }
}
