package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.nativ.LibDeflate;

/**
 * The transport compressions a user can choose for writing ({@code --compress}, Options), each
 * backed by its {@link BytesCodec}. On read the compression is detected by magic number
 * (see {@link CodecPipeline}). Which name a compressed chunk is stored under (on local disk
 * {@code <key>.gz} / {@code <key>.zstd}, elsewhere the plain key) is decided by
 * {@code precomputed.ChunkNames}. Neuroglancer itself reads only gzip (as HTTP {@code Content-Encoding}).
 */
public enum Compression {
    NONE(0, 0),
    /** gzip member (magic {@code 1F 8B}). */
    GZIP(0x8B1F, 2),
    /** zstd frame (magic {@code 28 B5 2F FD}). */
    ZSTD(0xFD2FB528, 4),
    /** LZ4 frame (magic {@code 04 22 4D 18}). */
    LZ4(0x184D2204, 4);

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
        int head = magicBytes == 2 ? Short.toUnsignedInt(bytes.get(SHORT_LE, 0)) : bytes.get(INT_LE, 0);
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
