package org.bigarrays.zarr;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.FormatException;

/**
 * JSON for the Zarr metadata: reading into a Jackson tree with jackson-core's streaming parser
 * alone (an {@code ObjectMapper}'s set-up costs more than a small cutout; the same reason as
 * precomputed's {@code JsonTree}, which this package may not use: the two formats sit side by side),
 * typed member access whose errors are one line ("LABEL: FIELD: expected X, found Y"), and
 * pretty-printed writing.
 */
final class Json {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /** For writing only; created on first use. */
    private static final class Writer {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * The JSON object in {@code json}; {@code label} ("zarr.json at URL") opens every error.
     *
     * @throws FormatException when it is not valid JSON, empty, or not an object
     */
    static ObjectNode readObject(byte[] json, String label) {
        JsonNode root;
        try {
            root = read(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new FormatException(label + " is not valid JSON" + at + ": " + oneLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new FormatException(label + " is not valid JSON: " + oneLine(e.getMessage()), e);
        }
        if (root == null) throw new FormatException(label + " is empty");
        if (!(root instanceof ObjectNode o)) throw new FormatException(label + ": expected a JSON object, found " + abbreviate(root.toString()));
        return o;
    }

    private static JsonNode read(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) return null;
            JsonNode root = value(p, t);
            JsonToken trailing = p.nextToken();
            if (trailing != null) throw new JsonParseException(p, "trailing token " + trailing + " after the value");
            return root;
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) o.set(name, value(p, p.nextToken()));
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                // "-0" is negative zero to a float fill value (and to JavaScript writers).
                case INT -> p.getIntValue() == 0 && p.getText().startsWith("-") ? NODES.numberNode(-0.0) : NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            // Decimals kept exact: a fill value's text decides its rounding, not a double's. A
            // BigDecimal has no negative zero, so -0.0 (a float fill value) stays a double.
            case VALUE_NUMBER_FLOAT -> {
                BigDecimal d = p.getDecimalValue();
                yield d.signum() == 0 && p.getText().startsWith("-") ? NODES.numberNode(-0.0) : NODES.numberNode(d);
            }
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "unexpected token " + t);
        };
    }

    /** Pretty-printed UTF-8 JSON of {@code node}. */
    static byte[] write(JsonNode node) {
        try {
            return Writer.MAPPER.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree we built
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** A JSON fragment short enough for a one-line message ("nothing" for an absent member). */
    static String abbreviate(JsonNode n) {
        return n == null || n.isMissingNode() ? "nothing" : abbreviate(n.toString());
    }

    static String abbreviate(String s) {
        String t = oneLine(s);
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }

    /** The value of an integral JSON number that fits a long exactly (64.0 counts), else null. */
    static Long exactLong(JsonNode e) {
        if (e == null || !e.isNumber()) return null;
        if (e.isIntegralNumber()) return e.canConvertToLong() ? e.longValue() : null;
        BigDecimal d = e.decimalValue();
        try {
            return d.longValueExact();
        } catch (ArithmeticException notAnInteger) {
            return null;
        }
    }

    /**
     * Reads typed members of one JSON object, naming the member in errors: {@code label} opens
     * the message ("zarr.json at URL"), {@code prefix} leads the member's name ("chunk_grid.configuration.").
     */
    record Fields(String label, String prefix) {
        /** The fields of a nested object, {@code name} being its member name. */
        Fields nested(String name) {
            return new Fields(label, prefix + name + ".");
        }

        FormatException error(String field, String expected, String found) {
            return new FormatException(label + ": " + prefix + field + ": expected " + expected + ", found " + found);
        }

        FormatException error(String field, String expected, JsonNode found) {
            return error(field, expected, abbreviate(found));
        }

        String text(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (n == null || !n.isTextual()) throw error(k, "a string", n);
            return n.asText();
        }

        ObjectNode object(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (!(n instanceof ObjectNode v)) throw error(k, "a JSON object", n);
            return v;
        }

        /** An optional object member: empty when absent. */
        ObjectNode optionalObject(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (n == null) return NODES.objectNode();
            if (!(n instanceof ObjectNode v)) throw error(k, "a JSON object", n);
            return v;
        }

        ArrayNode array(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (!(n instanceof ArrayNode v)) throw error(k, "a JSON array", n);
            return v;
        }

        /** An array of integers ≥ {@code min}; {@code len} < 0: any length. */
        long[] longs(ObjectNode o, String k, int len, long min) {
            JsonNode n = o.get(k);
            String what = (len < 0 ? "an array of" : "an array of " + len) + " integers ≥ " + min;
            if (!(n instanceof ArrayNode a) || len >= 0 && a.size() != len) throw error(k, what, n);
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                Long v = exactLong(a.get(i));
                if (v == null || v < min) throw error(k, what, n);
                out[i] = v;
            }
            return out;
        }

        /** An array of {@code len} finite numbers. */
        double[] doubles(ObjectNode o, String k, int len) {
            JsonNode n = o.get(k);
            String what = "an array of " + len + " finite numbers";
            if (!(n instanceof ArrayNode a) || a.size() != len) throw error(k, what, n);
            double[] out = new double[len];
            for (int i = 0; i < len; i++) {
                if (!a.get(i).isNumber() || !Double.isFinite(a.get(i).doubleValue())) throw error(k, what, n);
                out[i] = a.get(i).doubleValue();
            }
            return out;
        }

        /** A long exactly equal to {@code expected}. */
        void requireInt(ObjectNode o, String k, long expected) {
            Long v = exactLong(o.get(k));
            if (v == null || v != expected) throw error(k, Long.toString(expected), o.get(k));
        }

        void requireText(ObjectNode o, String k, String expected) {
            JsonNode n = o.get(k);
            if (n == null || !n.isTextual() || !n.asText().equals(expected)) throw error(k, "\"" + expected + "\"", n);
        }
    }

    static ArrayNode longArray(long[] v) {
        ArrayNode a = NODES.arrayNode();
        for (long x : v) a.add(x);
        return a;
    }

    /** Numbers written as integers where they are integral (1.0 as 1), else as doubles. */
    static ArrayNode numberArray(double[] v) {
        ArrayNode a = NODES.arrayNode();
        for (double d : v) a.add(number(d));
        return a;
    }

    static JsonNode number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? NODES.numberNode((long) d) : NODES.numberNode(d);
    }

    /** The member names of {@code o}, in order. */
    static List<String> names(ObjectNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
