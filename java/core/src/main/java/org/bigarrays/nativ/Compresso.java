package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.bigarrays.InvalidInputException;

/**
 * The {@code compresso} codec in C (libbigarrays' {@code ba_cpso_*}, through {@link LibBigArrays}),
 * the twin of {@code org.bigarrays.codec.CompressoFormat} (same checks, byte-exact encoder): used
 * by {@code CompressoCodec} when {@link #available()}. The encoder writes into a buffer of
 * {@code ba_cpso_encode_bound} bytes. Thread-safe.
 */
public final class Compresso {
    private Compresso() {}

    /** Whether the C decoder can be used. */
    public static boolean available() {
        return NativeLibrary.BIGARRAYS.isLoaded();
    }

    /** Whether the C encoder can be used (with the decoder: both are in every libbigarrays this code loads). */
    public static boolean encodeAvailable() {
        return available();
    }

    /**
     * Decode a chunk of {@code shape} [x, y, z] with {@code width}-byte labels into {@code out}.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on malformed data
     * @throws IllegalArgumentException when {@code out} is read-only or smaller than the chunk, or on a bad geometry
     */
    public static void decode(MemorySegment encoded, long[] shape, int width, MemorySegment out, String key) {
        check(shape);
        if (out.isReadOnly()) throw new IllegalArgumentException("compresso: the output buffer is read-only");
        int rc = LibBigArrays.cpsoDecode(encoded, shape, width, out);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_cpso_decode", key, NativeResult.of(rc) == NativeResult.CORRUPT_INPUT
                    ? "compresso data is malformed"
                    : "chunk " + Arrays.toString(shape) + ", " + width + "-byte labels, " + encoded.byteSize() + " bytes in, "
                            + out.byteSize() + " bytes out");
        }
    }

    /**
     * Encode a dense chunk (Fortran order) as {@code compresso.compress} does by default.
     * @throws InvalidInputException when compresso cannot store a chunk of this shape or label width
     */
    public static MemorySegment encode(MemorySegment chunk, long[] shape, int width) {
        check(shape);
        long[] bound = new long[1];
        if (LibBigArrays.cpsoEncodeBound(shape, width, bound) != 0) {
            throw new InvalidInputException("compresso cannot store a chunk of " + Arrays.toString(shape) + " with " + width + "-byte labels");
        }
        MemorySegment out = CompressedSegmentation.allocate(bound[0]);
        long[] written = new long[1];
        int rc = LibBigArrays.cpsoEncode(chunk, shape, width, out, written);
        if (rc != 0) {
            throw NativeResult.failure(rc, "ba_cpso_encode", null, chunk.byteSize() + " bytes, chunk " + Arrays.toString(shape) + ", "
                    + width + "-byte labels");
        }
        return CompressedSegmentation.exactCopy(out, written[0]);
    }

    private static void check(long[] shape) {
        if (shape.length != 3) throw new IllegalArgumentException("compresso: shape needs 3 entries, found " + Arrays.toString(shape));
    }
}
