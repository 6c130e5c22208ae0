package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Codec;
import org.bigarrays.codec.CompressedRawCodec;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.RawCodec;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;

/**
 * Stored chunk bytes ↔ chunk array for one scale: transport compression (detected on read,
 * chosen on write) around the scale's {@link Codec}. Built once per scale. Every decode and
 * encode of the chunk layer goes through this class, in the shape of the codec pipeline
 * ({@code decode}, {@code decodeInPlace}, {@code encode}) that replaces it.
 */
public final class ChunkCodec {
    private final Codec codec; // null when this build does not support the scale's encoding
    private final FormatException unsupported;
    // Sharded chunk bytes are the scale encoding itself (data_encoding was undone by the shard
    // store); BigArrays.jl's gzip/zstd/blosclz encodings are the compression itself.
    private final boolean noTransport;
    private final BufferPool intermediates = new BufferPool(8);

    private ChunkCodec(Codec codec, FormatException unsupported, boolean sharded) {
        this.codec = codec;
        this.unsupported = unsupported;
        this.noTransport = sharded || codec instanceof CompressedRawCodec;
    }

    /**
     * The codec of {@code scale}. An unsupported encoding fails on the first chunk decoded or
     * encoded, not here: the info, bounds and keys of such a layer are still usable.
     */
    public static ChunkCodec forScale(Info info, Scale scale) {
        try {
            return new ChunkCodec(Codecs.forScale(info, scale), null, scale.isSharded());
        } catch (FormatException e) {
            return new ChunkCodec(null, e, scale.isSharded());
        }
    }

    /**
     * The scale's array codec.
     * @throws FormatException if this build does not support the scale's encoding
     */
    public Codec codec() {
        if (codec == null) throw new FormatException(unsupported.getMessage(), unsupported);
        return codec;
    }

    /** Throws, naming {@code key}, when this build cannot decode or encode the scale's chunks. */
    public void checkSupported(String key) {
        codecFor(key);
    }

    private Codec codecFor(String key) {
        if (codec == null) throw new FormatException(unsupported.getMessage() + "; cannot decode or encode chunk '" + key + "'", unsupported);
        return codec;
    }

    private Compression transport(MemorySegment stored) {
        return noTransport ? Compression.NONE : Compression.detect(stored);
    }

    /**
     * {@code stored} itself when it already is the chunk array (raw, uncompressed, checked),
     * else null: then {@link #decode} into a buffer.
     */
    public MemorySegment decodeInPlace(MemorySegment stored, ChunkLayout layout, String key) {
        Codec c = codecFor(key);
        if (transport(stored) != Compression.NONE) return null;
        return c.decodeInPlace(stored, layout, key);
    }

    /**
     * Decode {@code stored} into {@code into} ({@code layout.byteSize()} bytes, Fortran order).
     * @throws CorruptChunkException naming {@code key} when the bytes are malformed
     */
    public void decode(MemorySegment stored, ChunkLayout layout, MemorySegment into, String key) {
        Codec c = codecFor(key);
        long size = layout.byteSize();
        MemorySegment out = into.asSlice(0, size);
        Compression t = transport(stored);
        boolean raw = c instanceof RawCodec;
        if (t != Compression.NONE && raw && stored.byteSize() == size) {
            // Ambiguous: raw data may start with a magic number, and a compressed chunk may be
            // exactly as long as the raw one. A stream that decompresses (checksum and length
            // verified) to exactly the chunk's size is compressed; anything else is raw.
            try {
                if (t.decompress(stored, out, key) == size) return;
            } catch (CorruptChunkException notCompressed) {
                // raw after all
            }
            t = Compression.NONE;
        }
        if (t == Compression.NONE) {
            c.decode(stored, layout, out, key);
            return;
        }
        if (raw) {
            long n = t.decompress(stored, out, key);
            c.decodeInPlace(out.asSlice(0, n), layout, key); // checks the size
            return;
        }
        long limit = Math.max(size * 2 + 4096, 1 << 16);
        try (Lease plain = intermediates.lease(limit)) {
            long n = t.decompress(stored, plain.segment(), key);
            c.decode(plain.segment().asSlice(0, n), layout, out, key);
        }
    }

    /** Encode a dense chunk array and apply {@code transport} compression: the bytes to store. */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport) {
        Compression t = noTransport ? Compression.NONE : transport;
        return t.compress(codecFor(layout.toString()).encode(chunk, layout));
    }
}
