package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.bigarrays.FormatException;

/**
 * A Zarr group's metadata: v3 {@code zarr.json} with node_type {@code group}, or v2
 * {@code .zgroup} plus {@code .zattrs} (read only). Its attributes hold OME-Zarr's
 * {@link Multiscales}. Immutable: the JSON trees are copied in and out.
 *
 * <p>Unknown members of a v3 group follow the array's rule: kept when marked
 * {@code "must_understand": false} (as {@code consolidated_metadata} is), an error naming them otherwise.
 *
 * @param zarrFormat 3 or 2
 * @param attributes the user attributes, as read
 * @param extensions unknown members marked {@code "must_understand": false} (v3), or unknown
 *     {@code .zgroup} members (v2), as read
 */
public record ZarrGroupMetadata(int zarrFormat, ObjectNode attributes, ObjectNode extensions) {
    private static final Set<String> KNOWN_V3 = Set.of("zarr_format", "node_type", "attributes");

    /** Copies the trees. */
    public ZarrGroupMetadata {
        if (zarrFormat != 2 && zarrFormat != 3) throw new IllegalArgumentException("zarr_format: expected 2 or 3, found " + zarrFormat);
        attributes = attributes == null ? Json.NODES.objectNode() : attributes.deepCopy();
        extensions = extensions == null ? Json.NODES.objectNode() : extensions.deepCopy();
    }

    /** A new v3 group with {@code attributes} (copied; null for none). */
    public static ZarrGroupMetadata of(ObjectNode attributes) {
        return new ZarrGroupMetadata(3, attributes, null);
    }

    @Override
    public ObjectNode attributes() {
        return attributes.deepCopy();
    }

    @Override
    public ObjectNode extensions() {
        return extensions.deepCopy();
    }

    /** The same group with other attributes (copied). */
    public ZarrGroupMetadata withAttributes(ObjectNode newAttributes) {
        return new ZarrGroupMetadata(zarrFormat, newAttributes, extensions);
    }

    /**
     * Parse a v3 group's {@code zarr.json}.
     *
     * @throws FormatException (one line) when the JSON is invalid, {@code zarr_format} is not 3,
     *     {@code node_type} is not "group", {@code attributes} is not an object, or an unknown
     *     member is not marked {@code "must_understand": false}
     */
    public static ZarrGroupMetadata parse(byte[] json, String where) {
        String label = "zarr.json at " + where;
        ObjectNode o = Json.readObject(json, label);
        Json.Fields f = new Json.Fields(label, "");
        f.requireInt(o, "zarr_format", 3);
        f.requireText(o, "node_type", "group");
        ObjectNode attrs = f.optionalObject(o, "attributes");
        return new ZarrGroupMetadata(3, attrs, ZarrArrayMetadata.extensions(o, f, KNOWN_V3));
    }

    /**
     * Parse a v2 group's {@code .zgroup} and {@code .zattrs} (null when absent).
     *
     * @throws FormatException (one line) when either is invalid JSON or {@code zarr_format} is not 2
     */
    public static ZarrGroupMetadata parseV2(byte[] zgroup, byte[] zattrs, String where) {
        String label = ".zgroup at " + where;
        ObjectNode o = Json.readObject(zgroup, label);
        new Json.Fields(label, "").requireInt(o, "zarr_format", 2);
        ObjectNode attrs = zattrs == null ? Json.NODES.objectNode() : Json.readObject(zattrs, ".zattrs at " + where);
        ObjectNode extra = o.deepCopy();
        extra.remove("zarr_format");
        return new ZarrGroupMetadata(2, attrs, extra);
    }

    /** The v3 {@code zarr.json} document, pretty-printed (a v2 group is written as v3). */
    public String toJson() {
        ObjectNode o = Json.NODES.objectNode();
        o.put("zarr_format", 3);
        o.put("node_type", "group");
        o.set("attributes", attributes.deepCopy());
        if (zarrFormat == 3) o.setAll(extensions.deepCopy());
        return new String(Json.write(o), StandardCharsets.UTF_8);
    }
}
