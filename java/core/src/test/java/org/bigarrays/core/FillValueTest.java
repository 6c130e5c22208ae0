package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.Options;
import org.junit.jupiter.api.Test;

/** Fill values (and other typed parameters) are the type's exact bit pattern or an error naming them. */
class FillValueTest {
    static void doesNotFit(DataType t, String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> t.bitsOf(text, "--fill"), t + " " + text);
        assertTrue(e.getMessage().startsWith("--fill: "), e.getMessage());
        assertTrue(e.getMessage().contains(text.trim()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void valuesThatDoNotFitTheirTypeAreErrors() {
        doesNotFit(DataType.UINT8, "300");
        doesNotFit(DataType.UINT8, "-1");
        doesNotFit(DataType.UINT8, "2.7");
        doesNotFit(DataType.UINT8, "NaN");
        doesNotFit(DataType.INT32, "Infinity");
        doesNotFit(DataType.INT16, "40000");
        doesNotFit(DataType.UINT64, "18446744073709551616");
        doesNotFit(DataType.UINT64, "-1");
        doesNotFit(DataType.INT64, "9223372036854775808");
        doesNotFit(DataType.UINT32, "1e999999999");
        doesNotFit(DataType.UINT32, "1e-999999999");
        doesNotFit(DataType.BOOL, "2");
        doesNotFit(DataType.FLOAT32, "1e39");
        doesNotFit(DataType.FLOAT64, "1e999");
        for (String junk : new String[] {"", "abc", "0x10", "1.5f", "1,5", "--1"}) {
            assertThrows(InvalidInputException.class, () -> DataType.UINT8.bitsOf(junk, "--fill"), junk);
        }
    }

    @Test
    void valuesThatFitAreExact() {
        assertEquals(255, DataType.UINT8.bitsOf("255", "f"));
        assertEquals(-1L, DataType.UINT64.bitsOf("18446744073709551615", "f"));
        assertEquals(Long.MAX_VALUE, DataType.INT64.bitsOf("9223372036854775807", "f"));
        assertEquals(Long.MIN_VALUE, DataType.INT64.bitsOf("-9223372036854775808", "f"));
        assertEquals((1L << 53) + 1, DataType.INT64.bitsOf("9007199254740993", "f"));
        assertEquals(-25536 & 0xffff, DataType.INT16.bitsOf("-25536", "f") & 0xffff);
        assertEquals(1000, DataType.UINT16.bitsOf("1e3", "f"));
        assertEquals(7, DataType.UINT8.bitsOf("7.000", "f"));
        assertEquals(1, DataType.BOOL.bitsOf("true", "f"));
        assertEquals(Float.floatToRawIntBits(Float.NaN), (int) DataType.FLOAT32.bitsOf("NaN", "f"));
        assertEquals(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), DataType.FLOAT64.bitsOf("-Infinity", "f"));
        assertEquals(Float.floatToRawIntBits(0.1f), (int) DataType.FLOAT32.bitsOf("0.1", "f"));
    }

    /** Reference model: for integer types, text fits iff it is an integer within [min, max], and then the bits are its two's complement. */
    @Property(tries = 2000)
    void integerTypesAcceptExactlyTheirRange(@ForAll DataType t, @ForAll BigInteger v) {
        if (t.isFloat() || t == DataType.BOOL) return;
        int bits = 8 * t.size();
        BigInteger min = t.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = t.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE) : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        BigInteger x = v.mod(BigInteger.ONE.shiftLeft(bits + 2)).subtract(BigInteger.ONE.shiftLeft(bits + 1)); // around the range
        boolean fits = x.compareTo(min) >= 0 && x.compareTo(max) <= 0;
        if (fits) {
            assertEquals(x.longValue(), t.bitsOf(x.toString(), "f"));
            assertEquals(x.longValue(), t.bitsOf(new BigDecimal(x).setScale(2).toPlainString(), "f"), "1.00 is an integer");
            assertEquals(x.longValue(), t.bitsOf((x.signum() < 0 ? "-00" : "+0") + x.abs(), "f"), "a sign and leading zeros");
        } else {
            assertThrows(InvalidInputException.class, () -> t.bitsOf(x.toString(), "f"));
            assertThrows(InvalidInputException.class, () -> t.bitsOf((x.signum() < 0 ? "-0" : "+00") + x.abs(), "f"));
        }
        if (x.abs().bitLength() <= 53) {
            if (fits) assertEquals(x.longValue(), t.bitsOf(x.doubleValue(), "f"));
            else assertThrows(InvalidInputException.class, () -> t.bitsOf(x.doubleValue(), "f"));
        }
    }

    @Test
    void theDoubleFormRejectsWhatItWouldTruncate() {
        assertThrows(InvalidInputException.class, () -> NdView.fillPattern(DataType.UINT8, 300));
        assertThrows(InvalidInputException.class, () -> NdView.fillPattern(DataType.UINT8, -1));
        assertThrows(InvalidInputException.class, () -> NdView.fillPattern(DataType.INT32, 2.7));
        assertThrows(InvalidInputException.class, () -> NdView.fillPattern(DataType.INT32, Double.NaN));
        assertThrows(InvalidInputException.class, () -> NdView.fillPattern(DataType.UINT64, 18446744073709551615.0), "that double is 2^64");
        assertEquals(Double.doubleToRawLongBits(Double.NaN), NdView.fillPattern(DataType.FLOAT64, Double.NaN));
    }

    @Test
    void optionsKeepTheExactText() {
        Options o = Options.defaults().withFillValue("18446744073709551615");
        assertEquals(-1L, o.fillPattern(DataType.UINT64));
        assertThrows(InvalidInputException.class, () -> o.fillPattern(DataType.UINT8));
        assertEquals(7, Options.defaults().withFillValue(7).fillPattern(DataType.UINT8));
        assertEquals(Double.doubleToRawLongBits(Double.NaN), Options.defaults().withFillValue("NaN").fillPattern(DataType.FLOAT64));
        assertThrows(InvalidInputException.class, () -> Options.defaults().withFillValue("seven"));
        assertTrue(Double.isNaN(Options.defaults().withFillValue(" nan ").fillValue()));
    }
}
