package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.array.Box;
import org.bigarrays.chunk.ChunkGrid;
import org.bigarrays.chunk.ScratchPool;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Codec;
import org.bigarrays.codec.Codecs;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;

/**
 * The precomputed format for one scale: where a chunk's bytes live (key, {@code .gz}
 * variant), and how they turn into a chunk array (transport compression, then the codec).
 * Thread-safe.
 */
public final class ScaleDriver {
    private final Info info;
    private final Scale scale;
    private final KeyValueStore store;
    private final Codec codec;
    private final ChunkGrid grid;
    // Which key variant held the last chunk found; tried first, so a .gz layer costs one read per chunk.
    private volatile boolean gzFirst;

    /** @param store the store rooted at this scale's directory */
    public ScaleDriver(Info info, Scale scale, KeyValueStore store) {
        this.info = info;
        this.scale = scale;
        this.store = store;
        this.codec = Codecs.forScale(info, scale);
        this.grid = new ChunkGrid(scale.voxelOffset(), scale.size(), scale.chunkSize());
    }

    public Scale scale() {
        return scale;
    }

    public ChunkGrid grid() {
        return grid;
    }

    public KeyValueStore store() {
        return store;
    }

    public Codec codec() {
        return codec;
    }

    /** The decoded layout of the chunk covering {@code chunkBox}. */
    public ChunkLayout layout(Box chunkBox) {
        return new ChunkLayout(chunkBox.shape(), info.numChannels(), info.dataType());
    }

    /** The chunk's key relative to the scale directory (without any .gz). */
    public String key(Box chunkBox) {
        return ChunkKeys.of(chunkBox);
    }

    /** A key for messages: scale key / chunk key. */
    public String describe(Box chunkBox) {
        return scale.key() + "/" + key(chunkBox);
    }

    /** The stored bytes of a chunk ({@code <key>} or {@code <key>.gz}), or MISSING. I/O only. */
    public ReadResult fetch(Box chunkBox) {
        String k = key(chunkBox);
        boolean gz = gzFirst;
        ReadResult r = store.read(gz ? k + ".gz" : k);
        if (r.found()) return r;
        r = store.read(gz ? k : k + ".gz");
        if (r.found()) gzFirst = !gz;
        return r;
    }

    /**
     * Decode fetched bytes: returns the chunk array, either the fetched bytes themselves (raw,
     * uncompressed) or a buffer borrowed from {@code pool} (give it back when done, see
     * {@link #isBorrowed}).
     */
    public MemorySegment decode(ReadResult fetched, Box chunkBox, ScratchPool pool) {
        ChunkLayout layout = layout(chunkBox);
        String key = describe(chunkBox);
        MemorySegment bytes = fetched.bytes();
        // Raw data of exactly the right length is raw even if it happens to start with a magic number.
        boolean exactRaw = codec instanceof org.bigarrays.codec.RawCodec && bytes.byteSize() == layout.byteSize();
        // BigArrays.jl's gzip/zstd/blosclz encodings are the compression itself: their codec decompresses.
        boolean selfCompressed = codec instanceof org.bigarrays.codec.CompressedRawCodec;
        Compression c = exactRaw || selfCompressed ? Compression.NONE : Compression.detect(bytes);
        if (c == Compression.NONE) {
            MemorySegment inPlace = codec.decodeInPlace(bytes, layout, key);
            if (inPlace != null) return inPlace;
            MemorySegment out = pool.borrow(layout.byteSize());
            try {
                codec.decode(bytes, layout, out, key);
            } catch (RuntimeException e) {
                pool.giveBack(out);
                throw e;
            }
            return out;
        }
        // Decompress to a buffer, then decode (raw: the buffer already is the chunk).
        long limit = codec instanceof org.bigarrays.codec.RawCodec ? layout.byteSize() : Math.max(layout.byteSize() * 2 + 4096, 1 << 16);
        MemorySegment plain = pool.borrow(limit);
        try {
            long n = c.decompress(bytes, plain.asSlice(0, limit), key);
            MemorySegment inPlace = codec.decodeInPlace(plain.asSlice(0, n), layout, key);
            if (inPlace != null) return plain;
            MemorySegment out = pool.borrow(layout.byteSize());
            try {
                codec.decode(plain.asSlice(0, n), layout, out, key);
            } catch (RuntimeException e) {
                pool.giveBack(out);
                throw e;
            }
            pool.giveBack(plain);
            return out;
        } catch (RuntimeException e) {
            pool.giveBack(plain);
            throw e;
        }
    }

    /** Whether a segment from {@link #decode} is a pool buffer rather than the fetched bytes. */
    public boolean isBorrowed(MemorySegment decoded, ReadResult fetched) {
        return decoded != fetched.value();
    }

    /** Encode a dense chunk array and apply {@code compression}: the bytes to store. */
    public MemorySegment encode(MemorySegment chunk, Box chunkBox, Compression compression) {
        return effective(compression).compress(codec.encode(chunk, layout(chunkBox)));
    }

    /** BigArrays.jl's gzip/zstd/blosclz encodings are compressed already: no transport compression on top. */
    private Compression effective(Compression c) {
        return codec instanceof org.bigarrays.codec.CompressedRawCodec ? Compression.NONE : c;
    }

    /** Store encoded bytes for a chunk, removing a stale variant under the other key. */
    public void store(Box chunkBox, MemorySegment encoded, Compression compression) {
        compression = effective(compression);
        String k = key(chunkBox);
        store.write(k + compression.suffix(), encoded);
        // A chunk must exist under one name only, or a reader could find the stale one.
        store.delete(compression == Compression.GZIP ? k : k + ".gz");
    }

    /** Throw a corrupt-chunk error for this chunk. */
    public CorruptChunkException corrupt(Box chunkBox, String detail) {
        return new CorruptChunkException(describe(chunkBox), detail);
    }
}
