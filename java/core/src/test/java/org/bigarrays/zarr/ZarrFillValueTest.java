package org.bigarrays.zarr;

import static org.bigarrays.zarr.Errors.oneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/**
 * Fill values: every element value of every type survives writing and reading back as JSON text
 * (v3 exactly, NaN payloads included; v2 up to NaN payloads), the spec's special float forms
 * mean what it says, and values that do not fit are one-line errors.
 */
class ZarrFillValueTest {
    /** The v3 JSON {@code text} read as a fill value of {@code t}, through the package's JSON reader. */
    static FillValue v3(String text, DataType t) {
        return FillValue.fromV3Json(member(text), t, "fill_value");
    }

    static FillValue v2(String text, DataType t) {
        return FillValue.fromV2Json(member(text), t, "fill_value");
    }

    /** A JSON value as our reader makes it (wrapped in an object, since a document must be one). */
    static JsonNode member(String text) {
        return Json.readObject(("{\"v\": " + text + "}").getBytes(StandardCharsets.UTF_8), "test").get("v");
    }

    /** The value as written into a document and read back. */
    static JsonNode written(JsonNode n) {
        return member(new String(Json.write(n), StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void everyElementValueRoundTripsThroughV3Json(@ForAll DataType t, @ForAll long bits) {
        FillValue f = new FillValue(t, t == DataType.BOOL ? bits & 1 : bits);
        FillValue back = FillValue.fromV3Json(written(f.toV3Json()), t, "fill_value");
        assertEquals(f, back, () -> f + " written as " + f.toV3Json());
    }

    @Property(tries = 1000)
    void everyFloat32RoundTripsAsANumberOrSpecialString(@ForAll float value) {
        FillValue f = new FillValue(DataType.FLOAT32, Float.floatToRawIntBits(value));
        assertEquals(f, FillValue.fromV3Json(written(f.toV3Json()), DataType.FLOAT32, "fill_value"));
        if (!Float.isNaN(value)) assertEquals(f, FillValue.fromV2Json(written(f.toV2Json()), DataType.FLOAT32, "fill_value"));
    }

    @Property(tries = 1000)
    void everyFloat64RoundTripsAsANumberOrSpecialString(@ForAll double value) {
        FillValue f = new FillValue(DataType.FLOAT64, Double.doubleToRawLongBits(value));
        assertEquals(f, FillValue.fromV3Json(written(f.toV3Json()), DataType.FLOAT64, "fill_value"));
        if (!Double.isNaN(value)) assertEquals(f, FillValue.fromV2Json(written(f.toV2Json()), DataType.FLOAT64, "fill_value"));
    }

    @Property(tries = 2000)
    void theTextReadsBackThroughTheFillSyntaxOfTheRestOfTheLibrary(@ForAll DataType t, @ForAll long bits) {
        FillValue f = new FillValue(t, t == DataType.BOOL ? bits & 1 : bits);
        String text = f.text();
        if (text == null) {
            assertEquals(true, t.isFloat() && (t == DataType.FLOAT32 ? Float.isNaN(Float.intBitsToFloat((int) f.bits())) : Double.isNaN(Double.longBitsToDouble(f.bits()))),
                    "only NaN payloads have no text: " + f);
            return;
        }
        long back = t.bitsOf(text, "fill value");
        assertEquals(f, new FillValue(t, back), () -> f + " as text " + text);
    }

    @Test
    void texts() {
        assertEquals("NaN", v3("\"NaN\"", DataType.FLOAT32).text());
        assertNull(v3("\"0x7fc00001\"", DataType.FLOAT32).text());
        assertEquals("-0.0", v3("-0.0", DataType.FLOAT32).text());
        assertEquals("0.1", v3("0.1", DataType.FLOAT32).text());
        assertEquals("18446744073709551615", v3("18446744073709551615", DataType.UINT64).text());
        assertEquals("-3", v3("-3", DataType.INT16).text());
        assertEquals("true", v3("true", DataType.BOOL).text());
    }

    @Test
    void theSpecialFloatsMeanWhatTheSpecSays() {
        assertEquals(0x7fc00000L, v3("\"NaN\"", DataType.FLOAT32).bits());
        assertEquals(0x7ff8000000000000L, v3("\"NaN\"", DataType.FLOAT64).bits());
        assertEquals(v3("\"NaN\"", DataType.FLOAT32), v3("\"0x7fc00000\"", DataType.FLOAT32), "the spec's own equivalence");
        assertEquals(Float.floatToRawIntBits(Float.POSITIVE_INFINITY), (int) v3("\"Infinity\"", DataType.FLOAT32).bits());
        assertEquals(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), v3("\"-Infinity\"", DataType.FLOAT64).bits());
        // Another NaN only as hex, and it stays that NaN.
        FillValue payload = v3("\"0x7fc00001\"", DataType.FLOAT32);
        assertEquals(0x7fc00001L, payload.bits());
        assertEquals("\"0x7fc00001\"", payload.toV3Json().toString());
        assertEquals("\"NaN\"", payload.toV2Json().toString(), "v2 has no hex form");
        assertEquals("\"0xfff8000000000001\"", v3("\"0xFFF8000000000001\"", DataType.FLOAT64).toV3Json().toString());
        assertEquals("\"NaN\"", v3("\"0x7fc00000\"", DataType.FLOAT32).toV3Json().toString(), "canonical: the quiet NaN by name");
        assertEquals("\"Infinity\"", v3("\"Infinity\"", DataType.FLOAT64).toV3Json().toString());
        assertEquals("\"-Infinity\"", v3("\"-Infinity\"", DataType.FLOAT32).toV3Json().toString());
        // Negative zero keeps its sign both ways.
        assertEquals(0x80000000L, v3("-0.0", DataType.FLOAT32).bits());
        assertEquals(Double.doubleToRawLongBits(-0.0), v3("-0", DataType.FLOAT64).bits());
        assertEquals("-0.0", v3("-0.0", DataType.FLOAT64).toV3Json().toString());
    }

    @Test
    void decimalNumbersRoundOnceToTheType() {
        assertEquals(Float.floatToRawIntBits(0.1f), (int) v3("0.1", DataType.FLOAT32).bits());
        assertEquals(Double.doubleToRawLongBits(0.1), v3("0.1", DataType.FLOAT64).bits());
        assertEquals(Float.floatToRawIntBits(1e10f), (int) v3("1e10", DataType.FLOAT32).bits());
        assertEquals(Double.doubleToRawLongBits(3.0), v3("3", DataType.FLOAT64).bits(), "an integer is a float value too");
        // Halfway between two floats: the decimal rounds to even directly, where going through
        // a double first would round twice (1 + 2^-24 + about 8.7e-61 is just above the midpoint,
        // and the nearest double is the midpoint itself).
        assertEquals(Float.floatToRawIntBits(Math.nextUp(1.0f)), (int) v3("1.00000005960464477539062500000000000000000000000000000000000086736173798840354720596224069595336914062500", DataType.FLOAT32).bits());
        assertEquals("0.1", v3("0.1", DataType.FLOAT32).toV3Json().toString(), "the shortest decimal of the float, not of its double");
    }

    @Test
    void integersAndBoolsAreExact() {
        assertEquals(-1L, v3("18446744073709551615", DataType.UINT64).bits(), "uint64's maximum, two's complement");
        assertEquals("18446744073709551615", v3("18446744073709551615", DataType.UINT64).toV3Json().toString());
        assertEquals(Long.MIN_VALUE, v3("-9223372036854775808", DataType.INT64).bits());
        assertEquals(0xff, v3("-1", DataType.INT8).bits(), "bits of the element only");
        assertEquals("-1", v3("-1", DataType.INT8).toV3Json().toString());
        assertEquals("-32768", v3("-32768", DataType.INT16).toV3Json().toString());
        assertEquals("65535", v3("65535", DataType.UINT16).toV3Json().toString());
        assertEquals(7, v3("7.0", DataType.UINT8).bits(), "read leniently");
        assertEquals("7", v3("7.0", DataType.UINT8).toV3Json().toString(), "written strictly");
        assertEquals(1, v3("true", DataType.BOOL).bits());
        assertEquals("false", v3("false", DataType.BOOL).toV3Json().toString());
        assertArrayEquals(new byte[] {0x34, 0x12}, v3("4660", DataType.UINT16).bytes(), "little-endian element");
        assertArrayEquals(new byte[] {0, 0, (byte) 0xc0, 0x7f}, v3("\"NaN\"", DataType.FLOAT32).bytes());
    }

    @Test
    void v2FillValues() {
        assertNull(v2("null", DataType.UINT8), "no fill value");
        assertEquals(42, v2("42", DataType.INT32).bits());
        assertEquals(0x7ff8000000000000L, v2("\"NaN\"", DataType.FLOAT64).bits());
        assertEquals(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), v2("\"-Infinity\"", DataType.FLOAT64).bits());
        assertEquals(1, v2("true", DataType.BOOL).bits());
        assertEquals(1, v2("1", DataType.BOOL).bits(), "NumPy may write a bool fill as 0 or 1");
        oneLine(() -> v2("\"0x7fc00000\"", DataType.FLOAT32), "fill_value", "expected", "found \"0x7fc00000\"");
    }

    @Test
    void valuesThatAreNotOfTheTypeAreOneLineErrors() {
        oneLine(() -> v3("256", DataType.UINT8), "fill_value: expected an integer in 0..2^8-1 for uint8", "found 256");
        oneLine(() -> v3("-1", DataType.UINT32), "found -1");
        oneLine(() -> v3("128", DataType.INT8), "-2^7..2^7-1", "found 128");
        oneLine(() -> v3("18446744073709551616", DataType.UINT64), "found 18446744073709551616");
        oneLine(() -> v3("9223372036854775808", DataType.INT64), "found 9223372036854775808");
        oneLine(() -> v3("2.5", DataType.INT16), "found 2.5");
        oneLine(() -> v3("1e999999999", DataType.UINT32), "found");
        oneLine(() -> v3("\"NaN\"", DataType.INT32), "found \"NaN\"");
        oneLine(() -> v3("null", DataType.UINT8), "found null");
        oneLine(() -> v3("1", DataType.BOOL), "expected true or false", "found 1");
        oneLine(() -> v3("\"nan\"", DataType.FLOAT32), "\"NaN\", \"Infinity\", \"-Infinity\"", "found \"nan\"");
        oneLine(() -> v3("\"0x7fc000000\"", DataType.FLOAT32), "up to 8 hex digits", "found \"0x7fc000000\"");
        oneLine(() -> v3("\"0xzz\"", DataType.FLOAT64), "found \"0xzz\"");
        oneLine(() -> v3("1e39", DataType.FLOAT32), "within float32's range", "found 1");
        oneLine(() -> v3("1e309", DataType.FLOAT64), "within float64's range");
        oneLine(() -> v3("[1, 2]", DataType.FLOAT64), "found [1,2]");
        oneLine(() -> v2("2", DataType.BOOL), "true, false, 0 or 1", "found 2");
    }
}
