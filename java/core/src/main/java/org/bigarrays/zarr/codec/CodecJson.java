package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import org.bigarrays.FormatException;

/**
 * Reading one codec entry of a {@code codecs} list ({@code {"name": ..., "configuration": {...}}}
 * or a bare name) with one-line errors that name the codec and the field.
 */
final class CodecJson {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CodecJson() {}

    /** The codec's name: the string itself, or the object's {@code name}. */
    static String name(JsonNode codec) {
        if (codec != null && codec.isTextual()) return codec.asText();
        if (codec == null || !codec.isObject() || !codec.path("name").isTextual()) {
            throw new FormatException("zarr codec " + codec + ": expected an object with a string \"name\"");
        }
        return codec.get("name").asText();
    }

    /**
     * The codec's configuration (an empty object when absent), refusing keys other than
     * {@code allowed} (a misspelt key would otherwise be silently ignored).
     */
    static JsonNode configuration(JsonNode codec, String name, List<String> allowed) {
        if (codec.isTextual()) return JSON.objectNode();
        for (Iterator<String> it = codec.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("name") && !f.equals("configuration") && !f.equals("must_understand")) {
                throw new FormatException("zarr codec " + name + ": unknown member \"" + f + "\"");
            }
        }
        JsonNode c = codec.path("configuration");
        if (c.isMissingNode() || c.isNull()) return JSON.objectNode();
        if (!c.isObject()) throw new FormatException("zarr codec " + name + ": \"configuration\" must be an object, found " + c);
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw new FormatException("zarr codec " + name + ": unknown configuration \"" + f + "\" (expected " + String.join(", ", allowed) + ")");
        }
        return c;
    }

    /** A required integer in {@code [min, max]}. */
    static int integer(JsonNode config, String field, String name, int min, int max) {
        JsonNode v = config.get(field);
        if (v == null) throw new FormatException("zarr codec " + name + ": configuration needs \"" + field + "\"");
        return integerValue(v, field, name, min, max);
    }

    /** {@code v}, an integer in {@code [min, max]} given as {@code field}. */
    static int integerValue(JsonNode v, String field, String name, int min, int max) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw new FormatException("zarr codec " + name + ": \"" + field + "\" must be an integer from " + min + " to " + max + ", found " + v);
        }
        return (int) v.asLong();
    }

    /** A required string, one of {@code values}. */
    static String oneOf(JsonNode config, String field, String name, List<String> values) {
        JsonNode v = config.get(field);
        if (v == null) throw new FormatException("zarr codec " + name + ": configuration needs \"" + field + "\"");
        if (!v.isTextual() || !values.contains(v.asText())) {
            throw new FormatException("zarr codec " + name + ": \"" + field + "\" must be one of " + String.join(", ", values) + ", found " + v);
        }
        return v.asText();
    }

    /** A shape: an array of {@code rank} positive integers. */
    static long[] shape(JsonNode v, String field, String name, int rank) {
        if (v == null || !v.isArray() || v.size() != rank) {
            throw new FormatException("zarr codec " + name + ": \"" + field + "\" must be an array of " + rank + " integers, found " + v);
        }
        long[] s = new long[rank];
        for (int i = 0; i < rank; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong() || e.asLong() < 1) {
                throw new FormatException("zarr codec " + name + ": \"" + field + "\" must hold positive integers, found " + v);
            }
            s[i] = e.asLong();
        }
        return s;
    }

    /** A JSON array of {@code codecs}. */
    static com.fasterxml.jackson.databind.node.ArrayNode array(java.util.List<JsonNode> codecs) {
        com.fasterxml.jackson.databind.node.ArrayNode a = JSON.arrayNode();
        codecs.forEach(a::add);
        return a;
    }

    /** {@code {"name": name}} with {@code configuration} when not null. */
    static ObjectNode codec(String name, ObjectNode configuration) {
        ObjectNode o = JSON.objectNode().put("name", name);
        if (configuration != null) o.set("configuration", configuration);
        return o;
    }
}
