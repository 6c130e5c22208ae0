package org.bigarrays.precomputed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.bigarrays.FormatException;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonTree} and its fast path {@link PlainJson} against their reference,
 * {@code ObjectMapper.readTree} as Info used it, on random documents valid and not.
 */
class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> valid = value(3);
        // Broken ones: a valid document cut short, or with a stray token put in somewhere.
        Arbitrary<String> cut = valid.flatMap(s -> Arbitraries.integers().between(0, s.length()).map(n -> s.substring(0, n)));
        Arbitrary<String> stray = Combinators.combine(valid, Arbitraries.of(",", "}", "]", "{", "\"", ":", "x", "1", " 2", "//", "\u0000", "\"\\q\""),
                Arbitraries.integers().between(0, 1000)).as((s, t, at) -> {
                    int i = at % (s.length() + 1);
                    return s.substring(0, i) + t + s.substring(i);
                });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, valid), net.jqwik.api.Tuple.of(1, cut), net.jqwik.api.Tuple.of(1, stray));
    }

    private Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.bigIntegers().between(new java.math.BigInteger("-1" + "0".repeat(30)), new java.math.BigInteger("1" + "0".repeat(30)))
                        .map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                Arbitraries.of("true", "false", "null", "1e400", "-0", "0.5e-400", "64.0", "1E2", "123456789012345678901234567890.5", "01", "+1", "NaN", ".5"),
                Arbitraries.strings().ofMaxLength(6).map(JsonTreeTest::quote));
        if (depth == 0) return leaf;
        Arbitrary<String> inner = value(depth - 1);
        Arbitrary<String> array = inner.list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.of("a", "b", "key", "", "é"), inner).as((k, v) -> quote(k) + ":" + v)
                .list().ofMaxSize(4).map(l -> "{" + String.join(",\n ", l) + "}");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, leaf), net.jqwik.api.Tuple.of(1, array), net.jqwik.api.Tuple.of(2, object));
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 500)
    void readsWhatReadTreeReadsAndRefusesWhatItRefuses(@ForAll("documents") String doc) throws Exception {
        byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
        JsonNode expected = null;
        try {
            expected = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            // refused: ours must refuse too
        }
        Statistics.label("valid").collect(expected != null);
        if (expected == null) {
            assertThrows(JsonProcessingException.class, () -> JsonTree.read(bytes), doc);
        } else {
            JsonNode actual = JsonTree.read(bytes);
            assertEquals(expected, actual, doc);
            assertEquals(expected.toString(), actual.toString(), doc); // member order and number types too
        }
    }

    @Property(tries = 1000)
    void thePlainReaderReadsWhatReadTreeReadsOrLeavesItToJackson(@ForAll("documents") String doc) throws Exception {
        byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
        JsonNode expected = null;
        try {
            expected = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            // refused: the plain reader must leave it to jackson, whose error it is
        }
        JsonNode plain = PlainJson.read(bytes);
        Statistics.label("plain").collect(plain != null);
        if (expected == null || expected.isMissingNode()) {
            assertEquals(null, plain, doc);
        } else if (plain != null) {
            assertEquals(expected, plain, doc);
            assertEquals(expected.toString(), plain.toString(), doc); // member order and number types too
        }
    }

    @Test
    void anInfoAsWrittenIsReadByThePlainReader() {
        String info = "{\"@type\": \"neuroglancer_multiscale_volume\", \"type\": \"image\", \"data_type\": \"uint8\", \"num_channels\": 1,\n"
                + " \"scales\": [{\"key\": \"8_8_8\", \"size\": [128, 128, 128], \"voxel_offset\": [0, -3, 9007199254740993],"
                + " \"chunk_sizes\": [[64, 64, 64]], \"resolution\": [8.0, 8, 4.5e-1], \"encoding\": \"raw\", \"x\": [true, false, null, \"\\u00e9\\n\"]}]}";
        JsonNode plain = PlainJson.read(info.getBytes(StandardCharsets.UTF_8));
        assertTrue(plain != null, "a plain info is read without jackson's parser");
        try {
            assertEquals(MAPPER.readTree(info).toString(), plain.toString());
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void infoErrorsStillNameLineAndColumn() {
        FormatException e = assertThrows(FormatException.class, () -> Info.parse("{\"type\": \"image\",\n  \"scales\": [}", "file:///l/info"));
        assertTrue(e.getMessage().startsWith("info at file:///l/info is not valid JSON at line 2, column 14: "), e.getMessage());
        assertTrue(assertThrows(FormatException.class, () -> Info.parse("{} {}", "x")).getMessage().contains("Trailing token"));
        assertEquals("info at x is empty", assertThrows(FormatException.class, () -> Info.parse(" \n", "x")).getMessage());
    }
}
