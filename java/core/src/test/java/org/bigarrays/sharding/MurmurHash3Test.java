package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class MurmurHash3Test {
    @Test
    void everyTensorstoreVector() {
        JsonNode vs = Fixtures.json("tensorstore/murmurhash3_x86_128_vectors.json").get("vectors");
        assertEquals(9, vs.size());
        for (JsonNode v : vs) {
            long in = v.get("input_uint64").asLong();
            int seed = v.get("seed").asInt();
            int[] h = MurmurHash3.x86_128(in, seed);
            for (int i = 0; i < 4; i++) {
                assertEquals(Long.parseLong(v.get("h").get(i).asText().substring(2), 16), h[i] & 0xffffffffL,
                        "h[" + i + "] of " + in + " seed " + seed);
            }
            if (!v.get("hash64_for_sharding").isNull()) {
                assertEquals(Fixtures.num(v.get("hash64_for_sharding")), MurmurHash3.hash64(in), "hash64 of " + in);
            }
        }
    }
}
