package org.bigarrays.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;

/**
 * Voxel data types: those of the precomputed spec, plus int64, float64 and bool (BigArrays.jl),
 * bool being stored as one byte (0 or 1). All are little-endian on storage.
 */
public enum DataType {
    UINT8("uint8", 1, "|u1", true),
    INT8("int8", 1, "|i1", true),
    UINT16("uint16", 2, "<u2", true),
    INT16("int16", 2, "<i2", true),
    UINT32("uint32", 4, "<u4", true),
    INT32("int32", 4, "<i4", true),
    UINT64("uint64", 8, "<u8", true),
    INT64("int64", 8, "<i8", false),
    FLOAT32("float32", 4, "<f4", true),
    FLOAT64("float64", 8, "<f8", false),
    BOOL("bool", 1, "|b1", false);

    private final String jsonName;
    private final int size;
    private final String npyDescr;
    private final boolean neuroglancerDisplays;

    DataType(String jsonName, int size, String npyDescr, boolean neuroglancerDisplays) {
        this.jsonName = jsonName;
        this.size = size;
        this.npyDescr = npyDescr;
        this.neuroglancerDisplays = neuroglancerDisplays;
    }

    /** The name used in the info file ("uint8", ...). */
    public String jsonName() {
        return jsonName;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** NumPy's dtype descriptor ("&lt;u2", ...). */
    public String npyDescr() {
        return npyDescr;
    }

    /** Whether Neuroglancer can display this type (it cannot show int64, float64, bool). */
    public boolean neuroglancerDisplays() {
        return neuroglancerDisplays;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    public boolean isSigned() {
        return this == INT8 || this == INT16 || this == INT32 || this == INT64;
    }

    /** Smallest value of an integer type (as a BigInteger, so that uint64 fits). */
    private BigInteger minInteger() {
        return switch (this) {
            case INT8 -> BigInteger.valueOf(Byte.MIN_VALUE);
            case INT16 -> BigInteger.valueOf(Short.MIN_VALUE);
            case INT32 -> BigInteger.valueOf(Integer.MIN_VALUE);
            case INT64 -> BigInteger.valueOf(Long.MIN_VALUE);
            default -> BigInteger.ZERO;
        };
    }

    /** Largest value of an integer type (bool: 1). */
    private BigInteger maxInteger() {
        return switch (this) {
            case UINT8 -> BigInteger.valueOf(0xff);
            case INT8 -> BigInteger.valueOf(Byte.MAX_VALUE);
            case UINT16 -> BigInteger.valueOf(0xffff);
            case INT16 -> BigInteger.valueOf(Short.MAX_VALUE);
            case UINT32 -> BigInteger.valueOf(0xffff_ffffL);
            case INT32 -> BigInteger.valueOf(Integer.MAX_VALUE);
            case UINT64 -> BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
            case INT64 -> BigInteger.valueOf(Long.MAX_VALUE);
            default -> BigInteger.ONE;
        };
    }

    /** Decimal numbers (optionally with exponent), NaN and ±Infinity; no hex, no 'f'/'d' suffix. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(NaN|Infinity|inf)", Pattern.CASE_INSENSITIVE);

    /**
     * The bit pattern of the number written as {@code text} in this type, exactly: what the
     * fill kernels take (low {@link #size()} bytes, little-endian; floats as their IEEE bits).
     * Integer types accept integral values in their range only ({@code 300} for uint8, {@code -1}
     * for unsigned, {@code 2.7} and {@code NaN} are errors; {@code 18446744073709551615} is
     * uint64's maximum, exactly); bool accepts 0, 1, true and false; floats accept any decimal
     * number, NaN and ±Infinity, but not a finite number beyond the type's range.
     *
     * @param what names the value in the error ("--fill", "fill value")
     * @throws InvalidInputException naming {@code what}, the value and the type's range
     */
    public long bitsOf(String text, String what) {
        String t = text == null ? "" : text.trim();
        if (this == BOOL) {
            if (t.equalsIgnoreCase("true")) return 1;
            if (t.equalsIgnoreCase("false")) return 0;
        }
        if (!NUMBER.matcher(t).matches()) {
            throw new InvalidInputException(what + ": '" + text + "' is not a number");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        boolean special = lower.endsWith("nan") || lower.endsWith("inf") || lower.endsWith("infinity");
        if (isFloat()) {
            double d = special ? specialValue(lower) : Double.parseDouble(t);
            return floatBits(d, t, what);
        }
        if (special) throw doesNotFit(what, t);
        if (plainLong(t)) {
            // The usual fill value ("0"), without BigDecimal, whose first use costs a one-chunk cutout ~20 ms of CPU.
            BigInteger v = BigInteger.valueOf(Long.parseLong(t));
            if (v.compareTo(minInteger()) < 0 || v.compareTo(maxInteger()) > 0) throw doesNotFit(what, t);
            return v.longValue();
        }
        BigDecimal bd = new BigDecimal(t).stripTrailingZeros();
        if (bd.scale() > 0) throw doesNotFit(what, t); // a fraction
        // More than 40 digits cannot fit 64 bits; checked before expanding "1e999999999".
        if (bd.precision() - bd.scale() > 40) throw doesNotFit(what, t);
        BigInteger v = bd.toBigIntegerExact();
        if (v.compareTo(minInteger()) < 0 || v.compareTo(maxInteger()) > 0) throw doesNotFit(what, t);
        return v.longValue(); // two's complement: uint64's 2^64-1 is -1L
    }

    /** An optional sign and 1 to 18 ASCII digits: a value Long.parseLong reads exactly. */
    private static boolean plainLong(String t) {
        int start = !t.isEmpty() && (t.charAt(0) == '-' || t.charAt(0) == '+') ? 1 : 0;
        if (t.length() == start || t.length() - start > 18) return false;
        for (int i = start; i < t.length(); i++) if (t.charAt(i) < '0' || t.charAt(i) > '9') return false;
        return true;
    }

    /**
     * The bit pattern of {@code value} in this type, as {@link #bitsOf(String, String)} but from a
     * double: exact for every integer a double holds exactly (|v| ≤ 2^53); integer types reject
     * fractions, NaN and out-of-range values instead of wrapping or truncating.
     */
    public long bitsOf(double value, String what) {
        if (isFloat()) return floatBits(value, Double.toString(value), what);
        if (Double.isNaN(value) || Double.isInfinite(value) || value != Math.rint(value)) {
            throw doesNotFit(what, display(value));
        }
        // |value| < 2^63 converts exactly (it is an integer): no BigDecimal, whose first use costs ~20 ms of CPU.
        BigInteger v = Math.abs(value) < 0x1p63 ? BigInteger.valueOf((long) value) : new BigDecimal(value).toBigIntegerExact();
        if (v.compareTo(minInteger()) < 0 || v.compareTo(maxInteger()) > 0) throw doesNotFit(what, display(value));
        return v.longValue();
    }

    private long floatBits(double d, String text, String what) {
        if (this == FLOAT64) {
            if (Double.isInfinite(d) && !text.toLowerCase(Locale.ROOT).contains("inf")) throw doesNotFit(what, text);
            return Double.doubleToRawLongBits(d);
        }
        float f = (float) d;
        // A finite double beyond float's range becomes Infinity: that is a different value.
        if (Float.isInfinite(f) && !Double.isInfinite(d) || Double.isInfinite(d) && !text.toLowerCase(Locale.ROOT).contains("inf")) {
            throw doesNotFit(what, text);
        }
        return Integer.toUnsignedLong(Float.floatToRawIntBits(f));
    }

    private static double specialValue(String lower) {
        if (lower.endsWith("nan")) return Double.NaN;
        return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    private static String display(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e18 ? Long.toString((long) v) : Double.toString(v);
    }

    private InvalidInputException doesNotFit(String what, String value) {
        String range = isFloat() ? "finite values up to " + (this == FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE) + ", NaN or ±Infinity"
                : this == BOOL ? "0, 1, true or false" : "integers " + minInteger() + ".." + maxInteger();
        return new InvalidInputException(what + ": " + value + " does not fit " + jsonName + " (" + range + ")");
    }

    /** Parse an info/CLI name, case-insensitive. */
    public static DataType of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DataType t : values()) {
            if (t.jsonName.equals(n)) return t;
        }
        throw new InvalidInputException("unknown data type '" + name
                + "': expected one of uint8 int8 uint16 int16 uint32 int32 uint64 int64 float32 float64 bool");
    }

    /** Parse a NumPy descriptor; both byte orders are accepted where the size is 1. */
    public static DataType ofNpy(String descr) {
        if (descr.isEmpty()) throw new InvalidInputException("unsupported .npy dtype '': empty descriptor");
        for (DataType t : values()) {
            if (t.npyDescr.equals(descr)) return t;
            if (t.size == 1 && t.npyDescr.substring(1).equals(descr.substring(1))) return t;
        }
        if (descr.startsWith(">")) {
            throw new InvalidInputException("big-endian .npy data ('" + descr + "') is not supported; save it little-endian");
        }
        throw new InvalidInputException("unsupported .npy dtype '" + descr + "'");
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
