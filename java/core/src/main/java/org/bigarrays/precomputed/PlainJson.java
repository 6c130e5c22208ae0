package org.bigarrays.precomputed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@link JsonTree}'s fast path: the same tree, read without jackson-core's parser, for documents
 * in plain ASCII JSON (numbers, strings with the standard escapes, no comments, nothing
 * unusual). Starting jackson's parser initializes {@link java.math.BigDecimal}, ~20 ms of CPU
 * in a JVM that has just started, for a one-chunk cutout whose info this reads in microseconds.
 * Anything else (an error included) answers null, and jackson reads the document, so errors and
 * edge cases stay jackson's. JsonTreeTest checks the trees against {@code readTree}'s.
 */
final class PlainJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Below jackson's limits (StreamReadConstraints' defaults): past them, jackson decides. */
    private static final int MAX_DEPTH = 500;
    private static final int MAX_NUMBER = 1000;
    private static final int MAX_STRING = 50_000;

    private final byte[] b;
    private int i;

    private PlainJson(byte[] b) {
        this.b = b;
    }

    /** The tree of {@code json}, or null when jackson must read it (anything but plain ASCII JSON, errors included). */
    static JsonNode read(byte[] json) {
        PlainJson p = new PlainJson(json);
        try {
            p.space();
            if (p.i == json.length) return null; // empty: jackson's MissingNode
            JsonNode v = p.value(0);
            p.space();
            return p.i == json.length ? v : null;
        } catch (Refused e) {
            return null;
        }
    }

    /** Not plain JSON: jackson reads it instead. No stack trace: it is control flow. */
    private static final class Refused extends Exception {
        private static final Refused INSTANCE = new Refused();

        private Refused() {
            super(null, null, false, false);
        }
    }

    private JsonNode value(int depth) throws Refused {
        if (i >= b.length) throw Refused.INSTANCE;
        byte c = b[i];
        switch (c) {
            case '{' -> {
                if (depth >= MAX_DEPTH) throw Refused.INSTANCE;
                i++;
                ObjectNode o = NODES.objectNode();
                space();
                if (peek() == '}') {
                    i++;
                    return o;
                }
                while (true) {
                    space();
                    if (peek() != '"') throw Refused.INSTANCE;
                    String name = string();
                    space();
                    if (peek() != ':') throw Refused.INSTANCE;
                    i++;
                    space();
                    o.set(name, value(depth + 1));
                    space();
                    byte d = peek();
                    i++;
                    if (d == '}') return o;
                    if (d != ',') throw Refused.INSTANCE;
                }
            }
            case '[' -> {
                if (depth >= MAX_DEPTH) throw Refused.INSTANCE;
                i++;
                ArrayNode a = NODES.arrayNode();
                space();
                if (peek() == ']') {
                    i++;
                    return a;
                }
                while (true) {
                    space();
                    a.add(value(depth + 1));
                    space();
                    byte d = peek();
                    i++;
                    if (d == ']') return a;
                    if (d != ',') throw Refused.INSTANCE;
                }
            }
            case '"' -> {
                return NODES.textNode(string());
            }
            case 't' -> {
                word("true");
                return NODES.booleanNode(true);
            }
            case 'f' -> {
                word("false");
                return NODES.booleanNode(false);
            }
            case 'n' -> {
                word("null");
                return NODES.nullNode();
            }
            default -> {
                return number();
            }
        }
    }

    private byte peek() throws Refused {
        if (i >= b.length) throw Refused.INSTANCE;
        return b[i];
    }

    /** JSON's whitespace; anything else jackson might skip (comments) is not plain. */
    private void space() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
    }

    private void word(String w) throws Refused {
        if (i + w.length() > b.length) throw Refused.INSTANCE;
        for (int k = 0; k < w.length(); k++) if (b[i + k] != w.charAt(k)) throw Refused.INSTANCE;
        i += w.length();
        // "trueX": jackson's error, not a value followed by junk.
        if (i < b.length && (Character.isLetterOrDigit(b[i]) || b[i] == '_' || b[i] == '$')) throw Refused.INSTANCE;
    }

    /** A string at {@code b[i] == '"'}: ASCII, the standard escapes, no control characters. */
    private String string() throws Refused {
        i++;
        StringBuilder s = new StringBuilder();
        while (true) {
            if (i >= b.length || s.length() > MAX_STRING) throw Refused.INSTANCE;
            byte c = b[i++];
            if (c == '"') return s.toString();
            if (c < 0x20) throw Refused.INSTANCE; // controls and (negative) non-ASCII bytes: jackson decides
            if (c != '\\') {
                s.append((char) c);
                continue;
            }
            if (i >= b.length) throw Refused.INSTANCE;
            byte e = b[i++];
            switch (e) {
                case '"', '\\', '/' -> s.append((char) e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (i + 4 > b.length) throw Refused.INSTANCE;
                    int u = 0;
                    for (int k = 0; k < 4; k++) {
                        int h = Character.digit(b[i + k], 16);
                        if (h < 0 || b[i + k] < 0) throw Refused.INSTANCE;
                        u = u << 4 | h;
                    }
                    if (Character.isSurrogate((char) u)) throw Refused.INSTANCE;
                    i += 4;
                    s.append((char) u);
                }
                default -> throw Refused.INSTANCE;
            }
        }
    }

    /**
     * A number as JSON writes it: an integer becomes jackson's int, long or big integer node by
     * its value, anything with a fraction or exponent a double node (Double.parseDouble, as
     * jackson parses by default).
     */
    private JsonNode number() throws Refused {
        int start = i;
        if (i < b.length && b[i] == '-') i++;
        int digits = i;
        if (i < b.length && b[i] == '0') {
            i++;
        } else {
            while (i < b.length && b[i] >= '0' && b[i] <= '9') i++;
        }
        if (i == digits) throw Refused.INSTANCE;
        boolean integer = true;
        if (i < b.length && b[i] == '.') {
            integer = false;
            int f = ++i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') i++;
            if (i == f) throw Refused.INSTANCE;
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            integer = false;
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) i++;
            int x = i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') i++;
            if (i == x) throw Refused.INSTANCE;
        }
        // A digit or letter right after (01, 1x): jackson's error.
        if (i < b.length && (Character.isLetterOrDigit(b[i]) || b[i] == '.' || b[i] == '_' || b[i] == '$' || b[i] < 0)) throw Refused.INSTANCE;
        if (i - start > MAX_NUMBER) throw Refused.INSTANCE;
        String text = new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!integer) return NODES.numberNode(Double.parseDouble(text));
        int len = i - digits;
        if (len <= 18) {
            long v = Long.parseLong(text);
            return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
        }
        java.math.BigInteger v = new java.math.BigInteger(text);
        return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
    }
}
