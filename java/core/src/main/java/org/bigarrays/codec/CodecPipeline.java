package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;

/**
 * How one scale's chunks turn into stored bytes and back: an {@link ArrayCodec} for the
 * encoding, and for BigArrays.jl's encodings the {@link BytesCodec} that compresses the raw
 * chunk. Transport compression around the array codec's bytes (gzip, zstd, lz4) is chosen per
 * write and detected per read by magic number. Built once per scale; immutable, thread-safe.
 *
 * <p>Reading, a stored value is taken as transport-compressed only when it starts with a magic
 * number and the whole value is one stream of that format (trailing bytes are corruption, not
 * raw data). For raw chunks a magic number is ambiguous (raw voxels may start with one): a value
 * exactly as long as the chunk is compressed only if it decompresses, checksum and length
 * verified, to exactly the chunk's size; otherwise it is raw.
 */
public final class CodecPipeline {
    private final Encoding encoding;
    private final ArrayCodec array;
    private final BytesCodec whole; // BigArrays.jl encodings: the raw chunk compressed by this; else null
    private final boolean detectTransport;

    /**
     * @param array the array stage (raw for BigArrays.jl encodings)
     * @param whole the bytes stage that compresses the whole raw chunk (BigArrays.jl), or null
     * @param detectTransport whether stored values may carry transport compression (false where
     *     the store already removed it, as a shard's {@code data_encoding})
     */
    public CodecPipeline(Encoding encoding, ArrayCodec array, BytesCodec whole, boolean detectTransport) {
        if (encoding.isCompressedRaw() != (whole != null)) throw new IllegalArgumentException("encoding " + encoding + " with bytes stage " + whole);
        this.encoding = encoding;
        this.array = array;
        this.whole = whole;
        this.detectTransport = detectTransport;
    }

    /**
     * The pipeline for {@code encoding} with its parameters (null: defaults).
     * @param type the data type (blosc shuffles by its size)
     * @param blockSize compressed_segmentation block [x, y, z] (null: 8,8,8)
     * @param jpegQuality 1..100 (null: 85)
     * @param pngLevel 0..9 (null: 6)
     */
    public static CodecPipeline of(Encoding encoding, DataType type, long[] blockSize, Integer jpegQuality, Integer pngLevel, boolean detectTransport) {
        return of(encoding, type, blockSize, jpegQuality, pngLevel, null, null, detectTransport);
    }

    /**
     * As {@link #of(Encoding, DataType, long[], Integer, Integer, boolean)}, with jxl's parameters.
     * @param jxlQuality 0..100, 100 lossless (null: 100)
     * @param jxlEffort 1..9 (null: {@link JxlCodec#DEFAULT_EFFORT})
     */
    public static CodecPipeline of(Encoding encoding, DataType type, long[] blockSize, Integer jpegQuality, Integer pngLevel,
                                   Integer jxlQuality, Integer jxlEffort, boolean detectTransport) {
        ArrayCodec a = switch (encoding) {
            case RAW, GZIP, ZSTD, BLOSCLZ -> RawCodec.INSTANCE;
            case COMPRESSED_SEGMENTATION -> new CompressedSegmentationCodec(blockSize == null ? new long[] {8, 8, 8} : blockSize);
            case COMPRESSO -> CompressoCodec.INSTANCE;
            case JPEG -> JpegCodec.of(jpegQuality);
            case PNG -> PngCodec.of(pngLevel);
            case JXL -> JxlCodec.of(jxlQuality, jxlEffort);
        };
        BytesCodec w = switch (encoding) {
            case GZIP -> GzipCodec.DEFAULT;
            case ZSTD -> ZstdCodec.INSTANCE;
            case BLOSCLZ -> new BloscCodec(type.size());
            default -> null;
        };
        return new CodecPipeline(encoding, a, w, detectTransport);
    }

    public Encoding encoding() {
        return encoding;
    }

    /**
     * The most bytes a stored chunk of {@code layout} can take before transport compression: the
     * array stage's worst case, grown by the whole-chunk bytes stage where there is one
     * (BigArrays.jl's encodings compress the raw chunk, and a tiny or random chunk grows).
     */
    public long maxStoredSize(ChunkLayout layout) {
        long a = array.maxEncodedSize(layout);
        return whole == null ? a : whole.maxEncodedSize(a);
    }

    /** The array stage. */
    public ArrayCodec arrayCodec() {
        return array;
    }

    /**
     * Decode one chunk's stored bytes into exactly {@code layout.byteSize()} bytes of {@code into};
     * never writes past them.
     * @throws CorruptChunkException naming {@code key} when the bytes are not a chunk of {@code layout}
     */
    public void decode(MemorySegment stored, ChunkLayout layout, MemorySegment into, String key) {
        long size = layout.byteSize();
        MemorySegment out = into.asSlice(0, size);
        if (whole != null) {
            long n = whole.decode(stored, out, key);
            if (n != size) throw new CorruptChunkException(key, encoding + " chunk of " + layout + " decompresses to " + n + " bytes, expected " + size);
            return;
        }
        BytesCodec t = detectTransport ? transport(stored) : null;
        if (t == null) {
            array.decode(stored, layout, out, key);
            return;
        }
        if (array instanceof RawCodec) {
            if (stored.byteSize() == size) {
                try {
                    if (t.decode(stored, out, key) == size) return;
                } catch (CorruptChunkException notCompressed) {
                    // raw after all
                }
                MemorySegment.copy(stored, 0, out, 0, size);
                return;
            }
            long n = t.decode(stored, out, key);
            if (n != size) throw new CorruptChunkException(key, t.name() + " chunk of " + layout + " decompresses to " + n + " bytes, expected " + size);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plain = arena.allocate(Math.max(1, array.maxEncodedSize(layout)));
            long n = t.decode(stored, plain, key);
            array.decode(plain.asSlice(0, n), layout, out, key);
        }
    }

    /**
     * {@code stored} itself when it already is the chunk array (raw encoding, no transport
     * compression, exactly {@code layout.byteSize()} bytes), else null: the caller then
     * {@link #decode}s into a buffer. Saves a copy per chunk.
     */
    public MemorySegment decodeInPlace(MemorySegment stored, ChunkLayout layout, String key) {
        if (!(array instanceof RawCodec) || whole != null || stored.byteSize() != layout.byteSize()) return null;
        if (detectTransport && transport(stored) != null) return null; // ambiguous: decode() decides
        return stored;
    }

    /**
     * The bytes to store for a dense chunk ({@code layout.byteSize()} bytes): the array stage, then
     * {@code transport} (ignored by BigArrays.jl encodings, which are compressed already).
     */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport) {
        return encode(chunk, layout, transport, ZstdCodec.LEVEL);
    }

    /**
     * {@link #encode(MemorySegment, ChunkLayout, Compression)} with zstd (the transport, or the
     * BigArrays.jl {@code zstd} encoding's whole-chunk stage) written at {@code zstdLevel}.
     */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, int zstdLevel) {
        MemorySegment c = chunk.asSlice(0, layout.byteSize());
        if (whole != null) return (whole instanceof ZstdCodec ? ZstdCodec.atLevel(zstdLevel) : whole).encode(c);
        return transport.compress(array.encode(c, layout), zstdLevel);
    }

    /** The transport compression this pipeline writes for {@code requested}: NONE for BigArrays.jl encodings. */
    public Compression effective(Compression requested) {
        return whole != null ? Compression.NONE : requested;
    }

    private static BytesCodec transport(MemorySegment stored) {
        Compression c = Compression.detect(stored);
        return c == Compression.NONE ? null : c.codec();
    }

    @Override
    public String toString() {
        return encoding + " (" + array + (whole != null ? " + " + whole : "") + ")";
    }
}
