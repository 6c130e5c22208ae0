package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a chunk's grid coordinates (in stored dimension order) become its key below the array.
 *
 * <ul>
 *   <li>{@code default} (Zarr v3): {@code "c"}, then for each dimension the separator and the
 *       decimal coordinate: {@code c/1/23/45} (separator {@code "/"}, the default) or
 *       {@code c.1.23.45}; a rank-0 array's one chunk is {@code c}.
 *   <li>{@code v2} (Zarr v2 arrays, and v3 arrays converted from them): the coordinates joined by
 *       the separator: {@code 1.23.45} (separator {@code "."}, the default) or {@code 1/23/45};
 *       a rank-0 array's one chunk is {@code 0}.
 * </ul>
 *
 * @param v2 whether this is the {@code v2} encoding (else {@code default})
 * @param separator {@code '/'} or {@code '.'}
 */
public record ChunkKeyEncoding(boolean v2, char separator) {
    /** @throws IllegalArgumentException when the separator is neither '/' nor '.' */
    public ChunkKeyEncoding {
        if (separator != '/' && separator != '.') throw new IllegalArgumentException("separator: expected '/' or '.', found '" + separator + "'");
    }

    /** The v3 {@code default} encoding with {@code /}: what arrays we write use. */
    public static final ChunkKeyEncoding DEFAULT = new ChunkKeyEncoding(false, '/');

    /** The key of the chunk at {@code gridCoordinates} (stored dimension order, each ≥ 0). */
    public String key(long[] gridCoordinates) {
        if (gridCoordinates.length == 0) return v2 ? "0" : "c";
        StringBuilder sb = new StringBuilder(v2 ? "" : "c");
        for (int i = 0; i < gridCoordinates.length; i++) {
            if (!v2 || i > 0) sb.append(separator);
            sb.append(gridCoordinates[i]);
        }
        return sb.toString();
    }

    /** The encoding of a v2 array with {@code dimension_separator} {@code separator}. */
    public static ChunkKeyEncoding ofV2Array(char separator) {
        return new ChunkKeyEncoding(true, separator);
    }

    /**
     * Parse a v3 {@code chunk_key_encoding}: an object {@code {"name": …, "configuration":
     * {"separator": …}}} (configuration optional) or the bare name (the v3.1 short-hand).
     */
    static ChunkKeyEncoding parse(JsonNode n, Json.Fields f, String k) {
        String name;
        ObjectNode conf = Json.NODES.objectNode();
        Json.Fields at = f.nested(k);
        if (n != null && n.isTextual()) {
            name = n.asText();
        } else if (n instanceof ObjectNode o) {
            name = at.text(o, "name");
            conf = at.optionalObject(o, "configuration");
        } else {
            throw f.error(k, "{\"name\": \"default\" or \"v2\", \"configuration\": {\"separator\": \"/\" or \".\"}}", n);
        }
        boolean v2 = switch (name) {
            case "default" -> false;
            case "v2" -> true;
            default -> throw at.error("name", "\"default\" or \"v2\"", "\"" + name + "\" (an encoding this reader does not know)");
        };
        Json.Fields c = at.nested("configuration");
        JsonNode sep = conf.get("separator");
        char separator = v2 ? '.' : '/';
        if (sep != null) {
            if (!sep.isTextual() || !(sep.asText().equals("/") || sep.asText().equals("."))) throw c.error("separator", "\"/\" or \".\"", sep);
            separator = sep.asText().charAt(0);
        }
        for (String member : Json.names(conf)) {
            if (!member.equals("separator")) throw c.error(member, "only \"separator\"", "an unknown member '" + member + "'");
        }
        return new ChunkKeyEncoding(v2, separator);
    }

    @Override
    public String toString() {
        return (v2 ? "v2" : "default") + " '" + separator + "'";
    }

    /** The v3 {@code chunk_key_encoding} object. */
    ObjectNode toJson() {
        ObjectNode o = Json.NODES.objectNode();
        o.put("name", v2 ? "v2" : "default");
        o.putObject("configuration").put("separator", String.valueOf(separator));
        return o;
    }
}
