package org.bigarrays.downsample;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * The naive model of the downsample semantics, written from the words with no shared code:
 * for each output voxel p and channel, the input voxels of [p*f, (p+1)*f) (absolute coordinates)
 * inside the input's box, reduced with exact arithmetic (BigInteger/BigDecimal means) and typed
 * comparisons. Slow; for tests only.
 */
public final class DownsampleReference {
    private DownsampleReference() {}

    /** Output of downsampling {@code in} (rank 4, origin its absolute box) as dense bytes. */
    public static NdView downsample(NdView in, long[] f, DownsampleMethod method, boolean sparse, long fill) {
        DataType t = in.dataType();
        long[] o = in.origin(), s = in.shape();
        long[] lo = new long[3], hi = new long[3];
        for (int d = 0; d < 3; d++) {
            lo[d] = Math.floorDiv(o[d], f[d]);
            hi[d] = Math.ceilDiv(o[d] + s[d], f[d]);
        }
        NdView out = NdView.wrap(java.lang.foreign.MemorySegment.ofArray(new byte[(int) ((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]) * s[3] * t.size())]),
                t, new long[] {lo[0], lo[1], lo[2], 0}, new long[] {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], s[3]});
        long mask = t.size() == 8 ? -1L : (1L << (8 * t.size())) - 1;
        long fillBits = fill & mask;
        for (long c = 0; c < s[3]; c++)
            for (long pz = lo[2]; pz < hi[2]; pz++)
                for (long py = lo[1]; py < hi[1]; py++)
                    for (long px = lo[0]; px < hi[0]; px++) {
                        List<Long> vals = new ArrayList<>();
                        for (long z = Math.max(pz * f[2], o[2]); z < Math.min((pz + 1) * f[2], o[2] + s[2]); z++)
                            for (long y = Math.max(py * f[1], o[1]); y < Math.min((py + 1) * f[1], o[1] + s[1]); y++)
                                for (long x = Math.max(px * f[0], o[0]); x < Math.min((px + 1) * f[0], o[0] + s[0]); x++) {
                                    long v = getBits(in, x, y, z, c);
                                    if (sparse && v == fillBits) continue;
                                    vals.add(v);
                                }
                        long r = vals.isEmpty() ? fillBits : reduce(t, method, vals);
                        setBits(out, r, px, py, pz, c);
                    }
        return out;
    }

    static Comparator<Long> order(DataType t) {
        return switch (t) {
            case INT8, INT16, INT32, INT64 -> Comparator.comparingLong(v -> signed(t, v));
            case FLOAT32 -> (a, b) -> Float.compare(Float.intBitsToFloat((int) (long) a), Float.intBitsToFloat((int) (long) b));
            case FLOAT64 -> (a, b) -> Double.compare(Double.longBitsToDouble(a), Double.longBitsToDouble(b));
            default -> Long::compareUnsigned;
        };
    }

    static long signed(DataType t, long v) {
        return switch (t) {
            case INT8 -> (byte) v;
            case INT16 -> (short) v;
            case INT32 -> (int) v;
            default -> v;
        };
    }

    private static long reduce(DataType t, DownsampleMethod m, List<Long> vals) {
        if (m == DownsampleMethod.MEAN && t == DataType.BOOL) m = DownsampleMethod.MODE;
        Comparator<Long> cmp = order(t);
        switch (m) {
            case MIN:
                return vals.stream().min(cmp).orElseThrow();
            case MAX:
                return vals.stream().max(cmp).orElseThrow();
            case MEDIAN: {
                List<Long> sorted = new ArrayList<>(vals);
                sorted.sort(cmp);
                return sorted.get((sorted.size() - 1) / 2);
            }
            case MODE: {
                Map<Long, Integer> counts = new HashMap<>();
                for (long v : vals) counts.merge(v, 1, Integer::sum);
                long best = 0;
                int bestCount = -1;
                for (var e : counts.entrySet()) {
                    if (e.getValue() > bestCount || (e.getValue() == bestCount && cmp.compare(e.getKey(), best) < 0)) {
                        best = e.getKey();
                        bestCount = e.getValue();
                    }
                }
                return best;
            }
            default:
                break;
        }
        if (t == DataType.FLOAT32 || t == DataType.FLOAT64) {
            double sum = 0; // in the block's x-fastest order, as the issue fixes it
            for (long v : vals) sum += t == DataType.FLOAT32 ? Float.intBitsToFloat((int) v) : Double.longBitsToDouble(v);
            double mean = sum / vals.size();
            return t == DataType.FLOAT32 ? Float.floatToRawIntBits((float) mean) & 0xffff_ffffL : Double.doubleToRawLongBits(mean);
        }
        BigInteger sum = BigInteger.ZERO;
        for (long v : vals) {
            sum = sum.add(t.isSigned() ? BigInteger.valueOf(signed(t, v)) : new BigInteger(Long.toUnsignedString(v)));
        }
        BigInteger mean = new BigDecimal(sum).divide(BigDecimal.valueOf(vals.size()), 0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        return mean.longValue();
    }

    private static final java.lang.foreign.ValueLayout.OfShort S = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt I = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfLong L = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The element's bits, zero-extended. */
    public static long getBits(NdView v, long... c) {
        long p = v.byteIndex(c);
        return switch (v.dataType().size()) {
            case 1 -> v.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, p) & 0xffL;
            case 2 -> v.segment().get(S, p) & 0xffffL;
            case 4 -> v.segment().get(I, p) & 0xffff_ffffL;
            default -> v.segment().get(L, p);
        };
    }

    public static void setBits(NdView v, long bits, long... c) {
        long p = v.byteIndex(c);
        switch (v.dataType().size()) {
            case 1 -> v.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, p, (byte) bits);
            case 2 -> v.segment().set(S, p, (short) bits);
            case 4 -> v.segment().set(I, p, (int) bits);
            default -> v.segment().set(L, p, bits);
        }
    }
}
