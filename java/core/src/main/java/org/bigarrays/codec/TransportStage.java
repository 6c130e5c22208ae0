package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;

/**
 * The transport-compression stage, outermost in a pipeline whose format allows one (precomputed's
 * unsharded chunks): what the array stage wrote, compressed with the {@link Compression} chosen
 * per write (or not), recognised per read by magic number. It follows the array stage directly
 * ({@link CodecPipeline} refuses it after a whole-chunk bytes stage, whose own output starts with
 * a magic number).
 *
 * <p>A stored value is taken as compressed only when it starts with a magic number and the whole
 * value is one stream of that format (trailing bytes are corruption, not raw data). Where the
 * array stage writes a fixed size (raw), a magic number is ambiguous: raw voxels may start with
 * one. A value of exactly that size is then compressed only if it decompresses, checksum and
 * length verified, to exactly that size; otherwise it is stored plain.
 */
final class TransportStage {
    static final TransportStage INSTANCE = new TransportStage();

    private TransportStage() {}

    /**
     * Whether {@code stored} is certainly the array stage's output as it is: no magic number
     * (a value with one may still be plain; {@link #decode} decides).
     */
    boolean plain(MemorySegment stored) {
        return Compression.detect(stored) == Compression.NONE;
    }

    /**
     * Undo the transport compression of {@code stored} into {@code out} (the array stage's
     * capacity).
     * @param layout the chunk's layout, for messages
     * @param fixedSize the exact size the array stage writes, or -1 where it varies
     * @return the bytes produced, or -1 when {@code stored} is the array stage's output as it is
     * @throws CorruptChunkException naming {@code key} when a compressed value is malformed or
     *     decodes to more than {@code out} (or, with a fixed size, to another size)
     */
    long decode(MemorySegment stored, ChunkLayout layout, long fixedSize, MemorySegment out, String key) {
        Compression c = Compression.detect(stored);
        if (c == Compression.NONE) return -1;
        BytesCodec codec = c.codec();
        if (fixedSize >= 0 && stored.byteSize() == fixedSize) {
            try {
                if (codec.decode(stored, out, key) == fixedSize) return fixedSize;
            } catch (CorruptChunkException notCompressed) {
                // plain after all
            }
            return -1;
        }
        long n = codec.decode(stored, out, key);
        if (fixedSize >= 0 && n != fixedSize) {
            throw new CorruptChunkException(key, codec.name() + " chunk of " + layout + " decompresses to " + n + " bytes, expected " + fixedSize);
        }
        return n;
    }

    /** {@code inner} compressed with {@code c} (NONE: itself), zstd at {@code zstdLevel}. */
    MemorySegment encode(MemorySegment inner, Compression c, int zstdLevel) {
        return c.compress(inner, zstdLevel);
    }

    @Override
    public String toString() {
        return "transport compression by magic number";
    }
}
