package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;

/**
 * A Zarr v3 array's {@code zarr.json} (node_type {@code array}), parsed and validated. Immutable:
 * arrays and JSON trees are copied in and out.
 *
 * <p>Read: {@code shape}; {@code data_type} (see {@link ZarrDataType#fromV3}); {@code chunk_grid}
 * {@code regular} only; {@code chunk_key_encoding} ({@link ChunkKeyEncoding}); {@code fill_value}
 * ({@link FillValue}); {@code codecs}, kept as JSON for the codec pipeline to parse (each an
 * object with a string {@code name}, or a bare name); {@code storage_transformers}, which must be
 * absent or empty; {@code dimension_names} (entries may be null); {@code attributes}, kept as
 * read and written back unchanged. Any other member is an extension: one whose value is an object
 * with {@code "must_understand": false} is kept and written back; any other is an error naming it,
 * as the spec requires.
 *
 * <p>Zarr v2 arrays ({@code .zarray}) are a separate type, {@link ZarrV2ArrayMetadata}: they are
 * read only, and their members (dtype with byte order, compressor, filters, order) are not v3's;
 * one type with a version field would leave half its members meaningless for each version.
 *
 * <p>Every error is one {@link FormatException} line naming the document, the member, what was
 * expected and what was found: {@code zarr.json at URL: chunk_grid.name: expected "regular", found
 * "rectilinear" (…)}.
 *
 * @param shape the array's size in each stored dimension (each ≥ 0)
 * @param dataType the element type (v3's byte order is the {@code bytes} codec's business)
 * @param chunkShape the regular chunk grid's chunk size in each dimension (each ≥ 1)
 * @param chunkKeyEncoding chunk coordinates → key
 * @param fillValue what missing chunks hold
 * @param codecs the codec chain as JSON, in order (array→array, array→bytes, bytes→bytes)
 * @param dimensionNames one name (or null) per dimension; null when the document has none
 * @param attributes the user attributes, as read
 * @param extensions unknown members marked {@code "must_understand": false}, as read
 */
public record ZarrArrayMetadata(long[] shape, DataType dataType, long[] chunkShape, ChunkKeyEncoding chunkKeyEncoding,
        FillValue fillValue, List<JsonNode> codecs, List<String> dimensionNames, ObjectNode attributes, ObjectNode extensions) {
    private static final Set<String> KNOWN = Set.of("zarr_format", "node_type", "shape", "data_type", "chunk_grid", "chunk_key_encoding",
            "fill_value", "codecs", "storage_transformers", "dimension_names", "attributes");

    /** Copies everything mutable; use {@link #builder} or {@link #parse} to get validated metadata. */
    public ZarrArrayMetadata {
        shape = shape.clone();
        chunkShape = chunkShape.clone();
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(chunkKeyEncoding, "chunkKeyEncoding");
        Objects.requireNonNull(fillValue, "fillValue");
        codecs = codecs.stream().<JsonNode>map(JsonNode::deepCopy).toList();
        dimensionNames = dimensionNames == null ? null : Collections.unmodifiableList(new ArrayList<>(dimensionNames));
        attributes = attributes == null ? Json.NODES.objectNode() : attributes.deepCopy();
        extensions = extensions == null ? Json.NODES.objectNode() : extensions.deepCopy();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] chunkShape() {
        return chunkShape.clone();
    }

    @Override
    public List<JsonNode> codecs() {
        return codecs.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    @Override
    public ObjectNode attributes() {
        return attributes.deepCopy();
    }

    @Override
    public ObjectNode extensions() {
        return extensions.deepCopy();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The key of the chunk at {@code gridCoordinates} (stored order), relative to the array. */
    public String chunkKey(long[] gridCoordinates) {
        return chunkKeyEncoding.key(gridCoordinates);
    }

    /** The same metadata with other attributes (copied). */
    public ZarrArrayMetadata withAttributes(ObjectNode newAttributes) {
        return new ZarrArrayMetadata(shape, dataType, chunkShape, chunkKeyEncoding, fillValue, codecs, dimensionNames, newAttributes, extensions);
    }

    /**
     * Parse a {@code zarr.json} of an array.
     *
     * @param where names the document in errors (a URL or key)
     * @throws FormatException (one line: document, member, expected, found) when the JSON is
     *     invalid, {@code zarr_format} is not 3, {@code node_type} is not "array", a member is
     *     missing or of the wrong type, the data type, chunk grid or chunk key encoding is not
     *     one we read, the fill value does not fit the type, {@code codecs} is empty,
     *     {@code storage_transformers} is not empty, {@code dimension_names} or the chunk shape
     *     does not match the rank, or an unknown member is not marked {@code "must_understand": false}
     */
    public static ZarrArrayMetadata parse(byte[] json, String where) {
        String label = "zarr.json at " + where;
        return parseTree(Json.readObject(json, label), label);
    }

    static ZarrArrayMetadata parseTree(ObjectNode o, String label) {
        Json.Fields f = new Json.Fields(label, "");
        f.requireInt(o, "zarr_format", 3);
        f.requireText(o, "node_type", "array");
        long[] shape = f.longs(o, "shape", -1, 0);
        int rank = shape.length;
        DataType dt = dataType(o.get("data_type"), f);
        long[] chunkShape = chunkGrid(o.get("chunk_grid"), f, rank);
        ChunkKeyEncoding cke = o.has("chunk_key_encoding") ? ChunkKeyEncoding.parse(o.get("chunk_key_encoding"), f, "chunk_key_encoding")
                : fail(f.error("chunk_key_encoding", "an object", "nothing"));
        FillValue fill = FillValue.fromV3Json(o.get("fill_value"), dt, label + ": fill_value");
        ArrayNode codecArray = f.array(o, "codecs");
        if (codecArray.isEmpty()) throw f.error("codecs", "at least one codec (an array→bytes codec such as \"bytes\")", "[]");
        List<JsonNode> codecs = new ArrayList<>();
        for (int i = 0; i < codecArray.size(); i++) {
            JsonNode c = codecArray.get(i);
            boolean named = c.isTextual() || c instanceof ObjectNode co && co.path("name").isTextual();
            if (!named) throw f.error("codecs[" + i + "]", "an object with a string \"name\", or a codec name", c);
            codecs.add(c);
        }
        JsonNode st = o.get("storage_transformers");
        if (st != null && !(st instanceof ArrayNode sa && sa.isEmpty())) {
            throw f.error("storage_transformers", "none (no storage transformer is supported)", names(st));
        }
        List<String> dimNames = null;
        JsonNode dn = o.get("dimension_names");
        if (dn != null && !dn.isNull()) {
            if (!(dn instanceof ArrayNode da) || da.size() != rank) throw f.error("dimension_names", rank + " strings or nulls (one per dimension)", dn);
            dimNames = new ArrayList<>();
            for (JsonNode e : da) {
                if (!e.isNull() && !e.isTextual()) throw f.error("dimension_names", rank + " strings or nulls (one per dimension)", dn);
                dimNames.add(e.isNull() ? null : e.asText());
            }
        }
        ObjectNode attrs = f.optionalObject(o, "attributes");
        ObjectNode ext = extensions(o, f, KNOWN);
        return new ZarrArrayMetadata(shape, dt, chunkShape, cke, fill, codecs, dimNames, attrs, ext);
    }

    private static <T> T fail(FormatException e) {
        throw e;
    }

    /** The extension names of a {@code storage_transformers} (or any) list, for an error message. */
    private static String names(JsonNode list) {
        if (!(list instanceof ArrayNode a)) return Json.abbreviate(list);
        List<String> out = new ArrayList<>();
        for (JsonNode e : a) out.add(e.isTextual() ? e.asText() : e.path("name").isTextual() ? e.path("name").asText() : Json.abbreviate(e));
        return out.toString();
    }

    private static DataType dataType(JsonNode n, Json.Fields f) {
        String name;
        if (n != null && n.isTextual()) name = n.asText();
        else if (n instanceof ObjectNode o && o.path("name").isTextual() && (!o.has("configuration") || o.get("configuration").isEmpty())) {
            name = o.get("name").asText(); // the v3.1 object form of a core type
        } else throw f.error("data_type", "a data type name such as \"uint8\"", n);
        try {
            return ZarrDataType.fromV3(name).dataType();
        } catch (FormatException e) {
            throw new FormatException(f.label() + ": " + e.getMessage());
        }
    }

    private static long[] chunkGrid(JsonNode n, Json.Fields f, int rank) {
        if (!(n instanceof ObjectNode g)) throw f.error("chunk_grid", "{\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [...]}}", n);
        Json.Fields at = f.nested("chunk_grid");
        String name = at.text(g, "name");
        if (!name.equals("regular")) throw at.error("name", "\"regular\"", "\"" + name + "\" (a chunk grid this reader does not know)");
        ObjectNode conf = at.object(g, "configuration");
        long[] chunk = at.nested("configuration").longs(conf, "chunk_shape", rank, 1);
        long elements = 1;
        for (long c : chunk) {
            elements = c == 0 ? 0 : elements > Long.MAX_VALUE / c ? -1 : elements * c;
            if (elements < 0) throw at.nested("configuration").error("chunk_shape", "a chunk of fewer than 2^63 elements", Arrays.toString(chunk));
        }
        return chunk;
    }

    /**
     * The members of {@code o} not in {@code known}: each must be an object marked
     * {@code "must_understand": false}, else an error naming it.
     */
    static ObjectNode extensions(ObjectNode o, Json.Fields f, Set<String> known) {
        ObjectNode ext = Json.NODES.objectNode();
        for (var e : o.properties()) {
            if (known.contains(e.getKey())) continue;
            JsonNode v = e.getValue();
            JsonNode mu = v instanceof ObjectNode vo ? vo.get("must_understand") : null;
            if (mu == null || !mu.isBoolean() || mu.booleanValue()) {
                throw f.error(e.getKey(), "no unknown member unless marked \"must_understand\": false",
                        "an extension this reader does not support: " + Json.abbreviate(v));
            }
            ext.set(e.getKey(), v);
        }
        return ext;
    }

    /** The {@code zarr.json} document, pretty-printed: known members in the spec's order, then the kept extensions. */
    public String toJson() {
        return new String(Json.write(toJsonTree()), StandardCharsets.UTF_8);
    }

    ObjectNode toJsonTree() {
        ObjectNode o = Json.NODES.objectNode();
        o.put("zarr_format", 3);
        o.put("node_type", "array");
        o.set("shape", Json.longArray(shape));
        o.put("data_type", dataType.jsonName());
        ObjectNode grid = o.putObject("chunk_grid");
        grid.put("name", "regular");
        grid.putObject("configuration").set("chunk_shape", Json.longArray(chunkShape));
        o.set("chunk_key_encoding", chunkKeyEncoding.toJson());
        o.set("fill_value", fillValue.toV3Json());
        ArrayNode c = o.putArray("codecs");
        codecs.forEach(x -> c.add(x.deepCopy()));
        if (dimensionNames != null) {
            ArrayNode d = o.putArray("dimension_names");
            for (String s : dimensionNames) {
                if (s == null) d.addNull();
                else d.add(s);
            }
        }
        o.set("attributes", attributes.deepCopy());
        o.setAll(extensions.deepCopy());
        return o;
    }

    /**
     * Start new metadata for an array of {@code shape} chunked by {@code chunkShape} (both in
     * stored order): chunk key encoding {@code default} with "/", fill value zero, codecs one
     * little-endian {@code bytes}, no dimension names, no attributes.
     */
    public static Builder builder(long[] shape, DataType dataType, long[] chunkShape) {
        return new Builder(shape, dataType, chunkShape);
    }

    /** Makes new {@link ZarrArrayMetadata}; {@link #build} validates as {@link #parse} does. */
    public static final class Builder {
        private final long[] shape;
        private final DataType dataType;
        private final long[] chunkShape;
        private ChunkKeyEncoding chunkKeyEncoding = ChunkKeyEncoding.DEFAULT;
        private FillValue fillValue;
        private List<JsonNode> codecs;
        private List<String> dimensionNames;
        private ObjectNode attributes = Json.NODES.objectNode();

        private Builder(long[] shape, DataType dataType, long[] chunkShape) {
            this.shape = shape.clone();
            this.dataType = Objects.requireNonNull(dataType, "dataType");
            this.chunkShape = chunkShape.clone();
            this.fillValue = FillValue.zero(dataType);
            ObjectNode bytes = Json.NODES.objectNode().put("name", "bytes");
            bytes.putObject("configuration").put("endian", "little");
            this.codecs = List.of(bytes);
        }

        public Builder chunkKeyEncoding(ChunkKeyEncoding e) {
            this.chunkKeyEncoding = Objects.requireNonNull(e);
            return this;
        }

        /** @throws IllegalArgumentException when the fill value is of another type */
        public Builder fillValue(FillValue v) {
            if (v.dataType() != dataType) throw new IllegalArgumentException("fill value of " + v.dataType() + " for an array of " + dataType);
            this.fillValue = v;
            return this;
        }

        /** The codec chain as JSON objects (copied). */
        public Builder codecs(List<? extends JsonNode> c) {
            this.codecs = c.stream().map(x -> (JsonNode) x.deepCopy()).toList();
            return this;
        }

        /** One name (or null) per dimension; null for none. */
        public Builder dimensionNames(List<String> names) {
            this.dimensionNames = names == null ? null : new ArrayList<>(names);
            return this;
        }

        public Builder attributes(ObjectNode a) {
            this.attributes = a.deepCopy();
            return this;
        }

        /** @throws FormatException ("new zarr.json: …") as {@link ZarrArrayMetadata#parse} would for the same document */
        public ZarrArrayMetadata build() {
            ZarrArrayMetadata m = new ZarrArrayMetadata(shape, dataType, chunkShape, chunkKeyEncoding, fillValue, codecs, dimensionNames,
                    attributes, null);
            return parseTree(m.toJsonTree(), "new zarr.json");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZarrArrayMetadata m && m.toJsonTree().equals(toJsonTree());
    }

    @Override
    public int hashCode() {
        return toJsonTree().hashCode();
    }

    @Override
    public String toString() {
        return "zarr v3 array " + Arrays.toString(shape) + " " + dataType + " chunks " + Arrays.toString(chunkShape);
    }
}
