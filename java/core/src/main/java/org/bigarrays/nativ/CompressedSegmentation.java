package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Neuroglancer's {@code compressed_segmentation} in C (libbigarrays' {@code ba_cseg_*}, through
 * {@link LibBigArrays}), byte-exact with the Java codec: used by {@code CompressedSegmentationCodec}
 * when {@link #available()} (libbigarrays loaded and not switched off, see
 * {@link NativeLibrary#BIGARRAYS}). The encoder writes into a buffer sized first by the input
 * plus the block headers (enough for segmentation, whose blocks hold few labels), and only when C
 * reports {@code BA_INSUFFICIENT_SPACE} by {@code ba_cseg_encode_bound}. Thread-safe.
 */
public final class CompressedSegmentation {
    private CompressedSegmentation() {}

    /** Whether the C codec can be used. */
    public static boolean available() {
        return NativeLibrary.BIGARRAYS.isLoaded();
    }

    /**
     * Decode a chunk of {@code shape} [x, y, z] x {@code channels} (with its channel-offset header)
     * into {@code out}, Fortran order, channel slowest.
     * @param wordsPerValue 1 for uint32, 2 for uint64
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on malformed data
     * @throws IllegalArgumentException when {@code out} is read-only or smaller than the chunk, or on a bad geometry
     */
    public static void decode(MemorySegment encoded, long[] shape, int channels, int[] block, int wordsPerValue, MemorySegment out, String key) {
        check(shape, block);
        if (out.isReadOnly()) throw new IllegalArgumentException("compressed_segmentation: the output buffer is read-only");
        int rc = LibBigArrays.csegDecode(encoded, shape, channels, block, wordsPerValue, out);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_cseg_decode", key, NativeResult.of(rc) == NativeResult.CORRUPT_INPUT
                    ? "compressed_segmentation data is malformed (an offset, bit width or index is out of range)"
                    : "chunk " + Arrays.toString(shape) + " x " + channels + ", block " + Arrays.toString(block) + ", " + wordsPerValue
                            + " words per value, " + encoded.byteSize() + " bytes in, " + out.byteSize() + " bytes out");
        }
    }

    /**
     * Decode only the sub-box at {@code boxMin} of {@code boxShape} (inside the chunk) of every
     * channel straight into {@code dst}: voxel (x, y, z) of channel c goes to {@code dstOffset +
     * (x - boxMin[0]) * dstStrides[0] + ... + c * dstStrides[3]}; only the blocks that meet the box
     * are read. Trailing bytes are checked only when the box is the whole chunk.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on malformed data in the blocks read
     * @throws IndexOutOfBoundsException when the box is not inside the chunk or the destination
     *     box not inside {@code dst} (nothing is written then)
     * @throws IllegalArgumentException when {@code dst} is read-only, on negative strides or a bad geometry
     */
    public static void decodeBox(MemorySegment encoded, long[] shape, int channels, int[] block, int wordsPerValue, long[] boxMin,
                                 long[] boxShape, MemorySegment dst, long dstOffset, long[] dstStrides, String key) {
        check(shape, block);
        if (boxMin.length != 3 || boxShape.length != 3 || dstStrides.length != 4) {
            throw new IllegalArgumentException("compressed_segmentation: box needs 3 entries and strides 4, found "
                    + Arrays.toString(boxMin) + ", " + Arrays.toString(boxShape) + " and " + Arrays.toString(dstStrides));
        }
        if (dst.isReadOnly()) throw new IllegalArgumentException("compressed_segmentation: the output buffer is read-only");
        int rc = LibBigArrays.csegDecodeBox(encoded, shape, channels, block, wordsPerValue, boxMin, boxShape, dst, dstOffset, dstStrides);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_cseg_decode_box", key, NativeResult.of(rc) == NativeResult.CORRUPT_INPUT
                    ? "compressed_segmentation data is malformed (an offset, bit width or index is out of range)"
                    : "chunk " + Arrays.toString(shape) + " x " + channels + ", block " + Arrays.toString(block) + ", box at "
                            + Arrays.toString(boxMin) + " of " + Arrays.toString(boxShape) + ", " + dst.byteSize() + " bytes out at "
                            + dstOffset + " strides " + Arrays.toString(dstStrides));
        }
    }

    /**
     * Encode a dense chunk (Fortran order, channel slowest).
     * @throws org.bigarrays.FormatException when a table offset exceeds the format's 24 bits
     */
    public static MemorySegment encode(MemorySegment chunk, long[] shape, int channels, int[] block, int wordsPerValue) {
        check(shape, block);
        long blocks = 1;
        for (int d = 0; d < 3; d++) blocks *= (shape[d] + block[d] - 1) / block[d];
        MemorySegment out = allocate(chunk.byteSize() + 8 * blocks * channels + 4L * channels + 64);
        long[] written = new long[1];
        int rc = LibBigArrays.csegEncode(chunk, shape, channels, block, wordsPerValue, out, written);
        if (rc == NativeResult.INSUFFICIENT_SPACE.ordinal()) {
            long[] bound = new long[1];
            rc = LibBigArrays.csegEncodeBound(shape, channels, block, wordsPerValue, bound);
            if (rc == 0) {
                out = allocate(bound[0]);
                rc = LibBigArrays.csegEncode(chunk, shape, channels, block, wordsPerValue, out, written);
            }
        }
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_cseg_encode", null, NativeResult.of(rc) == NativeResult.TOO_LARGE
                    ? "compressed_segmentation: a table offset exceeds 24 bits; use a smaller chunk size"
                    : chunk.byteSize() + " bytes, chunk " + Arrays.toString(shape) + " x " + channels + ", block " + Arrays.toString(block)
                            + ", " + wordsPerValue + " words per value");
        }
        return exactCopy(out, written[0]);
    }

    /** An exact-size copy: the encoded chunk may be kept (a cache, a shard being built). */
    static MemorySegment exactCopy(MemorySegment out, long n) {
        if (n == out.byteSize()) return out;
        return n > Integer.MAX_VALUE - 64 ? out.asSlice(0, n) : MemorySegment.ofArray(out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
    }

    /** A heap buffer, or off-heap (freed by the garbage collector) past a Java array's reach. */
    static MemorySegment allocate(long n) {
        return n > Integer.MAX_VALUE - 64 ? Arena.ofAuto().allocate(n, 8) : MemorySegment.ofArray(new byte[(int) n]);
    }

    private static void check(long[] shape, int[] block) {
        if (shape.length != 3 || block.length != 3) {
            throw new IllegalArgumentException("compressed_segmentation: shape and block need 3 entries, found "
                    + Arrays.toString(shape) + " and " + Arrays.toString(block));
        }
    }
}
