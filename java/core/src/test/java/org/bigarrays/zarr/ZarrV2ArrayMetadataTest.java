package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.bigarrays.zarr.Errors.resource;
import static org.bigarrays.zarr.Errors.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** A v2 array's .zarray and .zattrs: the spec's examples, byte order, order, separators, null fill, and the errors. */
class ZarrV2ArrayMetadataTest {
    private static final String WHERE = "file:///data/a";

    static ZarrV2ArrayMetadata parseChanged(Consumer<ObjectNode> change) {
        ObjectNode o = Json.readObject(resource("spec-v2-tutorial.zarray"), "spec");
        change.accept(o);
        return ZarrV2ArrayMetadata.parse(Json.write(o), null, WHERE);
    }

    @Test
    void theSpecsTutorialArray() {
        ZarrV2ArrayMetadata m = ZarrV2ArrayMetadata.parse(resource("spec-v2-tutorial.zarray"), null, WHERE);
        assertArrayEquals(new long[] {10000, 10000}, m.shape());
        assertArrayEquals(new long[] {1000, 1000}, m.chunks());
        assertEquals(new ZarrDataType(DataType.INT32, ByteOrder.LITTLE_ENDIAN), m.dtype());
        assertEquals("zlib", m.compressor().get("id").asText());
        assertEquals(1, m.compressor().get("level").asInt());
        assertEquals(42, m.fillValue().bits());
        assertFalse(m.fortranOrder());
        assertEquals("2.4", m.chunkKeyEncoding().key(new long[] {2, 4}), "the spec's own key");
        assertNull(m.dimensionNames());
        assertEquals(m, ZarrV2ArrayMetadata.parse(utf8(m.toJson()), utf8(m.attributesJson()), WHERE));
    }

    @Test
    void theSpecsDeltaFilterExampleIsRefusedNamingTheFilter() {
        oneLine(() -> ZarrV2ArrayMetadata.parse(resource("spec-v2-delta.zarray"), null, WHERE),
                ".zarray at " + WHERE + ": filters: expected null or [] (filters are not supported), found filters [delta]");
    }

    @Test
    void byteOrderFortranOrderSeparatorsAndNullFill() {
        ZarrV2ArrayMetadata m = parseChanged(o -> {
            o.put("dtype", ">u2");
            o.put("order", "F");
            o.put("dimension_separator", "/");
            o.putNull("fill_value");
            o.putNull("compressor");
            o.putArray("filters");
            o.put("extra_member", "kept");
        });
        assertEquals(ByteOrder.BIG_ENDIAN, m.dtype().byteOrder());
        assertTrue(m.fortranOrder());
        assertEquals("2/4", m.chunkKeyEncoding().key(new long[] {2, 4}));
        assertNull(m.storedFillValue());
        assertEquals(FillValue.zero(DataType.UINT16), m.fillValue(), "null reads as zeros");
        assertNull(m.compressor());
        ObjectNode written = Json.readObject(utf8(m.toJson()), "written");
        assertEquals(">u2", written.get("dtype").asText());
        assertTrue(written.get("fill_value").isNull());
        assertEquals("kept", written.get("extra_member").asText());
        assertEquals(m, ZarrV2ArrayMetadata.parse(utf8(m.toJson()), null, WHERE));
    }

    @Test
    void attributesComeFromZattrsWithXarraysDimensionNames() {
        byte[] zattrs = utf8("{\"_ARRAY_DIMENSIONS\": [\"y\", \"x\"], \"title\": \"t\"}");
        ZarrV2ArrayMetadata m = ZarrV2ArrayMetadata.parse(resource("spec-v2-tutorial.zarray"), zattrs, WHERE);
        assertEquals(List.of("y", "x"), m.dimensionNames());
        assertEquals("t", m.attributes().get("title").asText());
        assertEquals(Json.readObject(zattrs, "a"), Json.readObject(utf8(m.attributesJson()), "b"));
        oneLine(() -> ZarrV2ArrayMetadata.parse(resource("spec-v2-tutorial.zarray"), utf8("[]"), WHERE), ".zattrs at " + WHERE + ": expected a JSON object");
    }

    @Test
    void everyBadMemberIsAOneLineErrorNamingIt() {
        String at = ".zarray at " + WHERE + ": ";
        oneLine(() -> parseChanged(o -> o.put("zarr_format", 3)), at + "zarr_format: expected 2, found 3");
        oneLine(() -> parseChanged(o -> o.putArray("chunks").add(10)), at + "chunks: expected an array of 2 integers ≥ 1, found [10]");
        oneLine(() -> parseChanged(o -> o.put("dtype", "<c16")), at + "dtype: expected a NumPy type string", "found '<c16'", "complex");
        oneLine(() -> parseChanged(o -> o.putArray("dtype").addArray().add("r").add("|u1")), at + "dtype: expected", "structured types are not supported");
        oneLine(() -> parseChanged(o -> o.remove("compressor")), at + "compressor: expected null or an object with an \"id\", found nothing");
        oneLine(() -> parseChanged(o -> o.putObject("compressor").put("level", 1)), at + "compressor: expected null or an object with a string \"id\"");
        oneLine(() -> parseChanged(o -> o.put("fill_value", "x")), at + "fill_value: expected an integer", "found \"x\"");
        oneLine(() -> parseChanged(o -> o.remove("fill_value")), at + "fill_value: expected a value or null, found nothing");
        oneLine(() -> parseChanged(o -> o.put("order", "K")), at + "order: expected \"C\" or \"F\", found \"K\"");
        oneLine(() -> parseChanged(o -> o.put("dimension_separator", "-")), at + "dimension_separator: expected \".\" or \"/\", found \"-\"");
        oneLine(() -> parseChanged(o -> o.putArray("filters").addObject().put("id", "shuffle")), at + "filters: expected null or []", "found filters [shuffle]");
    }
}
