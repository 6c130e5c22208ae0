package org.bigarrays.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;

/**
 * NumPy {@code .npy} headers (format 1.0/2.0/3.0). Cutouts are written as shape (x, y, z, c) in
 * Fortran order, which is exactly precomputed's raw layout, so the data follows the header as is.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Longest header accepted: real ones are about 128 bytes; a huge length is a broken file. */
    private static final int MAX_HEADER = 1 << 20;

    /**
     * A parsed header: element type, shape (each ≥ 0), Fortran or C order, and where the data
     * starts in the file.
     */
    record Header(DataType type, long[] shape, boolean fortranOrder, long dataOffset) {}

    private Npy() {}

    static void writeHeader(OutputStream out, DataType type, long[] shape) throws IOException {
        out.write(org.bigarrays.array.NpyHeader.of(type, shape));
    }

    /** Read and check a header; every problem is an {@link InvalidInputException} naming {@code where}. */
    static Header readHeader(InputStream in, String where) throws IOException {
        byte[] m = in.readNBytes(8);
        for (int i = 0; i < MAGIC.length; i++) {
            if (m.length < 8 || m[i] != MAGIC[i]) throw new InvalidInputException(where + " is not a .npy file (bad magic)");
        }
        int major = m[6];
        long len;
        int prefix;
        if (major == 1) {
            byte[] l = readFully(in, 2, where);
            len = (l[0] & 0xff) | (l[1] & 0xff) << 8;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            byte[] l = readFully(in, 4, where);
            len = (l[0] & 0xffL) | (l[1] & 0xffL) << 8 | (l[2] & 0xffL) << 16 | (l[3] & 0xffL) << 24;
            prefix = 12;
        } else {
            throw new InvalidInputException(where + ": unsupported .npy version " + major);
        }
        if (len > MAX_HEADER) throw new InvalidInputException(where + ": .npy header of " + len + " bytes (at most " + MAX_HEADER + ")");
        String h = new String(readFully(in, (int) len, where), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(h);
        Matcher o = ORDER.matcher(h);
        Matcher s = SHAPE.matcher(h);
        if (!d.find() || !o.find() || !s.find()) throw new InvalidInputException(where + ": malformed .npy header: " + Main.oneLine(h));
        String[] parts = s.group(1).split(",");
        long[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToLong(p -> {
            try {
                long v = Long.parseLong(p);
                if (v >= 0) return v;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new InvalidInputException(where + ": .npy shape (" + s.group(1).trim() + "): '" + p + "' is not a size 0.." + Long.MAX_VALUE);
        }).toArray();
        return new Header(DataType.ofNpy(d.group(1)), shape, o.group(1).equals("True"), prefix + len);
    }

    private static byte[] readFully(InputStream in, int n, String where) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new InvalidInputException(where + ": truncated .npy header");
        return b;
    }
}
