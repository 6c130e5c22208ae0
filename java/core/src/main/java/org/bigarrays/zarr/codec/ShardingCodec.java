package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.ByteRange;

/**
 * Zarr's {@code sharding_indexed} codec, as the pure functions a shard reader and writer need: a
 * shard (one stored value) holds the encoded inner chunks of a grid of
 * {@link #chunksPerShard()} inner chunks, and an index of {@code (offset, nbytes)} pairs (uint64,
 * in C order of the inner chunk grid) encoded by its own codecs (typically {@code bytes} and
 * {@code crc32c}) at the {@link IndexLocation start or end} of the shard. An inner chunk whose
 * offset and nbytes are both 2^64-1 is missing (the fill value). Immutable and thread-safe.
 *
 * <p>Reading: fetch {@link #indexRange()} with one ranged read, {@link #decodeIndex} it
 * against the shard's size (every offset and length is checked against it), then fetch and
 * decode inner chunks with {@link #inner()}. Writing: encode the inner chunks with
 * {@link #inner()} and assemble the shard with {@link #encodeShard}.
 *
 * <p>Supported as an array's single codec (arrays whose codecs are exactly one
 * {@code sharding_indexed}, {@link #isSharded}); nested sharding is refused by name. The index
 * must have a fixed encoded size (no compressor among its codecs), as the spec requires to find
 * it without reading the shard.
 */
public final class ShardingCodec {
    /** Where a shard's index lies. */
    public enum IndexLocation {
        START, END;

        String json() {
            return this == START ? "start" : "end";
        }
    }

    /** 2^64-1: offset and nbytes of a missing inner chunk. */
    private static final long MISSING = -1L;
    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long[] shardShape;
    private final long[] innerShape;
    private final long[] chunksPerShard;
    private final int count;
    private final ZarrCodecPipeline inner;
    private final ZarrCodecPipeline index;
    private final IndexLocation location;
    private final long indexSize;

    private ShardingCodec(long[] shardShape, long[] innerShape, ZarrCodecPipeline inner, ZarrCodecPipeline index, IndexLocation location) {
        this.shardShape = shardShape.clone();
        this.innerShape = innerShape.clone();
        this.chunksPerShard = chunksPerShard(shardShape, innerShape);
        long n = 1;
        for (long c : chunksPerShard) n = Math.multiplyExact(n, c);
        if (n > Integer.MAX_VALUE / 2) throw new FormatException("zarr sharding_indexed: " + n + " inner chunks per shard (shard " + Arrays.toString(shardShape)
                + ", chunk_shape " + Arrays.toString(innerShape) + "), more than this library handles");
        this.count = (int) n;
        this.inner = inner;
        this.index = index;
        this.location = location;
        this.indexSize = index.fixedEncodedSize();
        if (indexSize < 0) throw new FormatException("zarr sharding_indexed: index_codecs " + index.toJson() + " must have a fixed size (bytes, transpose, crc32c; no compressor)");
    }

    private static long[] chunksPerShard(long[] shardShape, long[] innerShape) {
        if (innerShape.length != shardShape.length) {
            throw new FormatException("zarr sharding_indexed: chunk_shape " + Arrays.toString(innerShape) + " has another rank than the shard " + Arrays.toString(shardShape));
        }
        long[] c = new long[shardShape.length];
        for (int i = 0; i < c.length; i++) {
            if (innerShape[i] < 1 || shardShape[i] % innerShape[i] != 0) {
                throw new FormatException("zarr sharding_indexed: chunk_shape " + Arrays.toString(innerShape) + " does not divide the shard shape " + Arrays.toString(shardShape));
            }
            c[i] = shardShape[i] / innerShape[i];
        }
        return c;
    }

    /** The index array's shape: the inner chunk grid and a last dimension of 2 (offset, nbytes). */
    private static long[] indexShape(long[] chunksPerShard) {
        long[] s = Arrays.copyOf(chunksPerShard, chunksPerShard.length + 1);
        s[chunksPerShard.length] = 2;
        return s;
    }

    /** Whether {@code codecs} (an array's {@code codecs} list) is a single {@code sharding_indexed}: read it with {@link #parse}. */
    public static boolean isSharded(JsonNode codecs) {
        return codecs != null && codecs.isArray() && codecs.size() >= 1 && codecs.get(0) != null
                && (codecs.get(0).isObject() || codecs.get(0).isTextual()) && "sharding_indexed".equals(nameOrNull(codecs.get(0)));
    }

    /** {@link #isSharded(JsonNode)} of the codecs as {@code ZarrArrayMetadata.codecs()} holds them. */
    public static boolean isSharded(List<JsonNode> codecs) {
        return isSharded(CodecJson.array(codecs));
    }

    /** {@link #parse(JsonNode, DataType, long[])} of the codecs as {@code ZarrArrayMetadata.codecs()} holds them. */
    public static ShardingCodec parse(List<JsonNode> codecs, DataType type, long[] shardShape) {
        return parse(CodecJson.array(codecs), type, shardShape);
    }

    private static String nameOrNull(JsonNode codec) {
        return codec.isTextual() ? codec.asText() : codec.path("name").asText(null);
    }

    /**
     * Reads an array's {@code codecs} list that is one {@code sharding_indexed}.
     * @param shardShape the array's chunk shape (a shard), in stored dimension order
     * @throws FormatException naming what is wrong: other codecs beside it, a chunk_shape that
     *     does not divide the shard, unknown or invalid inner or index codecs, an index with a
     *     variable size, an index_location other than start or end
     */
    public static ShardingCodec parse(JsonNode codecs, DataType type, long[] shardShape) {
        if (!isSharded(codecs)) throw new FormatException("zarr codecs " + codecs + " do not start with sharding_indexed");
        if (codecs.size() != 1) {
            throw new FormatException("zarr codecs " + codecs + ": sharding_indexed with other codecs around it is not supported (only as the single codec)");
        }
        JsonNode c = CodecJson.configuration(codecs.get(0), "sharding_indexed", List.of("chunk_shape", "codecs", "index_codecs", "index_location"));
        long[] innerShape = CodecJson.shape(c.get("chunk_shape"), "chunk_shape", "sharding_indexed", shardShape.length);
        long[] perShard = chunksPerShard(shardShape, innerShape);
        if (!c.has("codecs")) throw new FormatException("zarr codec sharding_indexed: configuration needs \"codecs\"");
        if (!c.has("index_codecs")) throw new FormatException("zarr codec sharding_indexed: configuration needs \"index_codecs\"");
        ZarrCodecPipeline inner = ZarrCodecPipeline.parse(c.get("codecs"), type, innerShape);
        ZarrCodecPipeline index = ZarrCodecPipeline.parse(c.get("index_codecs"), DataType.UINT64, indexShape(perShard));
        IndexLocation loc = !c.has("index_location") ? IndexLocation.END // the spec's default
                : CodecJson.oneOf(c, "index_location", "sharding_indexed", List.of("start", "end")).equals("start") ? IndexLocation.START : IndexLocation.END;
        return new ShardingCodec(shardShape, innerShape, inner, index, loc);
    }

    /**
     * The sharding codec for arrays this library writes: inner chunks encoded by {@code inner},
     * an index of {@code bytes} little-endian and {@code crc32c}.
     * @param shardShape the shard shape, a multiple of {@code inner}'s chunk shape in every dimension
     * @throws InvalidInputException when the inner chunk shape does not divide the shard shape
     */
    public static ShardingCodec of(long[] shardShape, ZarrCodecPipeline inner, IndexLocation location) {
        long[] perShard;
        try {
            perShard = chunksPerShard(shardShape, inner.chunkShape());
        } catch (FormatException e) {
            throw new InvalidInputException(e.getMessage());
        }
        ArrayNode indexCodecs = CodecJson.JSON.arrayNode();
        indexCodecs.add(CodecJson.codec("bytes", CodecJson.JSON.objectNode().put("endian", "little")));
        indexCodecs.add(CodecJson.codec("crc32c", null));
        ZarrCodecPipeline index = ZarrCodecPipeline.parse(indexCodecs, DataType.UINT64, indexShape(perShard));
        return new ShardingCodec(shardShape, inner.chunkShape(), inner, index, location);
    }

    /** The pipeline of each inner chunk. */
    public ZarrCodecPipeline inner() {
        return inner;
    }

    /** The pipeline of the index (uint64, shape {@code chunksPerShard() + [2]}). */
    public ZarrCodecPipeline index() {
        return index;
    }

    /** The shard shape (the array's chunk shape), stored dimension order. */
    public long[] shardShape() {
        return shardShape.clone();
    }

    /** The inner chunks' shape. */
    public long[] innerChunkShape() {
        return innerShape.clone();
    }

    /** Inner chunks per shard along each dimension. */
    public long[] chunksPerShard() {
        return chunksPerShard.clone();
    }

    /** Inner chunks per shard. */
    public int innerChunkCount() {
        return count;
    }

    public IndexLocation indexLocation() {
        return location;
    }

    /** The encoded index's size in bytes: 16 per inner chunk, plus its checksums. */
    public long indexByteSize() {
        return indexSize;
    }

    /**
     * The index's bytes within a shard, readable with one ranged read without knowing the
     * shard's size: the first {@link #indexByteSize()} bytes, or the last (a suffix range).
     */
    public ByteRange indexRange() {
        return location == IndexLocation.START ? ByteRange.of(0, indexSize) : ByteRange.suffix(indexSize);
    }

    /**
     * The position of an inner chunk in the index and in {@link #encodeShard}'s list: C order
     * of its grid position within the shard.
     * @throws IndexOutOfBoundsException when {@code position} is outside the shard's grid
     */
    public int innerChunkIndex(long... position) {
        if (position.length != chunksPerShard.length) throw new IndexOutOfBoundsException("inner chunk position " + Arrays.toString(position) + " in a grid of " + Arrays.toString(chunksPerShard));
        long i = 0;
        for (int d = 0; d < position.length; d++) {
            if (position[d] < 0 || position[d] >= chunksPerShard[d]) {
                throw new IndexOutOfBoundsException("inner chunk position " + Arrays.toString(position) + " outside the grid " + Arrays.toString(chunksPerShard));
            }
            i = i * chunksPerShard[d] + position[d];
        }
        return (int) i;
    }

    /**
     * Decodes a shard's index, checking every inner chunk's byte range against the shard.
     * @param indexBytes the bytes of {@link #indexRange()}: exactly {@link #indexByteSize()}
     * @param shardSize the whole shard's size in bytes
     * @param key the shard's key, for messages
     * @throws CorruptChunkException naming {@code key} when the index has another size or a
     *     bad checksum, or an inner chunk lies outside the shard's data (past its end, over the
     *     index), or only one of its offset and nbytes marks it missing
     */
    public Index decodeIndex(MemorySegment indexBytes, long shardSize, String key) {
        if (shardSize < indexSize) throw new CorruptChunkException(key, "shard of " + shardSize + " bytes is shorter than its " + indexSize + "-byte index");
        if (indexBytes.byteSize() != this.indexSize) {
            throw new CorruptChunkException(key, "shard index of " + indexBytes.byteSize() + " bytes, expected " + this.indexSize);
        }
        long[] pairs = new long[2 * count];
        MemorySegment decoded = MemorySegment.ofArray(new byte[Math.toIntExact(index.chunkByteSize())]);
        index.decode(indexBytes, decoded, key);
        long dataStart = location == IndexLocation.START ? this.indexSize : 0;
        long dataEnd = location == IndexLocation.START ? shardSize : shardSize - this.indexSize;
        for (int i = 0; i < count; i++) {
            long off = decoded.get(LE, 16L * i), len = decoded.get(LE, 16L * i + 8);
            if (off == MISSING && len == MISSING) {
                pairs[2 * i] = pairs[2 * i + 1] = MISSING;
                continue;
            }
            // Unsigned values of 2^63 and above read as negative here: all beyond any shard.
            if (off < dataStart || len < 0 || off > dataEnd || len > dataEnd - off) {
                throw new CorruptChunkException(key, "shard index entry " + i + " (inner chunk " + Arrays.toString(innerChunkPosition(i)) + "): offset "
                        + Long.toUnsignedString(off) + ", nbytes " + Long.toUnsignedString(len) + " lies outside the shard's data [" + dataStart + ", " + dataEnd + ")");
            }
            pairs[2 * i] = off;
            pairs[2 * i + 1] = len;
        }
        return new Index(pairs);
    }

    /**
     * {@link #decodeIndex} of a whole shard held in memory.
     * @throws CorruptChunkException as {@link #decodeIndex}, and when the shard is shorter than its index
     */
    public Index decodeIndexOf(MemorySegment shard, String key) {
        long n = shard.byteSize();
        if (n < indexSize) throw new CorruptChunkException(key, "shard of " + n + " bytes is shorter than its " + indexSize + "-byte index");
        return decodeIndex(location == IndexLocation.START ? shard.asSlice(0, indexSize) : shard.asSlice(n - indexSize), n, key);
    }

    /**
     * The grid position within the shard of the inner chunk at {@code i} in index order: the
     * inverse of {@link #innerChunkIndex}.
     * @throws IndexOutOfBoundsException when {@code i} is not below {@link #innerChunkCount()}
     */
    public long[] innerChunkPosition(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("inner chunk " + i + " of " + count);
        long[] p = new long[chunksPerShard.length];
        for (int d = p.length - 1; d >= 0; d--) {
            p[d] = i % chunksPerShard[d];
            i /= (int) chunksPerShard[d];
        }
        return p;
    }

    /**
     * Assembles a shard from its inner chunks' encoded bytes, in {@link #innerChunkIndex} order
     * ({@code null}: missing), written one after another with the index at its location.
     * @return the shard, or empty when every inner chunk is missing (nothing to store: the
     *     shard is deleted)
     * @throws IllegalArgumentException when the list does not hold {@link #innerChunkCount()} entries
     */
    public Optional<MemorySegment> encodeShard(List<MemorySegment> chunks) {
        if (chunks.size() != count) throw new IllegalArgumentException(chunks.size() + " inner chunks for a shard of " + count);
        long data = 0;
        boolean any = false;
        for (MemorySegment c : chunks) {
            if (c != null) {
                data = Math.addExact(data, c.byteSize());
                any = true;
            }
        }
        if (!any) return Optional.empty();
        long total = Math.addExact(data, indexSize);
        if (total > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("shard of " + total + " bytes: larger than 2 GiB");
        MemorySegment shard = MemorySegment.ofArray(new byte[(int) total]);
        MemorySegment pairs = MemorySegment.ofArray(new byte[Math.toIntExact(index.chunkByteSize())]);
        long at = location == IndexLocation.START ? indexSize : 0;
        for (int i = 0; i < count; i++) {
            MemorySegment c = chunks.get(i);
            if (c == null) {
                pairs.set(LE, 16L * i, MISSING);
                pairs.set(LE, 16L * i + 8, MISSING);
                continue;
            }
            MemorySegment.copy(c, 0, shard, at, c.byteSize());
            pairs.set(LE, 16L * i, at);
            pairs.set(LE, 16L * i + 8, c.byteSize());
            at += c.byteSize();
        }
        MemorySegment idx = index.encode(pairs);
        MemorySegment.copy(idx, 0, shard, location == IndexLocation.START ? 0 : data, indexSize);
        return Optional.of(shard);
    }

    /** The array's {@code codecs} list: this one codec, for the {@code zarr.json} we write. */
    public ArrayNode toJson() {
        ArrayNode shape = CodecJson.JSON.arrayNode();
        for (long s : innerShape) {
            if (s <= Integer.MAX_VALUE) shape.add((int) s); // as a reader's JSON holds it: IntNode and LongNode are not equal
            else shape.add(s);
        }
        ObjectNode c = CodecJson.JSON.objectNode();
        c.set("chunk_shape", shape);
        c.set("codecs", inner.toJson());
        c.set("index_codecs", index.toJson());
        c.put("index_location", location.json());
        return CodecJson.JSON.arrayNode().add(CodecJson.codec("sharding_indexed", c));
    }

    @Override
    public String toString() {
        return "sharding_indexed " + Arrays.toString(innerShape) + " in " + Arrays.toString(shardShape) + ", index at " + location.json() + ", inner " + inner;
    }

    /**
     * A decoded shard index: for each inner chunk ({@link #innerChunkIndex} order) its byte range
     * in the shard, or missing. Every range was checked against the shard's size.
     */
    public static final class Index {
        private final long[] pairs; // offset, nbytes per inner chunk; both -1: missing

        private Index(long[] pairs) {
            this.pairs = pairs;
        }

        /** The number of inner chunks. */
        public int size() {
            return pairs.length / 2;
        }

        /** Whether inner chunk {@code i} is missing (its fill value). */
        public boolean isMissing(int i) {
            return pairs[2 * i] == MISSING;
        }

        /**
         * Inner chunk {@code i}'s offset in the shard.
         * @throws IllegalStateException when it is missing
         */
        public long offset(int i) {
            if (isMissing(i)) throw new IllegalStateException("inner chunk " + i + " is missing");
            return pairs[2 * i];
        }

        /**
         * Inner chunk {@code i}'s encoded size.
         * @throws IllegalStateException when it is missing
         */
        public long length(int i) {
            if (isMissing(i)) throw new IllegalStateException("inner chunk " + i + " is missing");
            return pairs[2 * i + 1];
        }

        /**
         * Inner chunk {@code i}'s bytes in the shard, for a ranged read.
         * @throws IllegalStateException when it is missing
         */
        public ByteRange range(int i) {
            return ByteRange.of(offset(i), offset(i) + length(i));
        }

        /**
         * Inner chunk {@code i}'s bytes, sliced from a shard held in memory.
         * @throws IllegalStateException when it is missing
         */
        public MemorySegment slice(MemorySegment shard, int i) {
            return shard.asSlice(offset(i), length(i));
        }

        @Override
        public String toString() {
            int missing = 0;
            for (int i = 0; i < size(); i++) if (isMissing(i)) missing++;
            return "shard index of " + size() + " inner chunks, " + missing + " missing";
        }
    }
}
