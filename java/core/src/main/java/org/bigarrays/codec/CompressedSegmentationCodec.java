package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.CompressedSegmentation;

/**
 * Neuroglancer's {@code compressed_segmentation} encoding (uint32 and uint64 labels), pure Java.
 *
 * <p>A file starts with one uint32 word per channel: the offset, in words from the start of the
 * file, of that channel's data. A channel is a grid of blocks ({@code blockSize}, x fastest),
 * first one 2-word header per block ({@code tableOffset | bits << 24}, {@code valuesOffset}; offsets
 * in words from the start of the channel), then, block by block, the packed indices (LSB first,
 * {@code bits} in {0,1,2,4,8,16,32}) followed by the block's table of sorted distinct values,
 * unless an identical table was already written in this channel, whose offset is then reused.
 * This reproduces Neuroglancer's and TensorStore's encoders byte for byte.
 *
 * <p>The decoder checks every offset against the data it was given, so malformed bytes raise a
 * {@link CorruptChunkException} and never read outside the input or write outside the output;
 * words after the last one any block uses are trailing bytes, also corruption.
 *
 * <p>When libbigarrays is loaded (and native code not switched off) the C twin does the work
 * ({@link CompressedSegmentation}, same bytes); on malformed input the Java decoder runs again
 * to name what is wrong.
 */
public final class CompressedSegmentationCodec implements ArrayCodec, BoxDecoding {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Offsets in a block header's first word have 24 bits. */
    private static final int MAX_TABLE_OFFSET = (1 << 24) - 1;

    private final int[] blockSize;
    private final boolean useNative;

    /** @param blockSize {@code compressed_segmentation_block_size} [x, y, z], each ≥ 1 */
    public CompressedSegmentationCodec(long[] blockSize) {
        this(blockSize, CompressedSegmentation.available());
    }

    /** The Java codec even when the C one is available: the twin, for tests and benchmarks. */
    public CompressedSegmentationCodec javaOnly() {
        return new CompressedSegmentationCodec(blockSize(), false);
    }

    /** Whether this codec calls the C twin. */
    public boolean usesNative() {
        return useNative;
    }

    private CompressedSegmentationCodec(long[] blockSize, boolean useNative) {
        this.useNative = useNative;
        if (blockSize == null || blockSize.length != 3) {
            throw new FormatException("compressed_segmentation needs compressed_segmentation_block_size [x, y, z], found "
                    + (blockSize == null ? "none" : Arrays.toString(blockSize)));
        }
        this.blockSize = new int[3];
        for (int d = 0; d < 3; d++) {
            if (blockSize[d] < 1 || blockSize[d] > 1024) {
                throw new FormatException("compressed_segmentation_block_size " + Arrays.toString(blockSize)
                        + ": each entry must be between 1 and 1024");
            }
            this.blockSize[d] = (int) blockSize[d];
        }
    }

    @Override
    public String name() {
        return "compressed_segmentation";
    }

    @Override
    public void check(ChunkLayout layout) {
        wordsPerValue(layout.dataType());
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        // Per channel: 2 header words per block, then per block at most 32 bits per voxel and a
        // table of one value per voxel.
        long[] s = layout.shape();
        long blocks = 1, blockVoxels = 1;
        for (int d = 0; d < 3; d++) {
            blocks *= (s[d] + blockSize[d] - 1) / blockSize[d];
            blockVoxels *= blockSize[d];
        }
        long wpv = layout.dataType().size() / 4;
        return 4 * layout.channels() * (1 + blocks * (2 + blockVoxels + blockVoxels * wpv));
    }

    /** The block size [x, y, z]. */
    public long[] blockSize() {
        return new long[] {blockSize[0], blockSize[1], blockSize[2]};
    }

    private static int wordsPerValue(DataType t) {
        return switch (t) {
            case UINT32 -> 1;
            case UINT64 -> 2;
            default -> throw new InvalidInputException("compressed_segmentation stores uint32 or uint64 only, not " + t);
        };
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        int wpv = wordsPerValue(layout.dataType());
        if (useNative) {
            try {
                CompressedSegmentation.decode(encoded, layout.shape(), layout.channels(), blockSize, wpv, into, key);
                return;
            } catch (CorruptChunkException e) {
                // The Java decoder below has the same checks and names the offending block.
            }
        }
        int channels = layout.channels();
        long words = checkedWords(encoded, channels, key);
        long channelBytes = layout.voxels() * layout.dataType().size();
        long end = channels;
        for (int c = 0; c < channels; c++) {
            long off = channelOffset(encoded, c, channels, words, key);
            end = Math.max(end, off + decodeChannel(encoded.asSlice(off * 4), layout.shape(), blockSize, wpv, into.asSlice(c * channelBytes, channelBytes), key));
        }
        if (end != words) {
            throw new CorruptChunkException(key, "compressed_segmentation data ends at word " + end + " of " + words + ": trailing bytes");
        }
    }

    /**
     * Decode one channel (no channel header) of {@code shape} [x, y, z] into {@code out}
     * (Fortran order, {@code wordsPerValue} 1 = uint32, 2 = uint64).
     * @return the words of {@code data} the channel uses (its end, past the last table or values read)
     * @throws CorruptChunkException naming {@code key} on malformed data
     */
    public static long decodeChannel(MemorySegment data, long[] shape, int[] block, int wordsPerValue, MemorySegment out, String key) {
        long vsize = wordsPerValue * 4L;
        if (out.byteSize() < vsize * shape[0] * shape[1] * shape[2]) throw new IllegalArgumentException("output buffer too small");
        return decodeChannel(data, shape, block, wordsPerValue, new long[3], shape,
                out, 0, new long[] {vsize, vsize * shape[0], vsize * shape[0] * shape[1]}, key);
    }

    @Override
    public void decodeBox(MemorySegment encoded, ChunkLayout layout, long[] boxMin, long[] boxShape, MemorySegment dst, long dstOffset,
                          long[] dstStrides, String key) {
        int wpv = wordsPerValue(layout.dataType());
        int channels = layout.channels();
        long[] shape = layout.shape();
        checkBox(shape, channels, wpv * 4, boxMin, boxShape, dst, dstOffset, dstStrides);
        if (useNative) {
            try {
                CompressedSegmentation.decodeBox(encoded, shape, channels, blockSize, wpv, boxMin, boxShape, dst, dstOffset, dstStrides, key);
                return;
            } catch (CorruptChunkException e) {
                // The Java decoder below has the same checks and names the offending block.
            }
        }
        long words = checkedWords(encoded, channels, key);
        boolean whole = true;
        for (int d = 0; d < 3; d++) whole &= boxMin[d] == 0 && boxShape[d] == shape[d];
        long end = channels;
        for (int c = 0; c < channels; c++) {
            long off = channelOffset(encoded, c, channels, words, key);
            end = Math.max(end, off + decodeChannel(encoded.asSlice(off * 4), shape, blockSize, wpv, boxMin, boxShape, dst,
                    dstOffset + c * dstStrides[3], dstStrides, key));
        }
        if (whole && end != words) {
            throw new CorruptChunkException(key, "compressed_segmentation data ends at word " + end + " of " + words + ": trailing bytes");
        }
    }

    /** Refuse a box outside the chunk or a destination box outside {@code dst}, before anything is written (as the C twin). */
    private static void checkBox(long[] shape, int channels, int vsize, long[] boxMin, long[] boxShape, MemorySegment dst, long dstOffset,
                                 long[] dstStrides) {
        if (boxMin.length != 3 || boxShape.length != 3 || dstStrides.length != 4 || dstOffset < 0) {
            throw new IllegalArgumentException("compressed_segmentation: a box needs 3 entries, strides 4 and an offset >= 0, found "
                    + Arrays.toString(boxMin) + ", " + Arrays.toString(boxShape) + ", " + Arrays.toString(dstStrides) + " at " + dstOffset);
        }
        long last = dstOffset;
        for (int k = 0; k < 4; k++) {
            long n = k < 3 ? boxShape[k] : channels;
            if (dstStrides[k] < 0 || n < 1) throw new IllegalArgumentException("compressed_segmentation: negative stride or empty box " + Arrays.toString(boxShape));
            if (k < 3 && (boxMin[k] < 0 || boxMin[k] > shape[k] - n)) {
                throw new IndexOutOfBoundsException("compressed_segmentation: box at " + Arrays.toString(boxMin) + " of " + Arrays.toString(boxShape)
                        + " is not inside the chunk " + Arrays.toString(shape));
            }
            last = Math.addExact(last, Math.multiplyExact(n - 1, dstStrides[k]));
        }
        if (Math.addExact(last, vsize) > dst.byteSize()) {
            throw new IndexOutOfBoundsException("compressed_segmentation: the destination box ends at byte " + (last + vsize) + " of " + dst.byteSize());
        }
    }

    private static long checkedWords(MemorySegment encoded, int channels, String key) {
        long n = encoded.byteSize();
        if (n % 4 != 0) throw new CorruptChunkException(key, "compressed_segmentation data of " + n + " bytes is not a whole number of 32-bit words");
        long words = n / 4;
        if (words < channels) throw new CorruptChunkException(key, "compressed_segmentation data of " + words + " words is shorter than its " + channels + "-channel header");
        return words;
    }

    private static long channelOffset(MemorySegment encoded, int c, int channels, long words, String key) {
        long off = Integer.toUnsignedLong(encoded.get(U32, 4L * c));
        if (off < channels || off > words) {
            throw new CorruptChunkException(key, "compressed_segmentation channel " + c + " offset " + off + " is outside the data (" + words + " words)");
        }
        return off;
    }

    /**
     * Decode the blocks of one channel (no channel header) of {@code shape} that meet the box at
     * {@code lo} of {@code size} into {@code out}: voxel (x, y, z) at {@code base + (x - lo[0]) *
     * s[0] + (y - lo[1]) * s[1] + (z - lo[2]) * s[2]} (the caller checked that this lies inside).
     * @return the words of {@code data} those blocks use (past the last header, table or values read)
     */
    private static long decodeChannel(MemorySegment data, long[] shape, int[] block, int wordsPerValue, long[] lo, long[] size,
                                      MemorySegment out, long base, long[] s, String key) {
        long n = data.byteSize();
        if (n % 4 != 0) throw new CorruptChunkException(key, "compressed_segmentation channel of " + n + " bytes is not a whole number of 32-bit words");
        long words = n / 4;
        int sx = (int) shape[0], sy = (int) shape[1], sz = (int) shape[2];
        int bx = block[0], by = block[1], bz = block[2];
        int gx = ceilDiv(sx, bx), gy = ceilDiv(sy, by), gz = ceilDiv(sz, bz);
        long blocks = (long) gx * gy * gz;
        if (blocks * 2 > words) {
            throw new CorruptChunkException(key, "compressed_segmentation channel of " + words + " words cannot hold the headers of its " + blocks + " blocks");
        }
        long blockVoxels = (long) bx * by * bz;
        int lx = (int) lo[0], ly = (int) lo[1], lz = (int) lo[2];
        int hx = lx + (int) size[0], hy = ly + (int) size[1], hz = lz + (int) size[2];
        long step = s[0];
        // Where voxel (x, y, z) goes: o0 + x * s[0] + y * s[1] + z * s[2].
        long o0 = base - lx * s[0] - ly * s[1] - lz * s[2];
        long end = 2 * blocks;
        for (int z0 = lz / bz; z0 * bz < hz; z0++) {
            for (int y0 = ly / by; y0 * by < hy; y0++) {
                for (int x0 = lx / bx; x0 * bx < hx; x0++) {
                    long b = ((long) z0 * gy + y0) * gx + x0;
                    int h0 = data.get(U32, 8L * b);
                    long valuesOffset = Integer.toUnsignedLong(data.get(U32, 8L * b + 4));
                    long tableOffset = h0 & 0xFFFFFF;
                    int bits = h0 >>> 24;
                    if (bits > 32 || Integer.bitCount(bits) > 1) {
                        throw new CorruptChunkException(key, "compressed_segmentation block " + b + " has " + bits + " bits per value (allowed: 0, 1, 2, 4, 8, 16, 32)");
                    }
                    long valueWords = (blockVoxels * bits + 31) / 32;
                    if (valuesOffset + valueWords > words) {
                        throw new CorruptChunkException(key, "compressed_segmentation block " + b + " values at word " + valuesOffset + " run past the end (" + words + " words)");
                    }
                    if (tableOffset >= words) {
                        throw new CorruptChunkException(key, "compressed_segmentation block " + b + " table offset " + tableOffset + " is past the end (" + words + " words)");
                    }
                    // Table entries that fit after tableOffset: every index read is checked against this.
                    long tableEntries = (words - tableOffset) / wordsPerValue;
                    if (tableEntries == 0) throw new CorruptChunkException(key, "compressed_segmentation block " + b + " table at word " + tableOffset + " is truncated");
                    int bx0 = x0 * bx, by0 = y0 * by, bz0 = z0 * bz;
                    // The block's part inside the box (which lies inside the chunk).
                    int xs = Math.max(bx0, lx), xe = Math.min(bx0 + bx, hx);
                    int ys = Math.max(by0, ly), ye = Math.min(by0 + by, hy);
                    int zs = Math.max(bz0, lz), ze = Math.min(bz0 + bz, hz);
                    long tableByte = tableOffset * 4, valuesByte = valuesOffset * 4;
                    if (bits == 0) {
                        long v = wordsPerValue == 1 ? data.get(U32, tableByte) : data.get(U64, tableByte);
                        for (int z = zs; z < ze; z++) {
                            for (int y = ys; y < ye; y++) {
                                long o = o0 + xs * step + y * s[1] + z * s[2];
                                if (wordsPerValue == 1) for (int x = xs; x < xe; x++, o += step) out.set(U32, o, (int) v);
                                else for (int x = xs; x < xe; x++, o += step) out.set(U64, o, v);
                            }
                        }
                        end = Math.max(end, tableOffset + wordsPerValue);
                        continue;
                    }
                    end = Math.max(end, valuesOffset + valueWords);
                    long maxIndex = 0;
                    long mask = (1L << bits) - 1;
                    for (int z = zs; z < ze; z++) {
                        for (int y = ys; y < ye; y++) {
                            long idx = ((long) (z - bz0) * by + (y - by0)) * bx + (xs - bx0);
                            long o = o0 + xs * step + y * s[1] + z * s[2];
                            for (int x = xs; x < xe; x++, idx++, o += step) {
                                long bit = idx * bits;
                                int w = data.get(U32, valuesByte + (bit >>> 5) * 4);
                                long i = (Integer.toUnsignedLong(w) >>> (bit & 31)) & mask;
                                if (i >= tableEntries) {
                                    throw new CorruptChunkException(key, "compressed_segmentation block " + b + " index " + i + " is past its table at word " + tableOffset);
                                }
                                if (i > maxIndex) maxIndex = i;
                                if (wordsPerValue == 1) {
                                    out.set(U32, o, data.get(U32, tableByte + i * 4));
                                } else {
                                    out.set(U64, o, data.get(U64, tableByte + i * 8));
                                }
                            }
                        }
                    }
                    end = Math.max(end, tableOffset + (maxIndex + 1) * wordsPerValue);
                }
            }
        }
        return end;
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        int wpv = wordsPerValue(layout.dataType());
        if (useNative) return CompressedSegmentation.encode(chunk, layout.shape(), layout.channels(), blockSize, wpv);
        int channels = layout.channels();
        long channelBytes = layout.voxels() * layout.dataType().size();
        IntBuffer out = new IntBuffer(Math.max(16, (int) Math.min(1 << 20, layout.voxels() / 4)));
        for (int c = 0; c < channels; c++) out.add(0);
        for (int c = 0; c < channels; c++) {
            out.set(c, out.size());
            encodeChannel(chunk.asSlice(c * channelBytes, channelBytes), layout.shape(), blockSize, wpv, out);
        }
        return out.toSegment();
    }

    /**
     * Encode one channel (no channel header) of {@code shape} [x, y, z] from {@code in} (Fortran
     * order), appending the words to {@code out}; offsets are relative to where the channel starts.
     */
    static void encodeChannel(MemorySegment in, long[] shape, int[] block, int wordsPerValue, IntBuffer out) {
        int base = out.size();
        int sx = (int) shape[0], sy = (int) shape[1], sz = (int) shape[2];
        int bx = block[0], by = block[1], bz = block[2];
        int gx = ceilDiv(sx, bx), gy = ceilDiv(sy, by), gz = ceilDiv(sz, bz);
        int blocks = gx * gy * gz;
        int blockVoxels = bx * by * bz;
        int vsize = wordsPerValue * 4;
        long rowStride = (long) sx * vsize, sliceStride = rowStride * sy;
        out.grow(2 * blocks);
        Map<TableKey, Integer> tables = new HashMap<>();
        long[] values = new long[blockVoxels];
        long[] sorted = new long[blockVoxels];
        int b = 0;
        for (int z0 = 0; z0 < gz; z0++) {
            for (int y0 = 0; y0 < gy; y0++) {
                for (int x0 = 0; x0 < gx; x0++, b++) {
                    int xs = x0 * bx, ys = y0 * by, zs = z0 * bz;
                    int xe = Math.min(xs + bx, sx), ye = Math.min(ys + by, sy), ze = Math.min(zs + bz, sz);
                    int w = xe - xs;
                    int count = 0;
                    boolean uniform = true;
                    long first = readValue(in, zs * sliceStride + ys * rowStride + (long) xs * vsize, wordsPerValue);
                    // values[] holds the block's voxels in block order; positions outside the volume stay unused.
                    for (int z = zs; z < ze; z++) {
                        for (int y = ys; y < ye; y++) {
                            int idx = ((z - zs) * by + (y - ys)) * bx;
                            long o = z * sliceStride + y * rowStride + (long) xs * vsize;
                            for (int x = 0; x < w; x++, o += vsize) {
                                long v = readValue(in, o, wordsPerValue);
                                values[idx + x] = v;
                                sorted[count++] = v ^ Long.MIN_VALUE; // unsigned order via the sign flip
                                uniform &= v == first;
                            }
                        }
                    }
                    long[] table;
                    if (uniform) {
                        table = new long[] {first};
                    } else {
                        Arrays.sort(sorted, 0, count);
                        int distinct = 1;
                        for (int i = 1; i < count; i++) if (sorted[i] != sorted[distinct - 1]) sorted[distinct++] = sorted[i];
                        table = new long[distinct];
                        for (int i = 0; i < distinct; i++) table[i] = sorted[i] ^ Long.MIN_VALUE;
                    }
                    int bits = bitsFor(table.length);
                    int valuesOffset = out.size() - base;
                    if (bits > 0) {
                        int valueWords = (int) (((long) blockVoxels * bits + 31) / 32);
                        int at = out.size();
                        out.grow(valueWords);
                        long[] keys = new long[table.length];
                        for (int i = 0; i < table.length; i++) keys[i] = table[i] ^ Long.MIN_VALUE;
                        for (int z = zs; z < ze; z++) {
                            for (int y = ys; y < ye; y++) {
                                int idx = ((z - zs) * by + (y - ys)) * bx;
                                for (int x = 0; x < w; x++) {
                                    int i = Arrays.binarySearch(keys, values[idx + x] ^ Long.MIN_VALUE);
                                    long bit = (long) (idx + x) * bits;
                                    int wi = at + (int) (bit >>> 5);
                                    out.set(wi, out.get(wi) | (i << (bit & 31)));
                                }
                            }
                        }
                    }
                    TableKey tk = new TableKey(table);
                    Integer tableOffset = tables.get(tk);
                    if (tableOffset == null) {
                        tableOffset = out.size() - base;
                        for (long v : table) {
                            out.add((int) v);
                            if (wordsPerValue == 2) out.add((int) (v >>> 32));
                        }
                        tables.put(tk, tableOffset);
                    }
                    if (tableOffset > MAX_TABLE_OFFSET) {
                        throw new FormatException("compressed_segmentation: a table offset exceeds 24 bits; use a smaller chunk size");
                    }
                    out.set(base + 2 * b, tableOffset | (bits << 24));
                    out.set(base + 2 * b + 1, valuesOffset);
                }
            }
        }
    }

    private static long readValue(MemorySegment in, long o, int wpv) {
        return wpv == 1 ? Integer.toUnsignedLong(in.get(U32, o)) : in.get(U64, o);
    }

    /** Bits per index for a table of {@code n} values: 0, 1, 2, 4, 8, 16 or 32. */
    static int bitsFor(int n) {
        if (n <= 1) return 0;
        int need = 32 - Integer.numberOfLeadingZeros(n - 1);
        int bits = 1;
        while (bits < need) bits <<= 1;
        return bits;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** A table's contents as a map key. */
    private record TableKey(long[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TableKey t && Arrays.equals(values, t.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    /** A growable array of 32-bit words. */
    static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[capacity];
        }

        int size() {
            return n;
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        /** Append {@code k} zero words. */
        void grow(int k) {
            if (n + k > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + k));
            n += k;
        }

        int get(int i) {
            return a[i];
        }

        void set(int i, int v) {
            a[i] = v;
        }

        MemorySegment toSegment() {
            MemorySegment s = MemorySegment.ofArray(new byte[n * 4]);
            MemorySegment.copy(a, 0, s, U32, 0, n);
            return s;
        }
    }

    @Override
    public String toString() {
        return "compressed_segmentation " + blockSize[0] + "x" + blockSize[1] + "x" + blockSize[2];
    }
}
