package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The pure-Java twin of {@code ba_downsample} (native/src/downsample.c), step for step: elements
 * become unsigned 64-bit keys that order like the values (signed: sign bit flipped; floats: IEEE
 * total order), mode/median/min/max work on keys, integer means are exact (128-bit for 64-bit
 * types) and rounded half to even, float means are summed in double in x-fastest block order.
 * Full blocks of the hot cases (mean uint8, mode of 32/64-bit labels at 2,2,1 and 2,2,2) take a
 * fast path. Thread-safe (scratch is per call).
 */
final class JavaDownsampleKernel implements DownsampleKernel {
    private static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int U8 = 0, I8 = 1, I16 = 3, U32 = 4, I32 = 5, U64 = 6, I64 = 7, F32 = 8, F64 = 9, BOOL = 10;

    @Override
    public String name() {
        return "java";
    }

    /** One call's geometry and settings. */
    private static final class Ctx {
        int dtype, method, es;
        boolean sparse;
        long fill;
        long[] n = new long[3], m = new long[3], f, ph;
        long[] scratch;
    }

    @Override
    public void downsample(MemorySegment in, long[] inShape, int dtype, int method, boolean sparse, long fill,
                           long[] factor, long[] phase, MemorySegment out) {
        long[] m = DownsampleChecks.check(in, inShape, dtype, method, factor, phase, out);
        if (m == null) return;
        Ctx c = new Ctx();
        c.dtype = dtype;
        c.method = method == MEAN && dtype == BOOL ? MODE : method;
        c.es = DownsampleChecks.elementSize(dtype);
        c.sparse = sparse;
        c.fill = c.es == 8 ? fill : fill & ((1L << (8 * c.es)) - 1);
        c.f = factor.clone();
        c.ph = phase.clone();
        for (int d = 0; d < 3; d++) {
            c.n[d] = inShape[d];
            c.m[d] = m[d];
        }
        if (c.method == MODE || c.method == MEDIAN) {
            long block = Math.multiplyExact(Math.multiplyExact(factor[0], factor[1]), factor[2]);
            if (block > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("downsample: block " + Arrays.toString(factor) + " is too large for the Java kernel");
            c.scratch = new long[(int) block];
        }
        long inChan = c.n[0] * c.n[1] * c.n[2] * c.es, outChan = m[0] * m[1] * m[2] * c.es;
        for (long ch = 0; ch < inShape[3]; ch++) channel(c, in, ch * inChan, out, ch * outChan);
    }

    private static long load(MemorySegment s, long off, int es) {
        return switch (es) {
            case 1 -> s.get(B, off) & 0xffL;
            case 2 -> s.get(S, off) & 0xffffL;
            case 4 -> s.get(I, off) & 0xffff_ffffL;
            default -> s.get(L, off);
        };
    }

    private static void store(MemorySegment s, long off, int es, long v) {
        switch (es) {
            case 1 -> s.set(B, off, (byte) v);
            case 2 -> s.set(S, off, (short) v);
            case 4 -> s.set(I, off, (int) v);
            default -> s.set(L, off, v);
        }
    }

    /** Order-preserving map from an element's bits to an unsigned key (as to_key in C). */
    static long toKey(int dt, long raw) {
        return switch (dt) {
            case I8 -> (long) (byte) raw ^ Long.MIN_VALUE;
            case I16 -> (long) (short) raw ^ Long.MIN_VALUE;
            case I32 -> (long) (int) raw ^ Long.MIN_VALUE;
            case I64 -> raw ^ Long.MIN_VALUE;
            case F32 -> {
                int b = (int) raw;
                yield b < 0 ? (~b) & 0xffff_ffffL : (b | 0x8000_0000) & 0xffff_ffffL;
            }
            case F64 -> raw < 0 ? ~raw : raw | Long.MIN_VALUE;
            default -> raw;
        };
    }

    static long fromKey(int dt, long k) {
        return switch (dt) {
            case I8 -> (k ^ Long.MIN_VALUE) & 0xffL;
            case I16 -> (k ^ Long.MIN_VALUE) & 0xffffL;
            case I32 -> (k ^ Long.MIN_VALUE) & 0xffff_ffffL;
            case I64 -> k ^ Long.MIN_VALUE;
            case F32 -> {
                int b = (int) k;
                yield b < 0 ? (b ^ 0x8000_0000) & 0xffff_ffffL : (~b) & 0xffff_ffffL;
            }
            case F64 -> k < 0 ? k ^ Long.MIN_VALUE : ~k;
            default -> k;
        };
    }

    private static double asDouble(int dt, long raw) {
        return dt == F32 ? Float.intBitsToFloat((int) raw) : Double.longBitsToDouble(raw);
    }

    private static long doubleBits(int dt, double d) {
        return dt == F32 ? Float.floatToRawIntBits((float) d) & 0xffff_ffffL : Double.doubleToRawLongBits(d);
    }

    /** The value of a ≤ 32-bit integer element as a long (sign- or zero-extended). */
    private static long smallValue(int dt, long raw) {
        return switch (dt) {
            case I8 -> (byte) raw;
            case I16 -> (short) raw;
            case I32 -> (int) raw;
            default -> raw;
        };
    }

    /** Round {@code sum / n} to nearest, ties to even (floor-based, for negative sums too). */
    private static long roundMean(long sum, long n) {
        long q = Math.floorDiv(sum, n), r = Math.floorMod(sum, n);
        if (2 * r > n || (2 * r == n && (q & 1) != 0)) q++;
        return q;
    }

    /** Round the unsigned 128-bit {@code hi:lo / n} to nearest, ties to even; the result fits 64 bits. */
    private static long roundMean128(long hi, long lo, long n) {
        long q, r;
        if (n < (1L << 31)) {
            long rh = Long.remainderUnsigned(hi, n); // hi / n is 0: the mean of 64-bit keys fits 64 bits
            long t = (rh << 32) | (lo >>> 32);
            long q1 = t / n, r1 = t % n;
            long t2 = (r1 << 32) | (lo & 0xffff_ffffL);
            q = (q1 << 32) | (t2 / n);
            r = t2 % n;
        } else {
            BigInteger s = new BigInteger(Long.toUnsignedString(hi)).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
            BigInteger[] qr = s.divideAndRemainder(BigInteger.valueOf(n));
            q = qr[0].longValue();
            r = qr[1].longValue();
        }
        if (Long.compareUnsigned(2 * r, n) > 0 || (2 * r == n && (q & 1) != 0)) q++;
        return q;
    }

    private static long generalBlock(Ctx c, MemorySegment in, long base, long[] lo, long[] hi) {
        int es = c.es, dt = c.dtype, method = c.method;
        long nx = c.n[0], nxy = c.n[0] * c.n[1];
        boolean fl = dt == F32 || dt == F64, wide = es == 8;
        int count = 0;
        long sum = 0, hiSum = 0;
        double dsum = 0;
        long kmin = -1, kmax = 0;
        for (long z = lo[2]; z < hi[2]; z++) {
            for (long y = lo[1]; y < hi[1]; y++) {
                long row = base + (z * nxy + y * nx) * es;
                for (long x = lo[0]; x < hi[0]; x++) {
                    long raw = load(in, row + x * es, es);
                    if (c.sparse && raw == c.fill) continue;
                    switch (method) {
                        case MEAN -> {
                            if (fl) {
                                dsum += asDouble(dt, raw);
                            } else if (wide) {
                                long k = toKey(dt, raw);
                                long s2 = sum + k;
                                if (Long.compareUnsigned(s2, k) < 0) hiSum++;
                                sum = s2;
                            } else {
                                sum += smallValue(dt, raw);
                            }
                        }
                        case MIN -> {
                            long k = toKey(dt, raw);
                            if (Long.compareUnsigned(k, kmin) < 0) kmin = k;
                        }
                        case MAX -> {
                            long k = toKey(dt, raw);
                            if (Long.compareUnsigned(k, kmax) > 0) kmax = k;
                        }
                        default -> c.scratch[count] = toKey(dt, raw) ^ Long.MIN_VALUE; // signed order = unsigned key order
                    }
                    count++;
                }
            }
        }
        if (count == 0) return c.fill;
        return switch (method) {
            case MEAN -> fl ? doubleBits(dt, dsum / count)
                    : wide ? fromKey(dt, roundMean128(hiSum, sum, count)) : roundMean(sum, count) & ((1L << (8 * es)) - 1);
            case MIN -> fromKey(dt, kmin);
            case MAX -> fromKey(dt, kmax);
            case MEDIAN -> {
                Arrays.sort(c.scratch, 0, count);
                yield fromKey(dt, c.scratch[(count - 1) / 2] ^ Long.MIN_VALUE);
            }
            default -> {
                Arrays.sort(c.scratch, 0, count);
                yield fromKey(dt, modeSorted(c.scratch, count) ^ Long.MIN_VALUE);
            }
        };
    }

    /** The longest run of equal values in sorted {@code v[0..n)}; the first (lowest) wins ties. */
    private static long modeSorted(long[] v, int n) {
        long best = v[0];
        int bestCount = 0;
        for (int i = 0; i < n;) {
            int j = i + 1;
            while (j < n && v[j] == v[i]) j++;
            if (j - i > bestCount) {
                bestCount = j - i;
                best = v[i];
            }
            i = j;
        }
        return best;
    }

    /** Mode of a few keys (ties: the lowest), without sorting: each pair compared once. */
    private static long modeSmall(long[] v, int n) {
        boolean all = true;
        for (int i = 1; i < n; i++) all &= v[i] == v[0];
        if (all) return v[0];
        int[] c = {1, 1, 1, 1, 1, 1, 1, 1};
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (v[i] == v[j]) {
                    c[i]++;
                    c[j]++;
                }
            }
        }
        long best = v[0];
        int bestCount = c[0];
        for (int i = 1; i < n; i++) {
            if (c[i] > bestCount || (c[i] == bestCount && Long.compareUnsigned(v[i], best) < 0)) {
                bestCount = c[i];
                best = v[i];
            }
        }
        return best;
    }

    private static int fastKind(Ctx c) {
        if (c.sparse || c.f[0] != 2 || c.f[1] != 2 || (c.f[2] != 1 && c.f[2] != 2)) return 0;
        if (c.method == MEAN && c.dtype == U8) return 1;
        if (c.method == MODE && (c.dtype == U32 || c.dtype == U64 || c.dtype == I32 || c.dtype == I64)) return 2;
        return 0;
    }

    private static void blockRange(Ctx c, int d, long j, long[] lo, long[] hi) {
        long s = j * c.f[d] - c.ph[d], e = s + c.f[d];
        lo[d] = Math.max(0, s);
        hi[d] = Math.min(c.n[d], e);
    }

    private static void channel(Ctx c, MemorySegment in, long inBase, MemorySegment out, long outBase) {
        int es = c.es;
        int fast = fastKind(c);
        long fullLo = c.ph[0] > 0 ? 1 : 0;
        long fullHi = Math.max(fullLo, (c.ph[0] + c.n[0]) / c.f[0]);
        long[] lo = new long[3], hi = new long[3];
        long[] rows = new long[4];
        long[] keys = new long[8];
        for (long jz = 0; jz < c.m[2]; jz++) {
            blockRange(c, 2, jz, lo, hi);
            for (long jy = 0; jy < c.m[1]; jy++) {
                blockRange(c, 1, jy, lo, hi);
                long orow = outBase + (jz * c.m[1] + jy) * c.m[0] * es;
                long skipLo = 0, skipHi = 0;
                if (fast != 0 && hi[1] - lo[1] == 2 && hi[2] - lo[2] == c.f[2] && fullHi > fullLo) {
                    int nrows = 0;
                    for (long z = lo[2]; z < hi[2]; z++) {
                        for (long y = lo[1]; y < hi[1]; y++) rows[nrows++] = inBase + ((z * c.n[1] + y) * c.n[0]) * es;
                    }
                    long x0 = fullLo * 2 - c.ph[0];
                    if (fast == 1) meanU8Row(in, rows, nrows, x0, out, orow + fullLo, fullHi - fullLo);
                    else modeLabelRow(c, in, rows, nrows, x0, out, orow + fullLo * es, fullHi - fullLo, keys);
                    skipLo = fullLo;
                    skipHi = fullHi;
                }
                for (long jx = 0; jx < c.m[0]; jx++) {
                    if (jx == skipLo && skipHi > skipLo) {
                        jx = skipHi - 1;
                        continue;
                    }
                    blockRange(c, 0, jx, lo, hi);
                    store(out, orow + jx * es, es, generalBlock(c, in, inBase, lo, hi));
                }
            }
        }
    }

    private static void meanU8Row(MemorySegment in, long[] rows, int nrows, long x0, MemorySegment out, long o, long count) {
        if (nrows == 4) {
            long r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];
            for (long j = 0; j < count; j++) {
                long x = x0 + 2 * j;
                int s = (in.get(B, r0 + x) & 0xff) + (in.get(B, r0 + x + 1) & 0xff) + (in.get(B, r1 + x) & 0xff) + (in.get(B, r1 + x + 1) & 0xff)
                        + (in.get(B, r2 + x) & 0xff) + (in.get(B, r2 + x + 1) & 0xff) + (in.get(B, r3 + x) & 0xff) + (in.get(B, r3 + x + 1) & 0xff);
                out.set(B, o + j, (byte) ((s + 3 + ((s >> 3) & 1)) >> 3));
            }
        } else {
            long r0 = rows[0], r1 = rows[1];
            for (long j = 0; j < count; j++) {
                long x = x0 + 2 * j;
                int s = (in.get(B, r0 + x) & 0xff) + (in.get(B, r0 + x + 1) & 0xff) + (in.get(B, r1 + x) & 0xff) + (in.get(B, r1 + x + 1) & 0xff);
                out.set(B, o + j, (byte) ((s + 1 + ((s >> 2) & 1)) >> 2));
            }
        }
    }

    private static void modeLabelRow(Ctx c, MemorySegment in, long[] rows, int nrows, long x0, MemorySegment out, long o, long count, long[] v) {
        int es = c.es, dt = c.dtype;
        for (long j = 0; j < count; j++) {
            long x = x0 + 2 * j;
            for (int r = 0; r < nrows; r++) {
                v[2 * r] = toKey(dt, load(in, rows[r] + x * es, es));
                v[2 * r + 1] = toKey(dt, load(in, rows[r] + (x + 1) * es, es));
            }
            store(out, o + j * es, es, fromKey(dt, modeSmall(v, 2 * nrows)));
        }
    }
}
