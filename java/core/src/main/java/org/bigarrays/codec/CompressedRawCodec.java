package org.bigarrays.codec;

import org.bigarrays.precomputed.Codecs;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.nativ.Blosc;

/**
 * BigArrays.jl's own encodings {@code gzip}, {@code zstd} and {@code blosclz}: the raw chunk
 * (little-endian, Fortran order) compressed as a whole and stored under the plain key.
 * Neuroglancer cannot display such layers; {@link Codecs} warns when one is written.
 */
public final class CompressedRawCodec implements Codec {
    private final String encoding;
    private final int typeSize;

    /** @param encoding gzip, zstd or blosclz; @param typeSize bytes per voxel (blosc's shuffle unit) */
    public CompressedRawCodec(String encoding, int typeSize) {
        if (!encoding.equals("gzip") && !encoding.equals("zstd") && !encoding.equals("blosclz")) {
            throw new InvalidInputException("not a BigArrays.jl encoding: '" + encoding + "' (expected gzip, zstd or blosclz)");
        }
        this.encoding = encoding;
        this.typeSize = typeSize;
    }

    @Override
    public String encoding() {
        return encoding;
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        MemorySegment out = into.asSlice(0, layout.byteSize());
        long n = switch (encoding) {
            case "gzip" -> {
                if (Compression.detect(encoded) != Compression.GZIP) throw new CorruptChunkException(key, "encoding gzip, but the chunk does not start with the gzip magic 1f 8b");
                yield Compression.GZIP.decompress(encoded, out, key);
            }
            case "zstd" -> {
                if (Compression.detect(encoded) != Compression.ZSTD) throw new CorruptChunkException(key, "encoding zstd, but the chunk does not start with the zstd magic 28 b5 2f fd");
                yield Compression.ZSTD.decompress(encoded, out, key);
            }
            default -> Blosc.decompress(encoded, out, key);
        };
        if (n != layout.byteSize()) {
            throw new CorruptChunkException(key, encoding + " chunk of " + layout + " decompresses to " + n + " bytes, expected " + layout.byteSize());
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        MemorySegment in = chunk.asSlice(0, layout.byteSize());
        return switch (encoding) {
            case "gzip" -> Compression.GZIP.compress(in);
            case "zstd" -> Compression.ZSTD.compress(in);
            default -> Blosc.compress(in, typeSize);
        };
    }
}
