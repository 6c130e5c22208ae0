package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;

/** {@code raw}: the chunk's little-endian bytes as they are, no header; the length must be exact. */
public final class RawCodec implements ArrayCodec {
    public static final RawCodec INSTANCE = new RawCodec();

    private RawCodec() {}

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public void check(ChunkLayout layout) {
        // every data type and channel count
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        return layout.byteSize();
    }

    /** {@code encoded} itself after checking its length: a raw chunk already is the chunk array. */
    public MemorySegment decodeInPlace(MemorySegment encoded, ChunkLayout layout, String key) {
        if (encoded.byteSize() != layout.byteSize()) {
            throw new CorruptChunkException(key, "raw chunk of " + layout + ": expected " + layout.byteSize()
                    + " bytes, found " + encoded.byteSize());
        }
        return encoded;
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        MemorySegment.copy(decodeInPlace(encoded, layout, key), 0, into, 0, layout.byteSize());
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        return chunk.asSlice(0, layout.byteSize());
    }

    @Override
    public String toString() {
        return "raw";
    }
}
