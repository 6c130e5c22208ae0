package org.bigarrays.server;

import java.util.Map;
import java.util.Set;
import org.bigarrays.core.Box;
import org.bigarrays.precomputed.Info;

/** {@code box=x0,y0,z0:x1,y1,z1&mip=N&format=npy|raw}, checked against the layer. */
record CutoutRequest(Box box, int mip, boolean npy) {

    private static final Set<String> PARAMETERS = Set.of("box", "mip", "format");

    static CutoutRequest parse(String rawQuery, Info info) {
        Map<String, String> q = QueryParameters.parse(rawQuery, PARAMETERS);
        String b = q.get("box");
        if (b == null) throw new HttpError(400, "missing parameter box=x0,y0,z0:x1,y1,z1");
        Box box;
        try {
            box = Box.parse(b);
        } catch (RuntimeException e) {
            throw new HttpError(400, "box '" + b + "': " + e.getMessage());
        }
        if (box.rank() != 3) throw new HttpError(400, "box '" + b + "': expected x0,y0,z0:x1,y1,z1, found " + box.rank() + " coordinates");
        if (box.isEmpty()) throw new HttpError(400, "box '" + b + "' is empty: each max must exceed its min");
        int mip = 0;
        String m = q.get("mip");
        if (m != null) {
            try {
                mip = Integer.parseInt(m.trim());
            } catch (NumberFormatException e) {
                mip = -1;
            }
            if (mip < 0 || mip >= info.scales().size()) throw new HttpError(400, "mip '" + m + "': expected 0.." + (info.scales().size() - 1));
        }
        String f = q.getOrDefault("format", "npy");
        if (!f.equals("npy") && !f.equals("raw")) throw new HttpError(400, "format '" + f + "': expected npy or raw");
        return new CutoutRequest(box, mip, f.equals("npy"));
    }

    /** The cutout's shape as the response's X-BigArrays-Shape header and npy header give it: x, y, z, channels. */
    long[] shape(Info info) {
        return new long[] {box.size(0), box.size(1), box.size(2), info.numChannels()};
    }

    /** The voxel bytes of the cutout; Long.MAX_VALUE when they overflow. */
    long bytes(Info info) {
        try {
            return Math.multiplyExact(Math.multiplyExact(box.volume(), info.numChannels()), info.dataType().size());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
