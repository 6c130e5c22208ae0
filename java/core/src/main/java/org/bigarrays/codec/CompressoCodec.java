package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.Compresso;

/**
 * The precomputed {@code compresso} encoding (CloudVolume's segmentation codec; Neuroglancer
 * reads it): uint8/16/32/64 labels, one channel, chunk extents up to 65535. The format and the
 * checks are described in {@link CompressoFormat}, the Java twin.
 *
 * <p>When libbigarrays is loaded (and native code not switched off) its C twin
 * ({@link Compresso}) decodes; on malformed input the Java decoder runs again to name what is
 * wrong. Encoding is done by the C twin too when it is there (the same bytes).
 */
public final class CompressoCodec implements ArrayCodec {
    /** The codec, with the C twin where it is available. */
    public static final CompressoCodec INSTANCE = new CompressoCodec(Compresso.available());

    private final boolean useNative;

    private CompressoCodec(boolean useNative) {
        this.useNative = useNative;
    }

    /** The Java codec even when the C one is available: the twin, for tests and benchmarks. */
    public CompressoCodec javaOnly() {
        return new CompressoCodec(false);
    }

    /** Whether this codec calls the C twin. */
    public boolean usesNative() {
        return useNative;
    }

    @Override
    public String name() {
        return "compresso";
    }

    @Override
    public void check(ChunkLayout layout) {
        width(layout.dataType());
        if (layout.channels() != 1) throw new InvalidInputException("compresso stores one channel, not " + layout.channels());
        for (long s : layout.shape()) {
            if (s < 1 || s > CompressoFormat.MAX_EXTENT) {
                throw new InvalidInputException("compresso stores chunk extents of 1.." + CompressoFormat.MAX_EXTENT
                        + ", found " + Arrays.toString(layout.shape()));
            }
        }
    }

    private static int width(DataType t) {
        return switch (t) {
            case UINT8 -> 1;
            case UINT16 -> 2;
            case UINT32 -> 4;
            case UINT64 -> 8;
            default -> throw new InvalidInputException("compresso stores uint8, uint16, uint32 or uint64 labels, not " + t);
        };
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        return CompressoFormat.maxEncodedSize(layout.shape(), layout.dataType().size());
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        check(layout);
        int w = width(layout.dataType());
        if (into.byteSize() < layout.byteSize()) throw new IllegalArgumentException("compresso: output buffer of " + into.byteSize() + " bytes is smaller than the chunk " + layout);
        if (useNative) {
            try {
                Compresso.decode(encoded, layout.shape(), w, into, key);
                return;
            } catch (CorruptChunkException e) {
                // The Java decoder below has the same checks and says which one failed.
            }
        }
        CompressoFormat.decode(encoded, layout.shape(), w, into, key);
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        check(layout);
        int w = width(layout.dataType());
        if (useNative && Compresso.encodeAvailable()) return Compresso.encode(chunk, layout.shape(), w);
        return CompressoFormat.encode(chunk, layout.shape(), w);
    }

    @Override
    public String toString() {
        return useNative ? "compresso" : "compresso (java)";
    }
}
