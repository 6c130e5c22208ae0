package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Chunk keys as the spec's examples give them, and the encodings' JSON both ways. */
class ChunkKeyEncodingTest {
    private static final long[] SPEC_CHUNK = {1, 23, 45};

    static ChunkKeyEncoding parse(String json) {
        ObjectNode doc = Json.readObject(("{\"chunk_key_encoding\": " + json + "}").getBytes(StandardCharsets.UTF_8), "zarr.json at test");
        return ChunkKeyEncoding.parse(doc.get("chunk_key_encoding"), new Json.Fields("zarr.json at test", ""), "chunk_key_encoding");
    }

    @Test
    void theSpecsExamples() {
        assertEquals("c/1/23/45", new ChunkKeyEncoding(false, '/').key(SPEC_CHUNK));
        assertEquals("c.1.23.45", new ChunkKeyEncoding(false, '.').key(SPEC_CHUNK));
        assertEquals("1.23.45", new ChunkKeyEncoding(true, '.').key(SPEC_CHUNK));
        assertEquals("1/23/45", new ChunkKeyEncoding(true, '/').key(SPEC_CHUNK));
        assertEquals("c", ChunkKeyEncoding.DEFAULT.key(new long[0]), "rank 0, default");
        assertEquals("0", ChunkKeyEncoding.ofV2Array('.').key(new long[0]), "rank 0, v2");
        assertEquals("c/7", ChunkKeyEncoding.DEFAULT.key(new long[] {7}));
        assertEquals("7", ChunkKeyEncoding.ofV2Array('/').key(new long[] {7}));
    }

    @Test
    void parsedWithTheSpecsDefaults() {
        assertEquals(new ChunkKeyEncoding(false, '/'), parse("{\"name\": \"default\"}"));
        assertEquals(new ChunkKeyEncoding(false, '/'), parse("\"default\""), "the v3.1 short-hand name");
        assertEquals(new ChunkKeyEncoding(false, '.'), parse("{\"name\": \"default\", \"configuration\": {\"separator\": \".\"}}"));
        assertEquals(new ChunkKeyEncoding(true, '.'), parse("{\"name\": \"v2\"}"));
        assertEquals(new ChunkKeyEncoding(true, '/'), parse("{\"name\": \"v2\", \"configuration\": {\"separator\": \"/\"}}"));
    }

    @Test
    void badEncodingsAreOneLineErrors() {
        oneLine(() -> parse("{\"name\": \"hashed\"}"), "zarr.json at test: chunk_key_encoding.name: expected \"default\" or \"v2\"", "found \"hashed\"");
        oneLine(() -> parse("{\"name\": \"default\", \"configuration\": {\"separator\": \"-\"}}"),
                "chunk_key_encoding.configuration.separator: expected \"/\" or \".\"", "found \"-\"");
        oneLine(() -> parse("{\"name\": \"default\", \"configuration\": {\"sep\": \"/\"}}"), "chunk_key_encoding.configuration.sep", "unknown member 'sep'");
        oneLine(() -> parse("42"), "chunk_key_encoding: expected", "found 42");
        oneLine(() -> parse("{\"configuration\": {}}"), "chunk_key_encoding.name: expected a string", "found nothing");
    }

    @Property(tries = 200)
    void jsonRoundTripsAndKeysJoinTheCoordinates(@ForAll boolean v2, @ForAll boolean slash,
            @ForAll @Size(min = 1, max = 6) long @LongRange(min = 0, max = 1_000_000) [] coords) {
        ChunkKeyEncoding e = new ChunkKeyEncoding(v2, slash ? '/' : '.');
        assertEquals(e, parse(e.toJson().toString()));
        String key = e.key(coords);
        String[] parts = key.split(slash ? "/" : "\\.");
        int first = v2 ? 0 : 1;
        assertEquals(coords.length + first, parts.length, key);
        if (!v2) assertEquals("c", parts[0]);
        for (int i = 0; i < coords.length; i++) assertEquals(Long.toString(coords[i]), parts[first + i], key);
    }
}
