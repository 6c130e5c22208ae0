package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * Neuroglancer's {@code compressed_segmentation} in C (libbigarrays), byte-exact with the Java
 * codec: used by {@code CompressedSegmentationCodec} when {@link #available()} (libbigarrays
 * loaded and not switched off, see {@link NativeLibrary#BIGARRAYS}). Thread-safe.
 */
public final class CompressedSegmentation {
    private CompressedSegmentation() {}

    /** Whether the C codec can be used. */
    public static boolean available() {
        return CsegBinding.available();
    }

    /**
     * Decode a chunk of {@code shape} [x, y, z] x {@code channels} (with its channel-offset header)
     * into {@code out}, Fortran order, channel slowest.
     * @param wordsPerValue 1 for uint32, 2 for uint64
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on malformed data
     */
    public static void decode(MemorySegment encoded, long[] shape, int channels, int[] block, int wordsPerValue, MemorySegment out, String key) {
        CsegBinding.decode(encoded, shape, channels, block, wordsPerValue, out, key);
    }

    /**
     * Encode a dense chunk (Fortran order, channel slowest).
     * @throws org.bigarrays.FormatException when a table offset exceeds the format's 24 bits
     */
    public static MemorySegment encode(MemorySegment chunk, long[] shape, int channels, int[] block, int wordsPerValue) {
        return CsegBinding.encode(chunk, shape, channels, block, wordsPerValue);
    }
}
