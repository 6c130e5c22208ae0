package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.bigarrays.zarr.Errors.resource;
import static org.bigarrays.zarr.Errors.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** A v3 array's zarr.json: the spec's example, new metadata, round trips, and every error as one line naming the member. */
class ZarrArrayMetadataTest {
    private static final String WHERE = "mem://a/zarr.json";

    static ZarrArrayMetadata parse(String json) {
        return ZarrArrayMetadata.parse(utf8(json), WHERE);
    }

    /** The spec's example with {@code change} applied. */
    static ZarrArrayMetadata parseChanged(Consumer<ObjectNode> change) {
        ObjectNode o = Json.readObject(resource("spec-array.json"), "spec");
        change.accept(o);
        return ZarrArrayMetadata.parse(Json.write(o), WHERE);
    }

    @Test
    void theSpecsExampleArray() {
        ZarrArrayMetadata m = ZarrArrayMetadata.parse(resource("spec-array.json"), WHERE);
        assertArrayEquals(new long[] {10000, 1000}, m.shape());
        assertEquals(DataType.FLOAT64, m.dataType());
        assertArrayEquals(new long[] {1000, 100}, m.chunkShape());
        assertEquals(ChunkKeyEncoding.DEFAULT, m.chunkKeyEncoding());
        assertEquals("c/9/9", m.chunkKey(new long[] {9, 9}));
        assertEquals(0x7ff8000000000000L, m.fillValue().bits());
        assertEquals(List.of("rows", "columns"), m.dimensionNames());
        assertEquals(1, m.codecs().size());
        assertEquals("bytes", m.codecs().getFirst().get("name").asText());
        assertEquals("little", m.codecs().getFirst().at("/configuration/endian").asText());
        ObjectNode source = Json.readObject(resource("spec-array.json"), "spec");
        assertEquals(source.get("attributes"), m.attributes(), "attributes as read");
        // Written and read back: the same metadata, and the same document member by member.
        ZarrArrayMetadata back = parse(m.toJson());
        assertEquals(m, back);
        assertEquals(source, Json.readObject(utf8(m.toJson()), "written"), "the canonical document is the spec's own");
    }

    @Test
    void theSpecsExtensionTypeExampleIsRefusedNamingTheType() {
        // The spec's text has a trailing comma after "fill_value": null; the resource leaves it out.
        oneLine(() -> ZarrArrayMetadata.parse(resource("spec-array-extension-type.json"), WHERE),
                "zarr.json at " + WHERE + ": data_type: expected a data type name", "urn:example:datetime");
    }

    @Test
    void attributesAndIgnorableExtensionsAreWrittenBackUnchanged() {
        String attrs = "{\"n\": 1.50, \"big\": 123456789012345678901234567890, \"e\": 1e400, \"nested\": {\"z\": [null, true, \"s\"]}, \"neg\": -0.0}";
        ZarrArrayMetadata m = parseChanged(o -> {
            o.set("attributes", Json.readObject(utf8(attrs), "attrs"));
            o.set("my_extension", Json.readObject(utf8("{\"name\": \"my_extension\", \"must_understand\": false, \"configuration\": {\"k\": 2}}"), "ext"));
        });
        ObjectNode written = Json.readObject(utf8(m.toJson()), "written");
        assertEquals(Json.readObject(utf8(attrs), "attrs"), written.get("attributes"));
        assertEquals("1.50", written.get("attributes").get("n").toString(), "numbers as written, not re-rounded");
        assertEquals(false, written.get("my_extension").get("must_understand").booleanValue());
        assertEquals(m, parse(m.toJson()));
    }

    @Test
    void theV31ShortHandsAreRead() {
        ZarrArrayMetadata m = parseChanged(o -> {
            o.put("chunk_key_encoding", "default");
            o.putArray("codecs").add("bytes");
            o.set("data_type", Json.readObject(utf8("{\"name\": \"uint16\"}"), "dt"));
            o.put("fill_value", 7);
            o.remove("dimension_names");
            o.putArray("storage_transformers");
        });
        assertEquals(DataType.UINT16, m.dataType());
        assertEquals(ChunkKeyEncoding.DEFAULT, m.chunkKeyEncoding());
        assertEquals("\"bytes\"", m.codecs().getFirst().toString());
        assertNull(m.dimensionNames());
    }

    @Test
    void dimensionNamesMayBeNull() {
        ZarrArrayMetadata m = parseChanged(o -> o.set("dimension_names", Json.readObject(utf8("{\"v\": [null, \"x\"]}"), "d").get("v")));
        assertEquals(Arrays.asList(null, "x"), m.dimensionNames());
        assertEquals(m, parse(m.toJson()));
    }

    @Test
    void everyBadMemberIsAOneLineErrorNamingIt() {
        String at = "zarr.json at " + WHERE + ": ";
        oneLine(() -> parseChanged(o -> o.put("zarr_format", 2)), at + "zarr_format: expected 3, found 2");
        oneLine(() -> parseChanged(o -> o.put("node_type", "group")), at + "node_type: expected \"array\", found \"group\"");
        oneLine(() -> parseChanged(o -> o.remove("shape")), at + "shape: expected an array of integers ≥ 0, found nothing");
        oneLine(() -> parseChanged(o -> o.putArray("shape").add(10).add(-1)), at + "shape: expected", "found [10,-1]");
        oneLine(() -> parseChanged(o -> o.put("data_type", "complex128")), at + "data_type: expected one of bool", "found 'complex128'");
        oneLine(() -> parseChanged(o -> o.remove("data_type")), at + "data_type: expected a data type name", "found nothing");
        oneLine(() -> parseChanged(o -> ((ObjectNode) o.get("chunk_grid")).put("name", "rectilinear")),
                at + "chunk_grid.name: expected \"regular\", found \"rectilinear\"");
        oneLine(() -> parseChanged(o -> ((com.fasterxml.jackson.databind.node.ArrayNode) o.at("/chunk_grid/configuration/chunk_shape")).add(5)),
                at + "chunk_grid.configuration.chunk_shape: expected an array of 2 integers ≥ 1", "found [1000,100,5]");
        oneLine(() -> parseChanged(o -> ((ObjectNode) o.at("/chunk_grid/configuration")).putArray("chunk_shape").add(0).add(1)),
                at + "chunk_grid.configuration.chunk_shape", "found [0,1]");
        oneLine(() -> parseChanged(o -> o.remove("chunk_grid")), at + "chunk_grid: expected", "found nothing");
        oneLine(() -> parseChanged(o -> o.remove("chunk_key_encoding")), at + "chunk_key_encoding: expected an object, found nothing");
        oneLine(() -> parseChanged(o -> ((ObjectNode) o.get("chunk_key_encoding")).put("name", "v3")), at + "chunk_key_encoding.name", "found \"v3\"");
        oneLine(() -> parseChanged(o -> o.put("fill_value", true)), at + "fill_value: expected a number within float64's range", "found true");
        oneLine(() -> parseChanged(o -> o.remove("fill_value")), at + "fill_value: expected", "found nothing");
        oneLine(() -> parseChanged(o -> o.putArray("codecs")), at + "codecs: expected at least one codec", "found []");
        oneLine(() -> parseChanged(o -> o.put("codecs", "bytes")), at + "codecs: expected a JSON array, found \"bytes\"");
        oneLine(() -> parseChanged(o -> o.putArray("codecs").addObject().put("id", "gzip")), at + "codecs[0]: expected an object with a string \"name\"",
                "found {\"id\":\"gzip\"}");
        oneLine(() -> parseChanged(o -> o.putArray("storage_transformers").addObject().put("name", "hypothetical")),
                at + "storage_transformers: expected none", "found [hypothetical]");
        oneLine(() -> parseChanged(o -> o.putArray("dimension_names").add("x")), at + "dimension_names: expected 2 strings or nulls", "found [\"x\"]");
        oneLine(() -> parseChanged(o -> o.putArray("dimension_names").add("x").add(3)), at + "dimension_names", "found [\"x\",3]");
        oneLine(() -> parseChanged(o -> o.put("attributes", "none")), at + "attributes: expected a JSON object, found \"none\"");
        oneLine(() -> parseChanged(o -> o.putObject("future").put("name", "future")), at + "future: expected no unknown member unless marked \"must_understand\": false",
                "found an extension this reader does not support");
        oneLine(() -> parseChanged(o -> o.putObject("future").put("must_understand", true)), at + "future: expected no unknown member");
        oneLine(() -> parseChanged(o -> o.put("future", 1)), at + "future:");
        oneLine(() -> ZarrArrayMetadata.parse(utf8("{\"zarr_format\": 3,"), WHERE), "zarr.json at " + WHERE + " is not valid JSON at line 1");
        oneLine(() -> ZarrArrayMetadata.parse(utf8("{} {}"), WHERE), "is not valid JSON", "trailing");
        oneLine(() -> ZarrArrayMetadata.parse(new byte[0], WHERE), "zarr.json at " + WHERE + " is empty");
        oneLine(() -> ZarrArrayMetadata.parse(utf8("[1]"), WHERE), "expected a JSON object, found [1]");
    }

    @Test
    void newMetadataFromTheBuilder() {
        ZarrArrayMetadata m = ZarrArrayMetadata.builder(new long[] {3, 100, 200, 300}, DataType.UINT16, new long[] {1, 64, 64, 64})
                .dimensionNames(List.of("c", "z", "y", "x")).build();
        assertEquals(ChunkKeyEncoding.DEFAULT, m.chunkKeyEncoding());
        assertEquals(FillValue.zero(DataType.UINT16), m.fillValue());
        assertEquals("{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}", m.codecs().getFirst().toString());
        assertEquals(m, parse(m.toJson()));
        oneLine(() -> ZarrArrayMetadata.builder(new long[] {10}, DataType.UINT8, new long[] {1, 2}).build(),
                "new zarr.json: chunk_grid.configuration.chunk_shape: expected an array of 1 integers ≥ 1", "found [1,2]");
        assertThrows(IllegalArgumentException.class, () -> ZarrArrayMetadata.builder(new long[] {1}, DataType.UINT8, new long[] {1})
                .fillValue(FillValue.zero(DataType.INT8)));
    }

    @Test
    void theMetadataIsImmutable() {
        long[] shape = {10, 20};
        ObjectNode attrs = Json.NODES.objectNode().put("a", 1);
        ZarrArrayMetadata m = ZarrArrayMetadata.builder(shape, DataType.UINT8, new long[] {5, 5}).attributes(attrs).build();
        shape[0] = 99;
        attrs.put("a", 2);
        m.shape()[1] = 99;
        m.attributes().put("b", 3);
        m.codecs().getFirst().isObject();
        ((ObjectNode) m.codecs().getFirst()).put("name", "gzip");
        assertArrayEquals(new long[] {10, 20}, m.shape());
        assertEquals("{\"a\":1}", m.attributes().toString());
        assertEquals("bytes", m.codecs().getFirst().get("name").asText());
    }

    @Provide
    Arbitrary<ZarrArrayMetadata> arrays() {
        Arbitrary<Integer> rank = Arbitraries.integers().between(0, 5);
        return rank.flatMap(r -> Combinators.combine(
                Arbitraries.longs().between(0, 1L << 40).array(long[].class).ofSize(r),
                Arbitraries.longs().between(1, 1 << 12).array(long[].class).ofSize(r),
                Arbitraries.of(DataType.class),
                Arbitraries.longs(),
                Arbitraries.of(new ChunkKeyEncoding(false, '/'), new ChunkKeyEncoding(false, '.'), new ChunkKeyEncoding(true, '.'), new ChunkKeyEncoding(true, '/')),
                Arbitraries.strings().ofMaxLength(4).injectNull(0.3).list().ofSize(r).injectNull(0.3),
                Arbitraries.strings().ofMaxLength(8).list().ofMaxSize(3))
                .as((shape, chunk, type, bits, keys, names, attrValues) -> {
                    ObjectNode attrs = Json.NODES.objectNode();
                    for (int i = 0; i < attrValues.size(); i++) attrs.put("k" + i, attrValues.get(i));
                    ObjectNode gzip = Json.NODES.objectNode().put("name", "gzip");
                    gzip.putObject("configuration").put("level", 5);
                    List<JsonNode> codecs = new ArrayList<>(List.of(Json.NODES.objectNode().put("name", "bytes"), gzip));
                    return ZarrArrayMetadata.builder(shape, type, chunk).chunkKeyEncoding(keys)
                            .fillValue(new FillValue(type, type == DataType.BOOL ? bits & 1 : bits))
                            .dimensionNames(names).attributes(attrs).codecs(codecs).build();
                }));
    }

    @Property(tries = 300)
    void everyMetadataRoundTripsThroughItsJson(@ForAll("arrays") ZarrArrayMetadata m) {
        String json = m.toJson();
        ZarrArrayMetadata back = parse(json);
        assertEquals(m, back);
        assertEquals(json, back.toJson(), "writing is canonical");
        assertArrayEquals(m.shape(), back.shape());
        assertEquals(m.fillValue(), back.fillValue());
        assertEquals(m.dimensionNames(), back.dimensionNames());
    }
}
