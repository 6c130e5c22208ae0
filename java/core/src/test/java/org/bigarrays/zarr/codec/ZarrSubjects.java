package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** Chunk data and {@link CodecContract.Subject}s for Zarr pipelines and shards. */
final class ZarrSubjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZarrSubjects() {}

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static long bytes(DataType type, long[] shape) {
        long n = type.size();
        for (long s : shape) n *= s;
        return n;
    }

    /**
     * A chunk of typical data, C order, little-endian: smooth values with noise along the last
     * dimension in one half, labels in runs in the other (bool: 0 or 1).
     */
    static MemorySegment sample(DataType type, long[] shape, long seed) {
        Random r = new Random(seed);
        long n = bytes(type, shape) / type.size();
        MemorySegment s = MemorySegment.ofArray(new byte[(int) (n * type.size())]);
        long[] labels = {0, 1, 7, 0xFFFFFFFFL, 1L << 40, -1L, 123456789L};
        long label = 0;
        for (long i = 0; i < n; i++) {
            long v;
            if (type == DataType.BOOL) v = (i / 5 + seed) % 3 == 0 ? 1 : 0;
            else if (i < n / 2) v = Math.round(1000 * Math.sin(i / 17.0 + seed)) + r.nextInt(4);
            else {
                if (r.nextInt(20) == 0) label = labels[r.nextInt(labels.length)];
                v = label;
            }
            put(s, type, i, type == DataType.FLOAT32 ? Float.floatToRawIntBits(v) : type == DataType.FLOAT64 ? Double.doubleToRawLongBits(v) : v);
        }
        return s;
    }

    static void put(MemorySegment s, DataType type, long i, long v) {
        switch (type.size()) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, (short) v);
            case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, (int) v);
            default -> s.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8 * i, v);
        }
    }

    /** {@code shape} with the first extent doubled: more data than the shape holds. */
    static long[] wider(long[] shape) {
        long[] w = shape.clone();
        w[0] *= 2;
        return w;
    }

    /** A pipeline of {@code codecs} at {@code shape}; oversized: the same codecs at {@link #wider}. */
    static CodecContract.Subject pipeline(String codecs, DataType type, long[] shape) {
        ZarrCodecPipeline p = ZarrCodecPipeline.parse(json(codecs), type, shape);
        ZarrCodecPipeline big = ZarrCodecPipeline.parse(json(codecs), type, wider(shape));
        return new CodecContract.Subject() {
            public String name() {
                return p.toString();
            }

            public long capacity() {
                return p.chunkByteSize();
            }

            public MemorySegment sample(long seed) {
                return ZarrSubjects.sample(type, shape, seed);
            }

            public MemorySegment encode(MemorySegment plain) {
                return p.encode(plain);
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                p.decode(encoded, into, key);
                return p.chunkByteSize();
            }

            public MemorySegment oversized(long seed) {
                return big.encode(ZarrSubjects.sample(type, wider(shape), seed));
            }
        };
    }

    /**
     * A whole shard seen as plain bytes: its inner chunks' decoded bytes one after another in
     * index order (a missing inner chunk decodes to zeros, so the sample leaves every third one
     * zero and it is written missing). Oversized: a shard of twice as many inner chunks.
     */
    static CodecContract.Subject shard(ShardingCodec codec, ShardingCodec twiceAsMany) {
        ZarrCodecPipeline inner = codec.inner();
        long each = inner.chunkByteSize();
        return new CodecContract.Subject() {
            public String name() {
                return codec.toString();
            }

            public long capacity() {
                return each * codec.innerChunkCount();
            }

            public MemorySegment sample(long seed) {
                return sampleShard(codec, seed);
            }

            public MemorySegment encode(MemorySegment plain) {
                return encodeShard(codec, plain);
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                ShardingCodec.Index index = codec.decodeIndexOf(encoded, key);
                for (int i = 0; i < index.size(); i++) {
                    MemorySegment out = into.asSlice(i * each, each);
                    if (index.isMissing(i)) out.fill((byte) 0);
                    else inner.decode(index.slice(encoded, i), out, key);
                }
                return capacity();
            }

            public MemorySegment oversized(long seed) {
                return encodeShard(twiceAsMany, sampleShard(twiceAsMany, seed));
            }
        };
    }

    static MemorySegment sampleShard(ShardingCodec codec, long seed) {
        ZarrCodecPipeline inner = codec.inner();
        long each = inner.chunkByteSize();
        MemorySegment all = MemorySegment.ofArray(new byte[(int) (each * codec.innerChunkCount())]);
        for (int i = 0; i < codec.innerChunkCount(); i++) {
            if ((i + seed) % 3 != 0) MemorySegment.copy(sample(inner.dataType(), inner.chunkShape(), seed + i), 0, all, i * each, each);
        }
        return all;
    }

    /** Inner chunks of all zeros are written missing. */
    static MemorySegment encodeShard(ShardingCodec codec, MemorySegment plain) {
        ZarrCodecPipeline inner = codec.inner();
        long each = inner.chunkByteSize();
        List<MemorySegment> chunks = new ArrayList<>();
        MemorySegment zeros = MemorySegment.ofArray(new byte[(int) each]);
        for (int i = 0; i < codec.innerChunkCount(); i++) {
            MemorySegment c = plain.asSlice(i * each, each);
            chunks.add(c.mismatch(zeros) == -1 ? null : inner.encode(c));
        }
        return codec.encodeShard(chunks).orElseThrow();
    }
}
