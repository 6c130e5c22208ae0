package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.DataType;

/**
 * A Zarr v3 {@code codecs} list for one chunk shape and data type: array → array stages
 * ({@code transpose}), then exactly one array → bytes stage ({@code bytes}), then bytes → bytes
 * stages ({@code gzip}, {@code zstd}, {@code blosc}, {@code crc32c}), validated and bound to the
 * shape each stage sees once, at construction. Immutable and thread-safe.
 *
 * <p>A decoded chunk is dense, in C order of the array's stored dimension order (the last
 * dimension fastest), each element little-endian: {@link #chunkByteSize()} bytes. Decoding
 * never writes past the output and checks every size on the way; damaged or truncated stored
 * bytes raise {@link CorruptChunkException} naming the chunk's key.
 *
 * <p>{@code sharding_indexed} is not a stage here: an array whose codecs are one
 * {@code sharding_indexed} is described by {@link ShardingCodec}, whose inner chunks and index
 * each have a pipeline of this kind.
 *
 * <pre>{@code
 * ZarrCodecPipeline p = ZarrCodecPipeline.parse(zarrJson.get("codecs"), DataType.UINT16, new long[] {64, 64, 64});
 * MemorySegment chunk = arena.allocate(p.chunkByteSize());
 * p.decode(storedBytes, chunk, "c/0/1/2");
 * }</pre>
 */
public final class ZarrCodecPipeline {
    /** The codec names this library reads and writes. */
    public static final List<String> SUPPORTED = List.of("transpose", "bytes", "gzip", "zstd", "blosc", "crc32c", "sharding_indexed");

    private final DataType type;
    private final long[] chunkShape;
    private final long chunkBytes;
    private final TransposeStage[] transposes;
    private final BytesStage bytes;
    private final BytesToBytesStage[] compressors;
    /** {@code bounds[i]}: the most bytes the input of {@code compressors[i]} may take; {@code bounds[n]}: of a stored chunk. */
    private final long[] bounds;

    private ZarrCodecPipeline(DataType type, long[] chunkShape, List<TransposeStage> transposes, BytesStage bytes, List<BytesToBytesStage> compressors) {
        this.type = type;
        this.chunkShape = chunkShape.clone();
        this.chunkBytes = chunkByteSize(type, chunkShape);
        this.transposes = transposes.toArray(TransposeStage[]::new);
        this.bytes = bytes;
        this.compressors = compressors.toArray(BytesToBytesStage[]::new);
        this.bounds = new long[this.compressors.length + 1];
        bounds[0] = chunkBytes;
        for (int i = 0; i < this.compressors.length; i++) bounds[i + 1] = this.compressors[i].maxEncodedSize(bounds[i]);
    }

    private static long chunkByteSize(DataType type, long[] shape) {
        long n = type.size();
        for (long s : shape) {
            if (s < 1) throw new InvalidInputException("zarr chunk shape " + Arrays.toString(shape) + ": every extent must be positive");
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new InvalidInputException("zarr chunk shape " + Arrays.toString(shape) + " of " + type.jsonName() + " is larger than 2^63 bytes");
            }
        }
        return n;
    }

    /**
     * Validates a {@code codecs} list (from {@code zarr.json}, or a sharding codec's inner or
     * index codecs) and binds it to the chunks it encodes.
     * @param codecs the JSON array of codecs, each {@code {"name": ..., "configuration": {...}}} (or a bare name)
     * @param type the data type of the elements
     * @param chunkShape the chunk shape in the array's stored dimension order
     * @throws FormatException naming the codec and what is wrong: an unknown codec (listing the
     *     supported ones), a configuration out of range, stages out of order, no or two array →
     *     bytes codecs, or {@code sharding_indexed} (read through {@link ShardingCodec})
     */
    public static ZarrCodecPipeline parse(JsonNode codecs, DataType type, long[] chunkShape) {
        if (codecs == null || !codecs.isArray() || codecs.isEmpty()) {
            throw new FormatException("zarr codecs must be a non-empty array of codecs, found " + codecs);
        }
        long[] shape = chunkShape.clone();
        try {
            chunkByteSize(type, shape);
        } catch (InvalidInputException e) { // the shape came from metadata
            throw new FormatException(e.getMessage());
        }
        List<TransposeStage> transposes = new ArrayList<>();
        BytesStage bytes = null;
        List<BytesToBytesStage> compressors = new ArrayList<>();
        for (JsonNode codec : codecs) {
            String name = CodecJson.name(codec);
            switch (name) {
                case "transpose" -> {
                    if (bytes != null) throw outOfOrder(name, "array → array", "bytes");
                    TransposeStage t = TransposeStage.parse(codec, type, shape);
                    transposes.add(t);
                    shape = t.encodedShape();
                }
                case "bytes" -> {
                    if (bytes != null) throw new FormatException("zarr codecs: a second array → bytes codec 'bytes' (there must be exactly one)");
                    bytes = BytesStage.parse(codec, type);
                }
                case "gzip", "zstd", "blosc", "crc32c", "numcodecs.zlib", "numcodecs.lz4" -> {
                    if (bytes == null) throw new FormatException("zarr codecs: bytes → bytes codec '" + name + "' before the array → bytes codec (bytes)");
                    compressors.add(switch (name) {
                        case "gzip" -> CompressorStage.parseGzip(codec);
                        case "zstd" -> CompressorStage.parseZstd(codec);
                        case "blosc" -> CompressorStage.parseBlosc(codec, type);
                        // Zarr v2 compressors without a v3 codec, as a v2 array's metadata is read (V2Codecs).
                        case "numcodecs.zlib" -> V2Compressors.parseZlib(codec);
                        case "numcodecs.lz4" -> V2Compressors.parseLz4(codec);
                        default -> Crc32cStage.parse(codec);
                    });
                }
                case "sharding_indexed" -> throw new FormatException("zarr codec sharding_indexed is supported only as an array's single codec"
                        + " (read with ShardingCodec), not nested or combined with other codecs");
                default -> throw new FormatException("zarr codec '" + name + "' is not supported (supported: " + String.join(", ", SUPPORTED) + ")");
            }
        }
        if (bytes == null) throw new FormatException("zarr codecs " + codecs + " have no array → bytes codec (bytes)");
        return new ZarrCodecPipeline(type, chunkShape, transposes, bytes, compressors);
    }

    /** {@link #parse(JsonNode, DataType, long[])} of the codecs as {@code ZarrArrayMetadata.codecs()} holds them. */
    public static ZarrCodecPipeline parse(List<JsonNode> codecs, DataType type, long[] chunkShape) {
        return parse(CodecJson.array(codecs), type, chunkShape);
    }

    private static FormatException outOfOrder(String name, String kind, String after) {
        return new FormatException("zarr codecs: " + kind + " codec '" + name + "' after the array → bytes codec '" + after + "'");
    }

    /**
     * The pipeline for arrays this library writes: {@code bytes} little-endian, then the
     * compressor, then {@code crc32c} when asked.
     * @param compressor {@code none}, {@code gzip} (level 6 only: our gzip writers' level),
     *     {@code zstd} (levels {@link ZstdCodec#MIN_LEVEL} to {@link ZstdCodec#MAX_LEVEL},
     *     default 3) or {@code blosc} (zstd inside, clevel 0 to 9, default 5, byte shuffle, bit
     *     shuffle for one-byte types: zarr-python's defaults)
     * @param level the compressor's level, or null for its default
     * @throws InvalidInputException naming an unknown compressor or a level out of range
     */
    public static ZarrCodecPipeline of(DataType type, long[] chunkShape, String compressor, Integer level, boolean crc32c) {
        List<BytesToBytesStage> stages = new ArrayList<>();
        switch (compressor) {
            case "none" -> {
                if (level != null) throw new InvalidInputException("compressor none takes no level (found " + level + ")");
            }
            case "gzip" -> {
                if (level != null && level != 6) {
                    throw new InvalidInputException("gzip level " + level + ": only level 6 is written (libdeflate and java.util.zip both write 6)");
                }
                stages.add(CompressorStage.gzip(6));
            }
            case "zstd" -> stages.add(CompressorStage.zstd(level == null ? ZstdCodec.LEVEL : level, true));
            case "blosc" -> {
                int clevel = level == null ? 5 : level;
                if (clevel < 0 || clevel > 9) throw new InvalidInputException("blosc level " + clevel + ": expected 0 to 9");
                stages.add(CompressorStage.blosc("zstd", clevel, type.size() == 1 ? "bitshuffle" : "shuffle", type.size(), 0));
            }
            default -> throw new InvalidInputException("zarr compressor '" + compressor + "': expected none, gzip, zstd or blosc");
        }
        if (crc32c) stages.add(Crc32cStage.INSTANCE);
        return new ZarrCodecPipeline(type, chunkShape, List.of(), new BytesStage(type, "little"), stages);
    }

    /** The data type of the elements. */
    public DataType dataType() {
        return type;
    }

    /** The decoded chunk's shape, in the array's stored dimension order. */
    public long[] chunkShape() {
        return chunkShape.clone();
    }

    /** Bytes of a decoded chunk: the product of the shape times the element size. */
    public long chunkByteSize() {
        return chunkBytes;
    }

    /**
     * The most bytes a valid stored chunk can take, by this or another writer (compressors
     * allowed to grow incompressible data): larger stored values are corruption.
     */
    public long maxEncodedSize() {
        return bounds[bounds.length - 1];
    }

    /** The stored size when it does not depend on the data (no compressor), else -1. */
    long fixedEncodedSize() {
        long n = chunkBytes;
        for (BytesToBytesStage c : compressors) {
            if (c.fixedOverhead() < 0) return -1;
            n += c.fixedOverhead();
        }
        return n;
    }

    /**
     * Decodes one stored chunk into the first {@link #chunkByteSize()} bytes of {@code into} (C
     * order, little-endian elements); never writes past them.
     * @param key the chunk's key, for messages
     * @throws CorruptChunkException naming {@code key} when {@code stored} is not a valid chunk:
     *     malformed, truncated, with trailing bytes, a checksum mismatch, or another size
     * @throws IllegalArgumentException when {@code into} is smaller than a chunk
     */
    public void decode(MemorySegment stored, MemorySegment into, String key) {
        if (into.byteSize() < chunkBytes) throw new IllegalArgumentException("decode into " + into.byteSize() + " bytes: a chunk takes " + chunkBytes);
        if (stored.byteSize() > maxEncodedSize()) {
            throw new CorruptChunkException(key, "stored chunk of " + stored.byteSize() + " bytes is larger than the " + maxEncodedSize() + " its codecs can produce");
        }
        MemorySegment out = into.asSlice(0, chunkBytes);
        boolean plainArray = transposes.length == 0 && !bytes.swaps(); // the array → bytes step changes nothing
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cur = stored;
            for (int i = compressors.length - 1; i >= 0; i--) {
                long capacity = bounds[i];
                // The innermost stage decodes straight into the output where nothing follows it.
                cur = compressors[i].decode(cur, capacity, i == 0 && plainArray ? () -> out : () -> arena.allocate(capacity), key);
            }
            if (cur.byteSize() != chunkBytes) {
                throw new CorruptChunkException(key, "chunk decodes to " + cur.byteSize() + " bytes, expected " + chunkBytes
                        + " (" + type.jsonName() + " " + Arrays.toString(shapeSeenByBytes()) + ")");
            }
            if (bytes.swaps()) {
                MemorySegment to = transposes.length == 0 ? out : arena.allocate(chunkBytes);
                bytes.swap(cur, to);
                cur = to;
            }
            for (int i = transposes.length - 1; i >= 0; i--) {
                MemorySegment to = i == 0 ? out : arena.allocate(chunkBytes);
                transposes[i].decode(cur, to);
                cur = to;
            }
            if (!cur.equals(out)) MemorySegment.copy(cur, 0, out, 0, chunkBytes);
        }
    }

    private long[] shapeSeenByBytes() {
        return transposes.length == 0 ? chunkShape : transposes[transposes.length - 1].encodedShape();
    }

    /**
     * Encodes one chunk ({@link #chunkByteSize()} bytes, C order, little-endian elements). The
     * result is a new segment, never {@code chunk} itself.
     * @throws IllegalArgumentException when {@code chunk} is not exactly a chunk's size
     */
    public MemorySegment encode(MemorySegment chunk) {
        if (chunk.byteSize() != chunkBytes) throw new IllegalArgumentException("encode " + chunk.byteSize() + " bytes: a chunk takes " + chunkBytes);
        MemorySegment cur = chunk;
        for (TransposeStage t : transposes) {
            MemorySegment to = Arena.ofAuto().allocate(chunkBytes);
            t.encode(cur, to);
            cur = to;
        }
        if (bytes.swaps()) {
            MemorySegment to = cur == chunk ? Arena.ofAuto().allocate(chunkBytes) : cur; // our own buffer is swapped in place
            bytes.swap(cur, to);
            cur = to;
        }
        for (BytesToBytesStage c : compressors) cur = c.encode(cur);
        if (cur == chunk) cur = MemorySegment.ofArray(chunk.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        return cur;
    }

    /** The canonical {@code codecs} list of this pipeline, for the {@code zarr.json} we write. */
    public ArrayNode toJson() {
        ArrayNode a = CodecJson.JSON.arrayNode();
        for (TransposeStage t : transposes) a.add(t.toJson());
        a.add(bytes.toJson());
        for (BytesToBytesStage c : compressors) a.add(c.toJson());
        return a;
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" → ", "[", "] for " + type.jsonName() + " " + Arrays.toString(chunkShape));
        for (TransposeStage t : transposes) j.add(t.toString());
        j.add(bytes.toString());
        for (BytesToBytesStage c : compressors) j.add(c.toString());
        return j.toString();
    }
}
