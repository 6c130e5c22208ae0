package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;

/**
 * The value of one element that a missing chunk holds: the {@code fill_value} of Zarr metadata
 * as the bit pattern of one element of our {@link DataType}. {@link #bits()} is what the fill
 * kernels take ({@code DataType.bitsOf} gives the same for the CLI's {@code --fill}); {@link #bytes()}
 * is the element as stored in a decoded chunk (little-endian, whatever the Zarr byte order).
 *
 * <p>Read from Zarr v3 ({@link #fromV3Json}): bool as {@code true}/{@code false}; integers as JSON
 * numbers of integral value in the type's range ({@code 7.0} is taken as 7; the spec asks for
 * no fraction or exponent part, and we read leniently but write strictly); floats as JSON numbers
 * (rounded to the nearest value of the type, half to even; a finite number beyond the type's
 * range is an error), {@code "NaN"} (the quiet NaN 0x7fc00000 / 0x7ff8000000000000),
 * {@code "Infinity"}, {@code "-Infinity"}, or {@code "0x…"}: the element's bits as a hexadecimal
 * unsigned integer, the spec's only way to name another NaN. Zarr v2 ({@link #fromV2Json}) has
 * no hex form, allows {@code null} (no fill value: read as zeros, see
 * {@link ZarrV2ArrayMetadata#fillValue()}) and 0/1 for bool.
 *
 * <p>Written back in canonical form ({@link #toV3Json}): bool as a JSON boolean, integers as
 * integers, floats as the shortest decimal that reads back as the same value ({@code -0.0}
 * keeps its sign), {@code "NaN"} for the quiet NaN, {@code "Infinity"}/{@code "-Infinity"},
 * and any other NaN as {@code "0x…"} (8 hex digits for float32, 16 for float64).
 *
 * @param dataType the element type
 * @param bits the element's bits in the low {@code dataType.size()} bytes (floats as their IEEE
 *     bits, unsigned 64-bit values two's complement); higher bits are cleared
 */
public record FillValue(DataType dataType, long bits) {
    private static final long F32_NAN = 0x7fc0_0000L;
    private static final long F64_NAN = 0x7ff8_0000_0000_0000L;

    /**
     * Clears the bits above the type's size.
     *
     * @throws IllegalArgumentException for a bool other than 0 or 1
     */
    public FillValue {
        Objects.requireNonNull(dataType, "dataType");
        if (dataType.size() < 8) bits &= (1L << (8 * dataType.size())) - 1;
        if (dataType == DataType.BOOL && bits > 1) throw new IllegalArgumentException("a bool fill value is 0 or 1, not " + bits);
    }

    /** All bits zero: 0, false or +0.0; what Zarr writers choose by default. */
    public static FillValue zero(DataType t) {
        return new FillValue(t, 0);
    }

    /** The element as stored in a decoded chunk: {@code dataType.size()} bytes, little-endian. */
    public byte[] bytes() {
        byte[] b = new byte[dataType.size()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (bits >>> (8 * i));
        return b;
    }

    /** Whether every byte of the element is zero (a fresh buffer already holds it). */
    public boolean isZero() {
        return bits == 0;
    }

    /**
     * The v3 {@code fill_value} {@code n} for {@code t}.
     *
     * @param what opens the error message ("zarr.json at URL: fill_value")
     * @throws FormatException "WHAT: expected …, found …" when {@code n} is not a value of {@code t}
     */
    public static FillValue fromV3Json(JsonNode n, DataType t, String what) {
        return parse(n, t, what, true);
    }

    /**
     * The v2 {@code fill_value} {@code n} for {@code t}; null for JSON {@code null} (no fill value).
     *
     * @throws FormatException "WHAT: expected …, found …" when {@code n} is not a value of {@code t}
     */
    public static FillValue fromV2Json(JsonNode n, DataType t, String what) {
        if (n != null && n.isNull()) return null;
        return parse(n, t, what, false);
    }

    private static FillValue parse(JsonNode n, DataType t, String what, boolean v3) {
        if (n == null || n.isMissingNode()) throw error(what, expected(t, v3), "nothing");
        if (t == DataType.BOOL) {
            if (n.isBoolean()) return new FillValue(t, n.booleanValue() ? 1 : 0);
            // v2 writers (NumPy) may store a bool fill as 0 or 1.
            if (!v3 && n.isNumber()) {
                Long v = Json.exactLong(n);
                if (v != null && (v == 0 || v == 1)) return new FillValue(t, v);
            }
            throw error(what, expected(t, v3), Json.abbreviate(n));
        }
        if (t.isFloat()) return new FillValue(t, floatBits(n, t, what, v3));
        if (!n.isNumber()) throw error(what, expected(t, v3), Json.abbreviate(n));
        BigDecimal d = n.decimalValue().stripTrailingZeros();
        // More than 40 digits before the point cannot fit 64 bits: refused before "1e999999999" expands.
        if (d.scale() > 0 || d.precision() - d.scale() > 40) throw error(what, expected(t, v3), Json.abbreviate(n));
        BigInteger v = d.toBigIntegerExact();
        int bitsWide = 8 * t.size();
        BigInteger min = t.isSigned() ? BigInteger.ONE.shiftLeft(bitsWide - 1).negate() : BigInteger.ZERO;
        BigInteger max = t.isSigned() ? BigInteger.ONE.shiftLeft(bitsWide - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bitsWide).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) throw error(what, expected(t, v3), Json.abbreviate(n));
        return new FillValue(t, v.longValue());
    }

    private static long floatBits(JsonNode n, DataType t, String what, boolean v3) {
        boolean f32 = t == DataType.FLOAT32;
        if (n.isTextual()) {
            String s = n.asText();
            switch (s) {
                case "NaN":
                    return f32 ? F32_NAN : F64_NAN;
                case "Infinity":
                    return f32 ? Integer.toUnsignedLong(Float.floatToRawIntBits(Float.POSITIVE_INFINITY)) : Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
                case "-Infinity":
                    return f32 ? Integer.toUnsignedLong(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)) : Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
                default:
                    break;
            }
            int digits = 2 * t.size();
            if (v3 && s.length() > 2 && s.length() <= 2 + digits && s.startsWith("0x") && s.substring(2).matches("[0-9a-fA-F]+")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            throw error(what, expected(t, v3), Json.abbreviate(n));
        }
        if (!n.isNumber()) throw error(what, expected(t, v3), Json.abbreviate(n));
        // A DoubleNode only comes from our reader for -0.0 (a BigDecimal has no negative zero);
        // other numbers are parsed from their exact decimal text, so float32 is rounded once.
        String text = n.isDouble() ? Double.toString(n.doubleValue()) : n.isBigDecimal() ? n.decimalValue().toString() : n.asText();
        if (n.isBigDecimal() && n.decimalValue().precision() - n.decimalValue().scale() > 400) {
            throw error(what, expected(t, v3), Json.abbreviate(n)); // beyond float64 before the exponent expands
        }
        if (f32) {
            float f = Float.parseFloat(text);
            if (Float.isInfinite(f)) throw error(what, expected(t, v3), Json.abbreviate(n));
            return Integer.toUnsignedLong(Float.floatToRawIntBits(f));
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) throw error(what, expected(t, v3), Json.abbreviate(n));
        return Double.doubleToRawLongBits(d);
    }

    private static String expected(DataType t, boolean v3) {
        if (t == DataType.BOOL) return v3 ? "true or false" : "true, false, 0 or 1";
        if (t.isFloat()) {
            String range = t == DataType.FLOAT32 ? "float32" : "float64";
            return "a number within " + range + "'s range, \"NaN\", \"Infinity\", \"-Infinity\""
                    + (v3 ? " or \"0x\" and up to " + 2 * t.size() + " hex digits" : "") + (v3 ? "" : " or null");
        }
        int bitsWide = 8 * t.size();
        String range = t.isSigned() ? "-2^" + (bitsWide - 1) + "..2^" + (bitsWide - 1) + "-1" : "0..2^" + bitsWide + "-1";
        return "an integer in " + range + " for " + t.jsonName() + (v3 ? "" : " or null");
    }

    private static FormatException error(String what, String expected, String found) {
        return new FormatException(what + ": expected " + expected + ", found " + found);
    }

    /** The canonical v3 {@code fill_value} (see the class comment). */
    public JsonNode toV3Json() {
        return toJson(true);
    }

    /** The v2 {@code fill_value}: as {@link #toV3Json} but every NaN as {@code "NaN"} (v2 has no hex form). */
    public JsonNode toV2Json() {
        return toJson(false);
    }

    private JsonNode toJson(boolean v3) {
        var nodes = Json.NODES;
        switch (dataType) {
            case BOOL:
                return nodes.booleanNode(bits != 0);
            case FLOAT32: {
                float f = Float.intBitsToFloat((int) bits);
                if (Float.isNaN(f)) return nodes.textNode(bits == F32_NAN || !v3 ? "NaN" : hex());
                if (Float.isInfinite(f)) return nodes.textNode(f > 0 ? "Infinity" : "-Infinity");
                if (f == 0) return nodes.numberNode(bits == 0 ? 0.0 : -0.0);
                return nodes.numberNode(new BigDecimal(Float.toString(f)));
            }
            case FLOAT64: {
                double d = Double.longBitsToDouble(bits);
                if (Double.isNaN(d)) return nodes.textNode(bits == F64_NAN || !v3 ? "NaN" : hex());
                if (Double.isInfinite(d)) return nodes.textNode(d > 0 ? "Infinity" : "-Infinity");
                if (d == 0) return nodes.numberNode(bits == 0 ? 0.0 : -0.0);
                return nodes.numberNode(new BigDecimal(Double.toString(d)));
            }
            case UINT64:
                return bits >= 0 ? nodes.numberNode(bits) : nodes.numberNode(new BigInteger(Long.toUnsignedString(bits)));
            case INT8:
                return nodes.numberNode((byte) bits);
            case INT16:
                return nodes.numberNode((short) bits);
            case INT32:
                return nodes.numberNode((int) bits);
            default: // uint8/16/32 (bits already masked) and int64
                return nodes.numberNode(bits);
        }
    }

    /**
     * The value as decimal text that {@link DataType#bitsOf(String, String)} (the CLI's and
     * {@code Options}' fill syntax) reads back to exactly these bits: "255", "-3",
     * "18446744073709551615", "true", "0.5", "-0.0", "NaN", "Infinity"; null for a NaN other than
     * the quiet one, which no decimal text names.
     */
    public String text() {
        switch (dataType) {
            case BOOL:
                return bits != 0 ? "true" : "false";
            case FLOAT32: {
                float f = Float.intBitsToFloat((int) bits);
                if (Float.isNaN(f)) return bits == F32_NAN ? "NaN" : null;
                if (Float.isInfinite(f)) return f > 0 ? "Infinity" : "-Infinity";
                // bitsOf reads a float32 through a double: the float's shortest decimal may
                // round twice on the way; the double's own shortest decimal never does.
                String shortest = Float.toString(f);
                return DataType.FLOAT32.bitsOf(shortest, "fill value") == bits ? shortest : Double.toString(f);
            }
            case FLOAT64: {
                double d = Double.longBitsToDouble(bits);
                if (Double.isNaN(d)) return bits == F64_NAN ? "NaN" : null;
                if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
                return Double.toString(d);
            }
            default:
                return toJson(true).asText();
        }
    }

    /** "0x" and the element's bits, all digits, lower case. */
    private String hex() {
        String h = Long.toHexString(bits);
        return "0x" + "0".repeat(2 * dataType.size() - h.length()) + h.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return toV3Json().toString() + " (" + dataType + ")";
    }
}
