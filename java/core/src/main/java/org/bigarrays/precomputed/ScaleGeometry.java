package org.bigarrays.precomputed;

import java.util.Arrays;
import java.util.List;

/**
 * The geometry of a downsampled scale (TensorStore's and Neuroglancer's convention, absolute
 * coordinates): {@code voxel_offset = floor(offset / f)}, {@code size = ceil((offset + size) / f)
 * - floor(offset / f)}, {@code resolution = resolution * f}, key {@code "<rx>_<ry>_<rz>"}; the
 * same encoding, its parameters and sharding as the scale below unless replaced.
 */
public final class ScaleGeometry {
    private ScaleGeometry() {}

    /** The scale one step coarser than {@code base} by {@code factor}, with {@code chunk} (null: base's). Unsharded. */
    public static Scale downsampled(Scale base, long[] factor, long[] chunk) {
        long[] off = new long[3], size = new long[3];
        double[] res = new double[3];
        for (int d = 0; d < 3; d++) {
            long lo = base.voxelOffset()[d], hi = Math.addExact(lo, base.size()[d]);
            off[d] = Math.floorDiv(lo, factor[d]);
            size[d] = Math.ceilDiv(hi, factor[d]) - off[d];
            res[d] = base.resolution()[d] * factor[d];
        }
        long[] c = chunk != null ? chunk.clone() : base.chunkSize();
        return new Scale(key(res), size, res, off, List.of(c), base.encoding(), base.blockSize(), base.jpegQuality(), base.pngLevel(),
                null, JsonMembers.EMPTY);
    }

    /**
     * The default factor for the step above a scale of {@code resolution} (Igneous's rule):
     * {@code 2,2,1} while z's resolution is more than twice the coarser of x and y, then {@code 2,2,2}.
     */
    public static long[] defaultFactor(double[] resolution) {
        return resolution[2] > 2 * Math.max(resolution[0], resolution[1]) ? new long[] {2, 2, 1} : new long[] {2, 2, 2};
    }

    /** {@code "<rx>_<ry>_<rz>"}, integers without a decimal point. */
    public static String key(double[] res) {
        return fmt(res[0]) + "_" + fmt(res[1]) + "_" + fmt(res[2]);
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * The integer factor from {@code lower} to {@code upper} read off their resolutions, or null
     * when some axis is not a positive integer multiple (within 1e-6 relative).
     */
    public static long[] factorBetween(Scale lower, Scale upper) {
        long[] f = new long[3];
        for (int d = 0; d < 3; d++) {
            double r = upper.resolution()[d] / lower.resolution()[d];
            long k = Math.round(r);
            if (k < 1 || Math.abs(r - k) > 1e-6 * r) return null;
            f[d] = k;
        }
        return f;
    }

    /** Null when {@code existing} has {@code expected}'s offset, size and resolution; else what differs. */
    public static String mismatch(Scale expected, Scale existing) {
        StringBuilder sb = new StringBuilder();
        if (!Arrays.equals(expected.voxelOffset(), existing.voxelOffset())) {
            sb.append("voxel_offset ").append(Arrays.toString(existing.voxelOffset())).append(", expected ").append(Arrays.toString(expected.voxelOffset())).append("; ");
        }
        if (!Arrays.equals(expected.size(), existing.size())) {
            sb.append("size ").append(Arrays.toString(existing.size())).append(", expected ").append(Arrays.toString(expected.size())).append("; ");
        }
        for (int d = 0; d < 3; d++) {
            if (Math.abs(expected.resolution()[d] - existing.resolution()[d]) > 1e-9 * expected.resolution()[d]) {
                sb.append("resolution ").append(Arrays.toString(existing.resolution())).append(", expected ").append(Arrays.toString(expected.resolution())).append("; ");
                break;
            }
        }
        return sb.isEmpty() ? null : sb.substring(0, sb.length() - 2);
    }
}
