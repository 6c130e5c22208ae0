package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;

/**
 * The {@code compresso} segmentation format (seung-lab/compresso, format versions 0 and 1, as
 * CloudVolume writes it), pure Java: the twin of libbigarrays' {@code ba_cpso_*}.
 *
 * <p>Stream (all integers little-endian):
 * <pre>
 *  0  'cpso'            magic
 *  4  format_version u8 0, or 1 = with a per-slice index at the end (connectivity 4 only)
 *  5  data_width     u8 label bytes: 1, 2, 4, 8
 *  6  sx, sy, sz    u16 chunk shape
 * 12  xstep, ystep, zstep u8  boundary window (product 1..64; CloudVolume: 4x4x1, else 8x8x1)
 * 15  id_size       u64 labels, one per connected component
 * 23  value_size    u32 distinct windows
 * 27  location_size u64 location entries
 * 35  connectivity   u8 4 (2-D components per z slice) or 6 (3-D)
 * 36  ids[id_size] (label width), window values[value_size] (window width: 1, 2, 4 or 8 bytes for
 *     step products up to 8, 16, 32, 64), locations[location_size] (label width), run-length
 *     coded windows (window width, the rest of the stream), and for version 1 the index:
 *     sz per-slice component counts, then sz per-slice location counts (the first 0), each
 *     1, 2, 4 or 8 bytes as 2*sx*sy is below 2^8-1, 2^16-1, 2^32-1 or not.
 * </pre>
 * A voxel is a boundary when its label differs from its +x or +y neighbour's (or +z with
 * connectivity 6). Each block of the step grid has a bitmask of its boundary voxels (bit
 * {@code x + xstep*(y + ystep*z)} within the block); the masks are replaced by their index
 * among the sorted distinct masks (the values), and that index sequence is run-length coded: an
 * odd entry {@code 2n+1} is n blocks of index 0, an even entry {@code 2i} one block of index i.
 * Non-boundary voxels form connected components (4-connected within a slice, or 6-connected),
 * numbered from 1 in the raster order (x fastest, then y, z) of their first voxel; component k
 * has label {@code ids[k-1]}. Boundary voxels, in raster order, take the label of their -x, else
 * -y (else -z with connectivity 6) neighbour if that one is not a boundary; otherwise the next
 * location says: 0..5 copy the -x, +x, -y, +y, -z, +z neighbour, 6 the next entry is the label,
 * and v >= 7 means label v - 7.
 *
 * <p>The decoder is strict where the format leaves no choice to an encoder: the header must
 * describe the expected shape and label width, the runs must cover exactly the block grid, the
 * component count must equal {@code id_size}, every location must be used, a forward copy (+x,
 * +y, +z) must point at a non-boundary voxel (else it would read an undecoded one), and a
 * version-1 index must agree with the decoded slices. Anything else is a
 * {@link CorruptChunkException}; nothing is read outside the input or written outside the
 * output. The encoder reproduces {@code compresso.compress(labels)} with its defaults
 * (steps 4x4x1, falling back to 8x8x1 when there are more distinct windows than 16-bit runs can
 * index; connectivity 4; version 1) byte for byte.
 */
public final class CompressoFormat {
    static final int HEADER = 36;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The format stores each extent in 16 bits. */
    public static final int MAX_EXTENT = 0xFFFF;

    private CompressoFormat() {}

    /** Bytes per window (bitmask) for a step product of 1..64. */
    static int windowWidth(int stepProduct) {
        return stepProduct <= 8 ? 1 : stepProduct <= 16 ? 2 : stepProduct <= 32 ? 4 : 8;
    }

    /**
     * Bytes per version-1 index entry. compresso computes 2*sx*sy in C int arithmetic, which is
     * the same as this for every slice below 2^31 voxels (larger ones are outside any real chunk).
     */
    static int indexWidth(long sx, long sy) {
        long worst = 2 * sx * sy;
        return worst < 0xFFL ? 1 : worst < 0xFFFFL ? 2 : worst < 0xFFFFFFFFL ? 4 : 8;
    }

    /**
     * The most bytes a valid stream for a chunk of {@code shape} with {@code width}-byte labels
     * can take, for any steps: ids plus locations at most 2 entries per voxel (a component per
     * non-boundary voxel, two entries per boundary voxel), at most one window value and one run
     * entry per block, the header and the index.
     */
    public static long maxEncodedSize(long[] shape, int width) {
        long voxels = shape[0] * shape[1] * shape[2];
        long windows = 0;
        for (int xs = 1; xs <= 64; xs++) {
            for (int ys = 1; xs * ys <= 64; ys++) {
                for (int zs = 1; xs * ys * zs <= 64; zs++) {
                    long blocks = ceilDiv(shape[0], xs) * ceilDiv(shape[1], ys) * ceilDiv(shape[2], zs);
                    windows = Math.max(windows, 2 * blocks * windowWidth(xs * ys * zs));
                }
            }
        }
        return HEADER + 2 * voxels * width + windows + 16 * shape[2];
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ---- label access (width 1, 2, 4 or 8 bytes, unsigned, little-endian) ----

    static long get(MemorySegment s, long byteOffset, int width) {
        return switch (width) {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, byteOffset) & 0xFFL;
            case 2 -> s.get(U16, byteOffset) & 0xFFFFL;
            case 4 -> s.get(U32, byteOffset) & 0xFFFFFFFFL;
            default -> s.get(U64, byteOffset);
        };
    }

    static void set(MemorySegment s, long byteOffset, int width, long v) {
        switch (width) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, byteOffset, (byte) v);
            case 2 -> s.set(U16, byteOffset, (short) v);
            case 4 -> s.set(U32, byteOffset, (int) v);
            default -> s.set(U64, byteOffset, v);
        }
    }

    // ---- decoder ----

    /**
     * Decode {@code in} into {@code out} (Fortran order, {@code width}-byte labels, at least
     * {@code shape} product x width bytes; only those are written).
     * @throws CorruptChunkException naming {@code key} when the bytes are not a compresso stream
     *     of {@code shape} and {@code width}, or are inconsistent
     */
    public static void decode(MemorySegment in, long[] shape, int width, MemorySegment out, String key) {
        long n = in.byteSize();
        if (n < HEADER) throw corrupt(key, "data of " + n + " bytes is shorter than the 36-byte header");
        if (in.get(ValueLayout.JAVA_BYTE, 0) != 'c' || in.get(ValueLayout.JAVA_BYTE, 1) != 'p'
                || in.get(ValueLayout.JAVA_BYTE, 2) != 's' || in.get(ValueLayout.JAVA_BYTE, 3) != 'o') {
            throw corrupt(key, "magic is not 'cpso'");
        }
        int version = (int) get(in, 4, 1);
        if (version > 1) throw corrupt(key, "format version " + version + " (supported: 0, 1)");
        int dataWidth = (int) get(in, 5, 1);
        if (dataWidth != width) throw corrupt(key, "labels of " + dataWidth + " bytes, expected " + width);
        int sx = (int) get(in, 6, 2), sy = (int) get(in, 8, 2), sz = (int) get(in, 10, 2);
        if (sx != shape[0] || sy != shape[1] || sz != shape[2]) {
            throw corrupt(key, "shape " + sx + "x" + sy + "x" + sz + ", expected " + shape[0] + "x" + shape[1] + "x" + shape[2]);
        }
        int xs = (int) get(in, 12, 1), ys = (int) get(in, 13, 1), zs = (int) get(in, 14, 1);
        int stepProduct = xs * ys * zs;
        if (stepProduct < 1 || stepProduct > 64) throw corrupt(key, "steps " + xs + "x" + ys + "x" + zs + " (each >= 1, product <= 64)");
        long idSize = get(in, 15, 8), valueSize = get(in, 23, 4), locSize = get(in, 27, 8);
        int conn = (int) get(in, 35, 1);
        if (conn != 4 && conn != 6) throw corrupt(key, "connectivity " + conn + " (expected 4 or 6)");
        if (version == 1 && conn == 6) throw corrupt(key, "format version 1 (z index) with connectivity 6");
        int ww = windowWidth(stepProduct);
        int iw = version == 1 ? indexWidth(sx, sy) : 0;
        // Sections in order, each checked against what is left before its size is used (no overflow:
        // counts are compared with bytes / width).
        long rest = n - HEADER;
        if (idSize < 0 || idSize > rest / width) throw corrupt(key, "id_size " + Long.toUnsignedString(idSize) + " runs past the end (" + n + " bytes)");
        rest -= idSize * width;
        if (valueSize > rest / ww) throw corrupt(key, "value_size " + valueSize + " runs past the end (" + n + " bytes)");
        rest -= valueSize * ww;
        if (locSize < 0 || locSize > rest / width) throw corrupt(key, "location_size " + Long.toUnsignedString(locSize) + " runs past the end (" + n + " bytes)");
        rest -= locSize * width;
        long indexBytes = 2L * sz * iw;
        if (indexBytes > rest) throw corrupt(key, "no room for the " + indexBytes + "-byte z index (" + rest + " bytes left)");
        rest -= indexBytes;
        if (rest % ww != 0) throw corrupt(key, "windows section of " + rest + " bytes is not a whole number of " + ww + "-byte windows");
        if (valueSize == 0) throw corrupt(key, "no window values");
        if (valueSize > Integer.MAX_VALUE - 8) throw corrupt(key, "value_size " + valueSize + " is more than any chunk has blocks");
        long voxelsL = (long) sx * sy * sz;
        if (voxelsL > Integer.MAX_VALUE - 8) throw new InvalidInputException("compresso: a chunk of " + voxelsL + " voxels is too large for the Java decoder");
        int voxels = (int) voxelsL;
        long idsAt = HEADER, valuesAt = idsAt + idSize * width, locsAt = valuesAt + valueSize * ww, winAt = locsAt + locSize * width;
        long indexAt = n - indexBytes;

        // Runs → one value index per block.
        int nx = (sx + xs - 1) / xs, ny = (sy + ys - 1) / ys, nz = (sz + zs - 1) / zs;
        int blocks = nx * ny * nz;
        int[] window = new int[blocks];
        long b = 0;
        for (long p = winAt; p < indexAt; p += ww) {
            long e = get(in, p, ww);
            long v = e >>> 1;
            if ((e & 1) != 0) {
                // A run of index-0 blocks; compresso never writes an empty run.
                if (v == 0 || v > blocks - b) throw corrupt(key, "run of " + Long.toUnsignedString(v) + " blocks at block " + b + " of " + blocks);
                b += v;
            } else {
                if (b >= blocks) throw corrupt(key, "windows run past the " + blocks + " blocks");
                if (v >= valueSize) throw corrupt(key, "window index " + v + " is past the " + valueSize + " values");
                window[(int) b++] = (int) v;
            }
        }
        if (b != blocks) throw corrupt(key, "windows cover " + b + " of " + blocks + " blocks");

        // Boundary bits.
        long[] values = new long[(int) valueSize];
        for (int i = 0; i < values.length; i++) values[i] = get(in, valuesAt + (long) i * ww, ww);
        byte[] boundary = new byte[voxels];
        int sxy = sx * sy;
        for (int z = 0, i = 0; z < sz; z++) {
            int zb = nx * ny * (z / zs), zo = xs * ys * (z % zs);
            for (int y = 0; y < sy; y++) {
                int yb = zb + nx * (y / ys), yo = zo + xs * (y % ys);
                for (int x = 0; x < sx; x++, i++) {
                    boundary[i] = (byte) ((values[window[yb + x / xs]] >>> (yo + x % xs)) & 1);
                }
            }
        }
        window = null;

        int[] comp = new int[voxels];
        int[] perSlice = new int[sz];
        int components = components(boundary, sx, sy, sz, conn == 6, comp, perSlice);
        if (components != idSize) throw corrupt(key, components + " connected components, but " + idSize + " ids");

        for (int i = 0; i < voxels; i++) {
            int c = comp[i];
            set(out, (long) i * width, width, c == 0 ? 0 : get(in, idsAt + (long) (c - 1) * width, width));
        }
        comp = null;

        long li = 0; // next location
        long[] locStart = new long[sz];
        for (int z = 0, i = 0; z < sz; z++) {
            locStart[z] = li;
            for (int y = 0; y < sy; y++) {
                for (int x = 0; x < sx; x++, i++) {
                    if (boundary[i] == 0) continue;
                    int from;
                    if (x > 0 && boundary[i - 1] == 0) from = i - 1;
                    else if (y > 0 && boundary[i - sx] == 0) from = i - sx;
                    else if (conn == 6 && z > 0 && boundary[i - sxy] == 0) from = i - sxy;
                    else {
                        if (li >= locSize) throw corrupt(key, "locations run out at voxel " + x + "," + y + "," + z);
                        long c = get(in, locsAt + li++ * width, width);
                        // Forward copies must name a non-boundary voxel: a boundary one is not decoded yet.
                        from = switch (c >= 0 && c <= 6 ? (int) c : 7) {
                            case 0 -> x > 0 ? i - 1 : -1;
                            case 1 -> x < sx - 1 && boundary[i + 1] == 0 ? i + 1 : -1;
                            case 2 -> y > 0 ? i - sx : -1;
                            case 3 -> y < sy - 1 && boundary[i + sx] == 0 ? i + sx : -1;
                            case 4 -> z > 0 ? i - sxy : -1;
                            case 5 -> z < sz - 1 && boundary[i + sxy] == 0 ? i + sxy : -1;
                            default -> -2;
                        };
                        if (from == -1) throw corrupt(key, "location " + c + " at voxel " + x + "," + y + "," + z + " points outside the chunk or at an undecoded voxel");
                        if (from == -2) {
                            long v;
                            if (c == 6) {
                                if (li >= locSize) throw corrupt(key, "locations end inside a literal label");
                                v = get(in, locsAt + li++ * width, width);
                            } else {
                                v = c - 7;
                            }
                            set(out, (long) i * width, width, v);
                            continue;
                        }
                    }
                    set(out, (long) i * width, width, get(out, (long) from * width, width));
                }
            }
        }
        if (li != locSize) throw corrupt(key, "uses " + li + " of " + locSize + " locations");
        if (version == 1) {
            for (int z = 0; z < sz; z++) {
                long count = get(in, indexAt + (long) z * iw, iw);
                long locs = get(in, indexAt + (long) (sz + z) * iw, iw);
                long expect = z == 0 ? locStart[0] : locStart[z] - locStart[z - 1];
                if (count != perSlice[z] || locs != expect) throw corrupt(key, "z index disagrees with slice " + z);
            }
        }
    }

    private static CorruptChunkException corrupt(String key, String detail) {
        return new CorruptChunkException(key, "compresso: " + detail);
    }

    /**
     * Connected components of the non-boundary voxels (4-connected per z slice, or 6-connected),
     * numbered from 1 by the raster position of their first voxel, as compresso's two-pass labelling
     * numbers them; a flood fill from each first voxel gives that order directly.
     * @return the number of components; {@code perSlice[z]} gets those first met in slice z
     */
    static int components(byte[] boundary, int sx, int sy, int sz, boolean six, int[] comp, int[] perSlice) {
        int sxy = sx * sy;
        int[] stack = new int[six ? boundary.length : sxy];
        int next = 0;
        for (int z = 0, i = 0; z < sz; z++) {
            int before = next;
            for (int j = 0; j < sxy; j++, i++) {
                if (boundary[i] != 0 || comp[i] != 0) continue;
                int label = ++next;
                comp[i] = label;
                int top = 0;
                stack[top++] = i;
                while (top > 0) {
                    int p = stack[--top];
                    int r = p % sxy, x = r % sx, y = r / sx, pz = p / sxy;
                    if (x > 0 && boundary[p - 1] == 0 && comp[p - 1] == 0) { comp[p - 1] = label; stack[top++] = p - 1; }
                    if (x < sx - 1 && boundary[p + 1] == 0 && comp[p + 1] == 0) { comp[p + 1] = label; stack[top++] = p + 1; }
                    if (y > 0 && boundary[p - sx] == 0 && comp[p - sx] == 0) { comp[p - sx] = label; stack[top++] = p - sx; }
                    if (y < sy - 1 && boundary[p + sx] == 0 && comp[p + sx] == 0) { comp[p + sx] = label; stack[top++] = p + sx; }
                    if (six) {
                        if (pz > 0 && boundary[p - sxy] == 0 && comp[p - sxy] == 0) { comp[p - sxy] = label; stack[top++] = p - sxy; }
                        if (pz < sz - 1 && boundary[p + sxy] == 0 && comp[p + sxy] == 0) { comp[p + sxy] = label; stack[top++] = p + sxy; }
                    }
                }
            }
            perSlice[z] = next - before;
        }
        return next;
    }

    // ---- encoder ----

    /**
     * Encode a chunk of {@code shape} (Fortran order, {@code width}-byte labels) as
     * {@code compresso.compress} does by default: connectivity 4, version 1, steps 4x4x1 or 8x8x1.
     * @throws InvalidInputException when an extent exceeds 65535 (the format's 16 bits)
     */
    public static MemorySegment encode(MemorySegment in, long[] shape, int width) {
        return encode(in, shape, width, null, 4, true);
    }

    /**
     * Encode with compresso's other settings too (tests use them to reach every decoder path).
     * @param steps the window steps, or null for 4x4x1 falling back to 8x8x1
     * @param connectivity 4 or 6
     * @param zIndex version 1 (with the per-slice index; connectivity 4 only) rather than 0
     */
    static MemorySegment encode(MemorySegment in, long[] shape, int width, int[] steps, int connectivity, boolean zIndex) {
        if (connectivity != 4 && connectivity != 6) throw new IllegalArgumentException("compresso: connectivity " + connectivity);
        if (connectivity == 6 && zIndex) throw new IllegalArgumentException("compresso: the z index needs connectivity 4");
        if (steps != null && (steps[0] < 1 || steps[1] < 1 || steps[2] < 1 || steps[0] * steps[1] * steps[2] > 64)) {
            throw new IllegalArgumentException("compresso: steps " + Arrays.toString(steps));
        }
        for (int d = 0; d < 3; d++) {
            if (shape[d] < 1 || shape[d] > MAX_EXTENT) {
                throw new InvalidInputException("compresso stores chunk extents of 1.." + MAX_EXTENT + ", found " + Arrays.toString(shape));
            }
        }
        long voxelsL = shape[0] * shape[1] * shape[2];
        if (voxelsL > Integer.MAX_VALUE - 8) throw new InvalidInputException("compresso: a chunk of " + voxelsL + " voxels is too large for the Java encoder");
        int sx = (int) shape[0], sy = (int) shape[1], sz = (int) shape[2], sxy = sx * sy, voxels = (int) voxelsL;
        boolean six = connectivity == 6;

        byte[] boundary = new byte[voxels];
        for (int z = 0, i = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                for (int x = 0; x < sx; x++, i++) {
                    long v = get(in, (long) i * width, width);
                    if ((x < sx - 1 && v != get(in, (long) (i + 1) * width, width))
                            || (y < sy - 1 && v != get(in, (long) (i + sx) * width, width))
                            || (six && z < sz - 1 && v != get(in, (long) (i + sxy) * width, width))) {
                        boundary[i] = 1;
                    }
                }
            }
        }
        int[] comp = new int[voxels];
        int[] perSlice = new int[sz];
        int components = components(boundary, sx, sy, sz, six, comp, perSlice);
        long[] ids = new long[components];
        for (int i = 0; i < voxels; i++) if (comp[i] != 0) ids[comp[i] - 1] = get(in, (long) i * width, width);
        comp = null;

        // Locations, in compresso's order of preference (with the z index, no -z/+z copies: slices
        // stay independent).
        LongList locations = new LongList(Math.max(16, voxels / 16));
        long[] locStart = new long[sz];
        long max = width == 8 ? -1L : (1L << (8 * width)) - 1;
        for (int z = 0, i = 0; z < sz; z++) {
            locStart[z] = locations.size;
            for (int y = 0; y < sy; y++) {
                for (int x = 0; x < sx; x++, i++) {
                    if (boundary[i] == 0 || (x > 0 && boundary[i - 1] == 0) || (y > 0 && boundary[i - sx] == 0)
                            || (six && z > 0 && boundary[i - sxy] == 0)) {
                        continue;
                    }
                    long v = get(in, (long) i * width, width);
                    if (x < sx - 1 && boundary[i + 1] == 0 && get(in, (long) (i + 1) * width, width) == v) locations.add(1);
                    else if (y < sy - 1 && boundary[i + sx] == 0 && get(in, (long) (i + sx) * width, width) == v) locations.add(3);
                    else if (!zIndex && z > 0 && boundary[i - sxy] == 0 && get(in, (long) (i - sxy) * width, width) == v) locations.add(4);
                    else if (!zIndex && z < sz - 1 && boundary[i + sxy] == 0 && get(in, (long) (i + sxy) * width, width) == v) locations.add(5);
                    else if (Long.compareUnsigned(v, max - 7) > 0) {
                        locations.add(6);
                        locations.add(v);
                    } else {
                        locations.add(v + 7);
                    }
                }
            }
        }

        Windows w;
        if (steps == null) {
            w = windows(boundary, sx, sy, sz, 4, 4, 1);
            if (w == null) w = windows(boundary, sx, sy, sz, 8, 8, 1);
        } else {
            w = windows(boundary, sx, sy, sz, steps[0], steps[1], steps[2]);
            if (w == null) throw new InvalidInputException("compresso: too many distinct windows for steps " + Arrays.toString(steps));
        }

        int iw = zIndex ? indexWidth(sx, sy) : 0;
        long size = HEADER + (long) ids.length * width + (long) w.values.length * w.width + (long) locations.size * width
                + (long) w.runs.size * w.width + 2L * sz * iw;
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) 'c');
        out.set(ValueLayout.JAVA_BYTE, 1, (byte) 'p');
        out.set(ValueLayout.JAVA_BYTE, 2, (byte) 's');
        out.set(ValueLayout.JAVA_BYTE, 3, (byte) 'o');
        set(out, 4, 1, zIndex ? 1 : 0);
        set(out, 5, 1, width);
        set(out, 6, 2, sx);
        set(out, 8, 2, sy);
        set(out, 10, 2, sz);
        set(out, 12, 1, w.steps[0]);
        set(out, 13, 1, w.steps[1]);
        set(out, 14, 1, w.steps[2]);
        set(out, 15, 8, ids.length);
        set(out, 23, 4, w.values.length);
        set(out, 27, 8, locations.size);
        set(out, 35, 1, connectivity);
        long p = HEADER;
        for (long v : ids) { set(out, p, width, v); p += width; }
        for (long v : w.values) { set(out, p, w.width, v); p += w.width; }
        for (int k = 0; k < locations.size; k++) { set(out, p, width, locations.a[k]); p += width; }
        for (int k = 0; k < w.runs.size; k++) { set(out, p, w.width, w.runs.a[k]); p += w.width; }
        if (zIndex) {
            for (int z = 0; z < sz; z++) { set(out, p, iw, perSlice[z]); p += iw; }
            for (int z = 0; z < sz; z++) { set(out, p, iw, z == 0 ? locStart[0] : locStart[z] - locStart[z - 1]); p += iw; }
        }
        return out;
    }

    /** The windows of one step grid: steps, window width, sorted distinct masks and run entries. */
    record Windows(int[] steps, int width, long[] values, LongList runs) {}

    /** The run-length coded windows for these steps, or null when an index exceeds what a run entry holds. */
    static Windows windows(byte[] boundary, int sx, int sy, int sz, int xs, int ys, int zs) {
        int nx = (sx + xs - 1) / xs, ny = (sy + ys - 1) / ys, nz = (sz + zs - 1) / zs;
        int blocks = nx * ny * nz;
        long[] mask = new long[blocks];
        for (int z = 0, i = 0; z < sz; z++) {
            int zb = nx * ny * (z / zs), zo = xs * ys * (z % zs);
            for (int y = 0; y < sy; y++) {
                int yb = zb + nx * (y / ys), yo = zo + xs * (y % ys);
                for (int x = 0; x < sx; x++, i++) {
                    if (boundary[i] != 0) mask[yb + x / xs] |= 1L << (yo + x % xs);
                }
            }
        }
        int width = windowWidth(xs * ys * zs);
        // Unsigned order (masks of 64 bits use the sign bit).
        long[] sorted = mask.clone();
        for (int k = 0; k < blocks; k++) sorted[k] ^= Long.MIN_VALUE;
        Arrays.sort(sorted);
        int distinct = 0;
        for (int k = 0; k < blocks; k++) if (distinct == 0 || sorted[k] != sorted[distinct - 1]) sorted[distinct++] = sorted[k];
        long maxRun = width == 8 ? Long.MAX_VALUE : ((1L << (8 * width)) - 1) / 2;
        if (distinct - 1 > maxRun) return null;
        long[] values = new long[distinct];
        for (int k = 0; k < distinct; k++) values[k] = sorted[k] ^ Long.MIN_VALUE;
        LongList runs = new LongList(Math.max(16, blocks / 4));
        long zeros = 0;
        for (int k = 0; k < blocks; k++) {
            long index = Arrays.binarySearch(sorted, 0, distinct, mask[k] ^ Long.MIN_VALUE);
            if (index == 0) {
                if (++zeros == maxRun) {
                    runs.add((zeros << 1) | 1);
                    zeros = 0;
                }
                continue;
            }
            if (zeros > 0) {
                runs.add((zeros << 1) | 1);
                zeros = 0;
            }
            runs.add(index << 1);
        }
        if (zeros > 0) runs.add((zeros << 1) | 1);
        return new Windows(new int[] {xs, ys, zs}, width, values, runs);
    }

    /** A growable array of longs. */
    static final class LongList {
        long[] a;
        int size;

        LongList(int capacity) {
            a = new long[capacity];
        }

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[size++] = v;
        }
    }
}
