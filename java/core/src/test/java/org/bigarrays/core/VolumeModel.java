package org.bigarrays.core;

import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The naive reference a {@link BigArray} is checked against: every voxel of the volume as a
 * raw bit pattern, plus which chunks exist. Written from the format's rules only (grid anchored
 * at the offset, edge chunks truncated, missing chunk or outside = fill), without using the
 * library's grid or kernels.
 */
public final class VolumeModel {
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public final DataType type;
    public final int channels;
    public final long[] offset;
    public final long[] size;
    public final long[] chunk;
    private final long[] bits;
    /** Chunk key → name suffix ("", ".gz" or ".zstd") of the last write; absent = missing chunk. */
    public final Map<String, String> chunks = new HashMap<>();

    public VolumeModel(DataType type, int channels, long[] offset, long[] size, long[] chunk) {
        this.type = type;
        this.channels = channels;
        this.offset = offset.clone();
        this.size = size.clone();
        this.chunk = chunk.clone();
        this.bits = new long[Math.toIntExact(size[0] * size[1] * size[2] * channels)];
    }

    /** The bit pattern a fill value has in {@code type}: a C cast for integers, IEEE bits for floats. */
    public static long fillBits(DataType type, double fill) {
        return switch (type) {
            case FLOAT32 -> Float.floatToRawIntBits((float) fill) & 0xffffffffL;
            case FLOAT64 -> Double.doubleToRawLongBits(fill);
            case BOOL -> fill != 0 ? 1 : 0;
            default -> mask(type, (long) fill);
        };
    }

    public static long mask(DataType type, long v) {
        return type.size() == 8 ? v : v & ((1L << (8 * type.size())) - 1);
    }

    /** Raw element bits at byte {@code pos} of {@code seg}. */
    public static long getBits(MemorySegment seg, long pos, int size) {
        return switch (size) {
            case 1 -> seg.get(ValueLayout.JAVA_BYTE, pos) & 0xffL;
            case 2 -> seg.get(S, pos) & 0xffffL;
            case 4 -> seg.get(I, pos) & 0xffffffffL;
            default -> seg.get(L, pos);
        };
    }

    public static void putBits(MemorySegment seg, long pos, int size, long v) {
        switch (size) {
            case 1 -> seg.set(ValueLayout.JAVA_BYTE, pos, (byte) v);
            case 2 -> seg.set(S, pos, (short) v);
            case 4 -> seg.set(I, pos, (int) v);
            default -> seg.set(L, pos, v);
        }
    }

    /** Raw bits of the element at absolute {@code coords} of {@code v}. */
    public static long bitsAt(NdView v, long... coords) {
        return getBits(v.segment(), v.byteIndex(coords), v.dataType().size());
    }

    public boolean inside(long x, long y, long z) {
        long[] p = {x, y, z};
        for (int i = 0; i < 3; i++) if (p[i] < offset[i] || p[i] >= offset[i] + size[i]) return false;
        return true;
    }

    /** The half-open [lo, hi) of the grid cell holding coordinate {@code p} on {@code axis}. */
    public long[] cellRange(int axis, long p) {
        long lo = offset[axis] + Math.floorDiv(p - offset[axis], chunk[axis]) * chunk[axis];
        return new long[] {lo, Math.min(lo + chunk[axis], offset[axis] + size[axis])};
    }

    /** The chunk key of the cell holding voxel (x, y, z), written out by hand. */
    public String keyOf(long x, long y, long z) {
        long[] a = cellRange(0, x);
        long[] b = cellRange(1, y);
        long[] c = cellRange(2, z);
        return a[0] + "-" + a[1] + "_" + b[0] + "-" + b[1] + "_" + c[0] + "-" + c[1];
    }

    private int index(long x, long y, long z, int c) {
        return Math.toIntExact((x - offset[0]) + size[0] * ((y - offset[1]) + size[1] * ((z - offset[2]) + size[2] * (long) c)));
    }

    /** What a read must return at (x, y, z, c) with fill bits {@code fill}. */
    public long expected(long x, long y, long z, int c, long fill) {
        if (!inside(x, y, z) || !chunks.containsKey(keyOf(x, y, z))) return fill;
        return bits[index(x, y, z, c)];
    }

    /**
     * Apply a successful write of {@code data} (rank 4, origin = box min) made with fill bits
     * {@code writeFill} and compression suffix {@code suffix}: chunks it touches that did not
     * exist become whole chunks of fill first (read-modify-write of a missing chunk).
     */
    public void write(NdView data, long writeFill, String suffix) {
        long[] o = data.origin();
        long[] s = data.shape();
        for (String key : touchedKeys(o, new long[] {o[0] + s[0], o[1] + s[1], o[2] + s[2]})) {
            if (!chunks.containsKey(key)) {
                long[][] r = parseKey(key);
                for (int c = 0; c < channels; c++)
                    for (long z = r[2][0]; z < r[2][1]; z++)
                        for (long y = r[1][0]; y < r[1][1]; y++)
                            for (long x = r[0][0]; x < r[0][1]; x++) bits[index(x, y, z, c)] = writeFill;
            }
            chunks.put(key, suffix);
        }
        for (int c = 0; c < channels; c++)
            for (long z = o[2]; z < o[2] + s[2]; z++)
                for (long y = o[1]; y < o[1] + s[1]; y++)
                    for (long x = o[0]; x < o[0] + s[0]; x++) bits[index(x, y, z, c)] = bitsAt(data, x, y, z, c);
    }

    /** Keys of the cells that the box [lo, hi) touches inside the volume. */
    public List<String> touchedKeys(long[] lo, long[] hi) {
        List<String> out = new ArrayList<>();
        long[] a = new long[3];
        long[] b = new long[3];
        for (int i = 0; i < 3; i++) {
            a[i] = Math.max(lo[i], offset[i]);
            b[i] = Math.min(hi[i], offset[i] + size[i]);
            if (a[i] >= b[i]) return out;
        }
        for (long z = cellRange(2, a[2])[0]; z < b[2]; z = cellRange(2, z)[1])
            for (long y = cellRange(1, a[1])[0]; y < b[1]; y = cellRange(1, y)[1])
                for (long x = cellRange(0, a[0])[0]; x < b[0]; x = cellRange(0, x)[1]) out.add(keyOf(x, y, z));
        return out;
    }

    public static long[][] parseKey(String key) {
        String[] axes = key.split("_");
        long[][] r = new long[3][];
        for (int i = 0; i < 3; i++) {
            int dash = axes[i].indexOf('-', 1);
            r[i] = new long[] {Long.parseLong(axes[i].substring(0, dash)), Long.parseLong(axes[i].substring(dash + 1))};
        }
        return r;
    }

    /** Whether the box's faces lie on cell boundaries or the volume's upper bound (hand-written). */
    public boolean isAligned(long[] lo, long[] hi) {
        for (int i = 0; i < 3; i++) {
            if (Math.floorMod(lo[i] - offset[i], chunk[i]) != 0) return false;
            if (Math.floorMod(hi[i] - offset[i], chunk[i]) != 0 && hi[i] != offset[i] + size[i]) return false;
        }
        return true;
    }

    /** The smallest aligned box containing [lo, hi), clipped to the volume, as "x0,y0,z0:x1,y1,z1". */
    public String nearestAligned(long[] lo, long[] hi) {
        long[] a = new long[3];
        long[] b = new long[3];
        for (int i = 0; i < 3; i++) {
            a[i] = offset[i] + Math.floorDiv(lo[i] - offset[i], chunk[i]) * chunk[i];
            b[i] = Math.min(offset[i] + Math.ceilDiv(hi[i] - offset[i], chunk[i]) * chunk[i], offset[i] + size[i]);
        }
        return a[0] + "," + a[1] + "," + a[2] + ":" + b[0] + "," + b[1] + "," + b[2];
    }
}
