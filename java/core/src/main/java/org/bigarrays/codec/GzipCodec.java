package org.bigarrays.codec;

import org.bigarrays.nativ.LibDeflate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * gzip (one member, magic {@code 1f 8b}): the one gzip of the library, for chunks, shard data
 * and minishard indexes. Runs through the system's libdeflate when it loads (and is not switched
 * off with {@code -Dbigarrays.noLibdeflate=true}), else through {@code java.util.zip}
 * ({@link #JAVA}, the twin). Both write level 6 with MTIME 0, and both read each other's output.
 */
public final class GzipCodec implements BytesCodec {
    /** libdeflate when loaded, else java.util.zip. */
    public static final GzipCodec DEFAULT = new GzipCodec(LibDeflate.available());
    /** java.util.zip only: the pure-Java twin. */
    public static final GzipCodec JAVA = new GzipCodec(false);

    private final boolean libdeflate;

    private GzipCodec(boolean libdeflate) {
        this.libdeflate = libdeflate;
    }

    /** Whether this instance runs through libdeflate. */
    public boolean usesLibdeflate() {
        return libdeflate;
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return Compression.GZIP.hasMagic(bytes);
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (!matches(in)) throw new org.bigarrays.CorruptChunkException(key, "gzip: no gzip magic 1f 8b");
        return libdeflate ? LibDeflate.decompress(in, out, key) : Gzip.decompress(in, out, key);
    }

    /**
     * The trailer's ISIZE: the inflated length modulo 2^32 (a longer stream overflows a buffer of
     * it); 0 for a stream too short to have a header and trailer, which no buffer makes valid.
     */
    @Override
    public long declaredSize(MemorySegment in) {
        if (in.byteSize() < 18) return 0;
        return Integer.toUnsignedLong(in.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), in.byteSize() - 4));
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        return libdeflate ? LibDeflate.compress(in) : Gzip.compress(in, Gzip.LEVEL);
    }

    @Override
    public String toString() {
        return libdeflate ? "gzip (libdeflate)" : "gzip (java.util.zip)";
    }
}
