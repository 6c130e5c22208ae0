package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.nativ.LibDeflate;

/**
 * A compression by name, each backed by its {@link BytesCodec} stage: the transport compressions
 * a user can choose for writing ({@code --compress}, Options), detected on read by magic number
 * (the transport stage of a {@link CodecPipeline}), and the {@code raw}/{@code gzip} data and
 * minishard index encodings of shards, undone within a cap by {@link #decodeBounded}. Which name a
 * compressed chunk is stored under (on local disk {@code <key>.gz} / {@code <key>.zstd}, elsewhere
 * the plain key) is decided by {@code precomputed.ChunkNames}. Neuroglancer itself reads only
 * gzip (as HTTP {@code Content-Encoding}).
 */
public enum Compression {
    NONE(0, 0),
    /** gzip member (magic {@code 1F 8B}). */
    GZIP(0x8B1F, 2),
    /** zstd frame (magic {@code 28 B5 2F FD}). */
    ZSTD(0xFD2FB528, 4),
    /** LZ4 frame (magic {@code 04 22 4D 18}). */
    LZ4(0x184D2204, 4);

    private final int magic;
    private final int magicBytes;

    Compression(int magic, int magicBytes) {
        this.magic = magic;
        this.magicBytes = magicBytes;
    }

    /**
     * Whether {@code bytes} start with this compression's magic number (never for NONE). Checked
     * here, without the codec: detecting a raw chunk loads no compression library.
     */
    public boolean hasMagic(MemorySegment bytes) {
        if (magicBytes == 0 || bytes.byteSize() < magicBytes) return false;
        // Copied out rather than read through a value layout, whose first use builds var handles
        // (~10 ms of a one-chunk cutout's start-up).
        byte[] h = new byte[4];
        MemorySegment.copy(bytes, 0, MemorySegment.ofArray(h), 0, magicBytes);
        int head = (h[0] & 0xff) | (h[1] & 0xff) << 8 | (h[2] & 0xff) << 16 | (h[3] & 0xff) << 24;
        return head == magic;
    }

    /** The bytes codec; null for NONE. Its class (and library) is loaded on first use. */
    public BytesCodec codec() {
        return switch (this) {
            case NONE -> null;
            case GZIP -> GzipCodec.DEFAULT;
            case ZSTD -> ZstdCodec.INSTANCE;
            case LZ4 -> Lz4Codec.DEFAULT;
        };
    }

    /** Parse a CLI/option name: none, gzip, zstd, lz4. */
    public static Compression of(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none", "raw", "" -> NONE;
            case "gzip", "gz" -> GZIP;
            case "zstd", "zst" -> ZSTD;
            case "lz4" -> LZ4;
            default -> throw new InvalidInputException("unknown compression '" + name + "': expected none, gzip, zstd or lz4");
        };
    }

    /** The compression whose magic number {@code bytes} start with; NONE if none matches. */
    public static Compression detect(MemorySegment bytes) {
        for (Compression c : values()) if (c.hasMagic(bytes)) return c;
        return NONE;
    }

    /**
     * The most bytes this compression may make of {@code n} bytes, ours or another encoder's
     * ({@link BytesCodec#maxEncodedSize}; NONE: {@code n}).
     */
    public long maxEncodedSize(long n) {
        BytesCodec codec = codec();
        return codec == null ? n : codec.maxEncodedSize(n);
    }

    /** Bytes {@link #decodeBounded} produced: {@link #bytes()} on the heap or in {@link #lease()}, which the caller then owns (null: none). */
    public record Bounded(MemorySegment bytes, Lease lease) {}

    /**
     * Undo this compression on untrusted {@code stored} that can decode to at most {@code cap}
     * bytes (a shard's chunk data or minishard index). The buffer is the size the stored bytes
     * declare (gzip's trailer) where they declare one, and a declaration above the cap is refused
     * before anything is decoded, so a bomb costs at most one buffer of the declared size; NONE
     * returns {@code stored} itself, refused when above the cap.
     * @param pool where the buffer is leased from; null: the heap
     * @param key the shard file (and chunk), for messages
     * @param what what is decoded, for messages ("chunk data", "minishard 3 index")
     * @throws CorruptChunkException naming {@code key} when {@code stored} is not one stream of
     *     this compression decoding to at most {@code cap} bytes (and, where declared, to the
     *     declared size)
     */
    public Bounded decodeBounded(MemorySegment stored, long cap, BufferPool pool, String key, String what) {
        BytesCodec codec = codec();
        if (codec == null) {
            if (stored.byteSize() > cap) throw new CorruptChunkException(key, what + " of " + stored.byteSize() + " bytes is larger than the " + cap + " it can have");
            return new Bounded(stored, null);
        }
        String invalid = what + " is not valid " + codec.name() + " data: ";
        if (!codec.matches(stored)) throw new CorruptChunkException(key, invalid + "no " + codec.name() + " magic number");
        long declared = codec.declaredSize(stored);
        if (declared > cap) throw new CorruptChunkException(key, what + " declares " + declared + " decoded bytes, more than the " + cap + " it can have");
        // One spare byte past a declared size: the java.util.zip twin cannot finish even an empty
        // stream into a buffer with no room left, and a stream longer than declared overflows it.
        long room = declared >= 0 ? declared + 1 : cap;
        Lease lease = pool == null ? null : pool.lease(room);
        MemorySegment into = lease != null ? lease.segment()
                : room <= Integer.MAX_VALUE - 16 ? MemorySegment.ofArray(new byte[(int) room])
                : java.lang.foreign.Arena.ofAuto().allocate(room);
        try {
            long got;
            try {
                got = codec.decode(stored, into, key);
            } catch (CorruptChunkException e) {
                throw new CorruptChunkException(key, invalid + detail(e), e);
            }
            if (declared >= 0 && got != declared) throw new CorruptChunkException(key, invalid + "decoded " + got + " bytes, its header says " + declared);
            return new Bounded(into.asSlice(0, got), lease);
        } catch (RuntimeException e) {
            if (lease != null) lease.close();
            throw e;
        }
    }

    // The codec's message without its "corrupt chunk 'key': " opening, which ours repeats.
    private static String detail(CorruptChunkException e) {
        String m = e.getMessage();
        String open = "corrupt chunk '" + e.key() + "': ";
        return m != null && m.startsWith(open) ? m.substring(open.length()) : String.valueOf(m);
    }

    /** Whether gzip runs through the system's libdeflate (else java.util.zip). */
    public static boolean libdeflateLoaded() {
        return GzipCodec.DEFAULT.usesLibdeflate();
    }

    /**
     * Decompress all of {@code bytes} into {@code into}; returns the number of bytes produced, at
     * most {@code into.byteSize()}.
     * @throws CorruptChunkException naming {@code key} on malformed input, trailing bytes, or output overflow
     */
    public long decompress(MemorySegment bytes, MemorySegment into, String key) {
        BytesCodec codec = codec();
        if (codec != null) return codec.decode(bytes, into, key);
        if (bytes.byteSize() > into.byteSize()) throw new CorruptChunkException(key, "larger than the chunk: " + bytes.byteSize() + " bytes");
        MemorySegment.copy(bytes, 0, into, 0, bytes.byteSize());
        return bytes.byteSize();
    }

    /** Compress {@code bytes} (NONE: {@code bytes} itself). */
    public MemorySegment compress(MemorySegment bytes) {
        BytesCodec codec = codec();
        return codec == null ? bytes : codec.encode(bytes);
    }

    /**
     * The bytes codec writing at {@code zstdLevel} where this is ZSTD (see
     * {@link ZstdCodec#atLevel}); the other compressions have no level and ignore it.
     */
    public BytesCodec codec(int zstdLevel) {
        return this == ZSTD ? ZstdCodec.atLevel(zstdLevel) : codec();
    }

    /** {@link #compress(MemorySegment)}, zstd at {@code zstdLevel} (ignored by the others). */
    public MemorySegment compress(MemorySegment bytes, int zstdLevel) {
        BytesCodec codec = codec(zstdLevel);
        return codec == null ? bytes : codec.encode(bytes);
    }
}
