package org.bigarrays.codec;

import org.bigarrays.nativ.Blosc;

import java.lang.foreign.MemorySegment;

/**
 * Blosc 1 buffers (blosclz, byte shuffle over the voxel size, level 5: Blosc.jl's defaults)
 * through the system's libblosc. No magic number; the 16-byte header's sizes are checked
 * against the input (no trailing bytes) and the output capacity before anything is decoded.
 */
public final class BloscCodec implements BytesCodec {
    private final int typeSize;

    /** @param typeSize bytes per voxel, the shuffle unit */
    public BloscCodec(int typeSize) {
        this.typeSize = typeSize;
    }

    /** Whether libblosc.so.1 loaded. */
    public static boolean available() {
        return Blosc.available();
    }

    @Override
    public String name() {
        return "blosc";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return false;
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        return Blosc.decompress(in, out, key);
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        return Blosc.compress(in, typeSize);
    }

    @Override
    public String toString() {
        return "blosc (typesize " + typeSize + ")";
    }
}
