package org.bigarrays.ingest;

import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Element-by-element copy between views of different types, each value checked to fit the
 * destination type (ingest with {@code --dtype} other than the source's). The slow path: same
 * types are copied by the kernels instead.
 */
final class Convert {
    private Convert() {}

    /** Copy {@code src} into {@code dst} (same shape, rank 4, origins may differ); {@code where} names the source in errors. */
    static void copy(NdView src, NdView dst, String where) {
        long[] s = src.shape();
        long[] so = src.origin();
        long[] dOrigin = dst.origin();
        long[] a = new long[4];
        long[] b = new long[4];
        DataType t = dst.dataType();
        for (long c = 0; c < s[3]; c++) {
            for (long z = 0; z < s[2]; z++) {
                for (long y = 0; y < s[1]; y++) {
                    for (long x = 0; x < s[0]; x++) {
                        a[0] = so[0] + x; a[1] = so[1] + y; a[2] = so[2] + z; a[3] = so[3] + c;
                        b[0] = dOrigin[0] + x; b[1] = dOrigin[1] + y; b[2] = dOrigin[2] + z; b[3] = dOrigin[3] + c;
                        put(dst, b, src.getAsDouble(a), t, where);
                    }
                }
            }
        }
    }

    /** Store {@code value} at {@code at} in {@code dst} of type {@code t}, failing when it does not fit. */
    static void put(NdView dst, long[] at, double value, DataType t, String where) {
        long bits;
        try {
            bits = t.bitsOf(value, where);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.getMessage() + " (choose a wider --dtype)");
        }
        switch (t) {
            case FLOAT32 -> dst.setDouble(at, Float.intBitsToFloat((int) bits));
            case FLOAT64 -> dst.setDouble(at, Double.longBitsToDouble(bits));
            default -> dst.set(at, bits);
        }
    }
}
