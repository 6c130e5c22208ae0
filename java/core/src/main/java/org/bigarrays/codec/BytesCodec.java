package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;

/**
 * A bytes → bytes stage (gzip, zstd, lz4, blosc) of a {@link CodecPipeline}, of a shard's
 * data or minishard index encoding, or a transport compression ({@link Compression}).
 * Implementations are immutable and thread-safe.
 */
public interface BytesCodec {
    /** Short name for messages: gzip, zstd, lz4, blosc. */
    String name();

    /** Whether {@code bytes} start with this format's magic number (false where it has none). */
    boolean matches(MemorySegment bytes);

    /**
     * Decode all of {@code in} into {@code out}; returns the bytes produced, at most
     * {@code out.byteSize()}. Never writes past {@code out}.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when the input is malformed,
     *     has bytes after the end of its data, or decodes to more than {@code out.byteSize()} bytes
     */
    long decode(MemorySegment in, MemorySegment out, String key);

    /** Encode {@code in}. */
    MemorySegment encode(MemorySegment in);

    /**
     * The most bytes an encoder of this format, ours or another's, may produce from {@code n}
     * bytes that do not compress: {@code n + n/8 + 1024}, above zlib's deflateBound,
     * ZSTD_COMPRESSBOUND, LZ4_compressBound and blosc's 16-byte overhead with room for other
     * encoders' framing. Bounds what a reader accepts, so a valid chunk is never refused for
     * growing when compressed.
     */
    default long maxEncodedSize(long n) {
        long b = n + n / 8 + 1024;
        return b < 0 ? Long.MAX_VALUE : b;
    }

    /**
     * The decoded size {@code in} declares for itself (gzip's trailer, modulo 2^32), or -1 where
     * the format declares none: a reader of untrusted bytes sizes its buffer by it, within its cap.
     */
    default long declaredSize(MemorySegment in) {
        return -1;
    }

    /**
     * The decoded bytes as a slice of {@code in} when the format stored them as they are (blosc's
     * memcpyed flag) and the whole of {@code in} is that one stored buffer, else null: a reader can
     * then use them where they lie instead of copying them out. Validates what {@link #decode}
     * would before returning a slice.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when the header is malformed
     */
    default MemorySegment storedAsIs(MemorySegment in, String key) {
        return null;
    }
}
