package org.bigarrays.zarr;

import org.bigarrays.core.DataType;

/** A fill value as the decimal text the array layer's options take ({@code Options.withFillValue(String)}). */
final class FillValues {
    private FillValues() {}

    static String text(FillValue f) {
        DataType t = f.dataType();
        long bits = f.bits();
        if (t == DataType.FLOAT32) return Float.toString(Float.intBitsToFloat((int) bits));
        if (t == DataType.FLOAT64) return Double.toString(Double.longBitsToDouble(bits));
        if (t.isSigned()) {
            int shift = 64 - 8 * t.size();
            return Long.toString((bits << shift) >> shift);
        }
        return Long.toUnsignedString(bits);
    }
}
