package org.bigarrays.array;

import java.nio.charset.StandardCharsets;
import org.bigarrays.core.DataType;

/**
 * NumPy {@code .npy} headers (format 1.0, or 2.0 when the header needs more than 64 KiB) for
 * cutouts: shape (x, y, z, c) in Fortran order, which is exactly precomputed's raw layout, so the
 * voxels follow the header as they are (or a C-order shape). The data starts 64-byte aligned.
 */
public final class NpyHeader {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private NpyHeader() {}

    /** The whole header (magic, version, length, dict, padding) for {@code type} and {@code shape}, Fortran order. */
    public static byte[] of(DataType type, long[] shape) {
        return of(type, shape, true);
    }

    /**
     * The whole header for {@code type} and {@code shape} in Fortran order (first axis fastest)
     * or C order (last axis fastest): (x, y, z, c) Fortran and (c, z, y, x) C describe the same
     * bytes.
     */
    public static byte[] of(DataType type, long[] shape, boolean fortranOrder) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(type.npyDescr()).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': (");
        for (long s : shape) sb.append(s).append(", ");
        sb.append("), }");
        boolean v2 = MAGIC.length + 4 + sb.length() + 64 > 0xffff;
        int prefix = MAGIC.length + 2 + (v2 ? 4 : 2);
        int total = prefix + sb.length() + 1;
        sb.append(" ".repeat((64 - total % 64) % 64)).append('\n');
        byte[] h = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix + h.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) (v2 ? 2 : 1);
        out[7] = 0;
        for (int i = 0; i < (v2 ? 4 : 2); i++) out[8 + i] = (byte) (h.length >>> (8 * i));
        System.arraycopy(h, 0, out, prefix, h.length);
        return out;
    }
}
