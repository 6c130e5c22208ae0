package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bigarrays.FormatException;

/**
 * A Zarr v2 array's {@code .zarray} and {@code .zattrs}, parsed and validated; read only (we
 * write v3). Immutable: arrays and JSON trees are copied in and out.
 *
 * <p>Read: {@code shape}, {@code chunks}, {@code dtype} with its byte order
 * ({@link ZarrDataType#fromV2}), {@code compressor} (null or an object with a string {@code id},
 * kept as JSON for the codec pipeline), {@code fill_value} ({@link FillValue#fromV2Json}; null
 * allowed), {@code order} ("C": last dimension fastest; "F": first fastest), {@code filters},
 * which must be null or empty (an error names them otherwise), {@code dimension_separator}
 * ("." by default, or "/"). Other members, which the v2 spec says to ignore, are kept and
 * written back. The attributes come from {@code .zattrs} (absent: none).
 *
 * @param shape the array's size in each stored dimension
 * @param chunks the chunk size in each dimension (each ≥ 1)
 * @param dtype element type and its byte order on storage
 * @param compressor the compressor's JSON; null for none
 * @param storedFillValue the fill value; null where the document says null (see {@link #fillValue()})
 * @param fortranOrder whether {@code order} is "F" (first dimension fastest within a chunk)
 * @param dimensionSeparator '.' or '/'
 * @param attributes the {@code .zattrs} object, as read
 * @param extra unknown {@code .zarray} members, as read
 */
public record ZarrV2ArrayMetadata(long[] shape, long[] chunks, ZarrDataType dtype, ObjectNode compressor, FillValue storedFillValue,
        boolean fortranOrder, char dimensionSeparator, ObjectNode attributes, ObjectNode extra) {
    private static final Set<String> KNOWN = Set.of("zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "order",
            "filters", "dimension_separator");

    /** Copies everything mutable. */
    public ZarrV2ArrayMetadata {
        shape = shape.clone();
        chunks = chunks.clone();
        Objects.requireNonNull(dtype, "dtype");
        compressor = compressor == null ? null : compressor.deepCopy();
        attributes = attributes == null ? Json.NODES.objectNode() : attributes.deepCopy();
        extra = extra == null ? Json.NODES.objectNode() : extra.deepCopy();
        if (dimensionSeparator != '.' && dimensionSeparator != '/') throw new IllegalArgumentException("dimension_separator: expected '.' or '/'");
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] chunks() {
        return chunks.clone();
    }

    @Override
    public ObjectNode compressor() {
        return compressor == null ? null : compressor.deepCopy();
    }

    @Override
    public ObjectNode attributes() {
        return attributes.deepCopy();
    }

    @Override
    public ObjectNode extra() {
        return extra.deepCopy();
    }

    public int rank() {
        return shape.length;
    }

    /**
     * What missing chunks hold: the stored fill value, or zero where it is null. The v2 spec
     * leaves such chunks undefined; zarr-python and TensorStore read zeros, and so do we.
     */
    public FillValue fillValue() {
        return storedFillValue != null ? storedFillValue : FillValue.zero(dtype.dataType());
    }

    /** The chunk key encoding: v2, with this array's separator. */
    public ChunkKeyEncoding chunkKeyEncoding() {
        return ChunkKeyEncoding.ofV2Array(dimensionSeparator);
    }

    /**
     * The dimension names xarray stores in the attribute {@code _ARRAY_DIMENSIONS} (v2 has no
     * member for them); null when absent or not {@code rank} strings.
     */
    public List<String> dimensionNames() {
        JsonNode n = attributes.get("_ARRAY_DIMENSIONS");
        if (!(n instanceof ArrayNode a) || a.size() != shape.length) return null;
        List<String> out = new ArrayList<>();
        for (JsonNode e : a) {
            if (!e.isTextual()) return null;
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /**
     * Parse a v2 array's documents.
     *
     * @param zarray the {@code .zarray} bytes
     * @param zattrs the {@code .zattrs} bytes; null when the array has none
     * @param where names the array in errors (a URL or key)
     * @throws FormatException (one line: document, member, expected, found) when either document
     *     is invalid JSON, {@code zarr_format} is not 2, a member is missing or of the wrong type,
     *     the dtype is not one we read, {@code chunks} does not match the rank, the fill value
     *     does not fit the type, {@code order} is neither "C" nor "F", or {@code filters} is not empty
     */
    public static ZarrV2ArrayMetadata parse(byte[] zarray, byte[] zattrs, String where) {
        String label = ".zarray at " + where;
        ObjectNode o = Json.readObject(zarray, label);
        ObjectNode attrs = zattrs == null ? Json.NODES.objectNode() : Json.readObject(zattrs, ".zattrs at " + where);
        Json.Fields f = new Json.Fields(label, "");
        f.requireInt(o, "zarr_format", 2);
        long[] shape = f.longs(o, "shape", -1, 0);
        long[] chunks = f.longs(o, "chunks", shape.length, 1);
        JsonNode dt = o.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw f.error("dtype", "a NumPy type string such as \"<u2\"", dt instanceof ArrayNode ? Json.abbreviate(dt) + " (structured types are not supported)" : Json.abbreviate(dt));
        }
        ZarrDataType dtype;
        try {
            dtype = ZarrDataType.fromV2(dt.asText());
        } catch (FormatException e) {
            throw new FormatException(label + ": " + e.getMessage());
        }
        if (!o.has("compressor")) throw f.error("compressor", "null or an object with an \"id\"", "nothing");
        JsonNode comp = o.get("compressor");
        ObjectNode compressor = null;
        if (!comp.isNull()) {
            if (!(comp instanceof ObjectNode co) || !co.path("id").isTextual()) throw f.error("compressor", "null or an object with a string \"id\"", comp);
            compressor = co;
        }
        if (!o.has("fill_value")) throw f.error("fill_value", "a value or null", "nothing");
        FillValue fill = FillValue.fromV2Json(o.get("fill_value"), dtype.dataType(), label + ": fill_value");
        JsonNode order = o.get("order");
        if (order == null || !order.isTextual() || !(order.asText().equals("C") || order.asText().equals("F"))) {
            throw f.error("order", "\"C\" or \"F\"", order);
        }
        JsonNode filters = o.get("filters");
        if (filters != null && !filters.isNull() && !(filters instanceof ArrayNode fa && fa.isEmpty())) {
            throw f.error("filters", "null or [] (filters are not supported)", filterIds(filters));
        }
        char sep = '.';
        JsonNode ds = o.get("dimension_separator");
        if (ds != null && !ds.isNull()) {
            if (!ds.isTextual() || !(ds.asText().equals(".") || ds.asText().equals("/"))) throw f.error("dimension_separator", "\".\" or \"/\"", ds);
            sep = ds.asText().charAt(0);
        }
        ObjectNode extra = Json.NODES.objectNode();
        o.properties().forEach(e -> {
            if (!KNOWN.contains(e.getKey())) extra.set(e.getKey(), e.getValue());
        });
        return new ZarrV2ArrayMetadata(shape, chunks, dtype, compressor, fill, order.asText().equals("F"), sep, attrs, extra);
    }

    private static String filterIds(JsonNode filters) {
        if (!(filters instanceof ArrayNode a)) return Json.abbreviate(filters);
        List<String> ids = new ArrayList<>();
        for (JsonNode e : a) ids.add(e.path("id").isTextual() ? e.path("id").asText() : Json.abbreviate(e));
        return "filters " + ids;
    }

    /** The {@code .zarray} document, pretty-printed. */
    public String toJson() {
        ObjectNode o = Json.NODES.objectNode();
        o.set("chunks", Json.longArray(chunks));
        if (compressor == null) o.putNull("compressor");
        else o.set("compressor", compressor.deepCopy());
        o.put("dimension_separator", String.valueOf(dimensionSeparator));
        o.put("dtype", dtype.v2Name());
        o.set("fill_value", storedFillValue == null ? Json.NODES.nullNode() : storedFillValue.toV2Json());
        o.putNull("filters");
        o.put("order", fortranOrder ? "F" : "C");
        o.set("shape", Json.longArray(shape));
        o.put("zarr_format", 2);
        o.setAll(extra.deepCopy());
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }

    /** The {@code .zattrs} document, pretty-printed. */
    public String attributesJson() {
        return new String(Json.write(attributes), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZarrV2ArrayMetadata m && m.toJson().equals(toJson()) && m.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "zarr v2 array " + Arrays.toString(shape) + " " + dtype + " chunks " + Arrays.toString(chunks) + (fortranOrder ? " order F" : "");
    }
}
