package org.bigarrays.sharding;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a shard file: the shard index (2^minishard_bits [start, end) pairs relative to its
 * end), then per minishard in order its chunks (ascending id) followed by its minishard index.
 * This is the layout TensorStore's encoder writes, so raw shards match it byte for byte.
 */
final class ShardEncoder {
    private ShardEncoder() {}

    /** The shard index: per minishard its [start, end) (relative to the index's end) as uint64 LE pairs. */
    public static byte[] encodeShardIndex(long[] starts, long[] ends) {
        ByteBuffer index = ByteBuffer.allocate(16 * starts.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int m = 0; m < starts.length; m++) {
            index.putLong(16 * m, starts[m]);
            index.putLong(16 * m + 8, ends[m]);
        }
        return index.array();
    }

    /** A chunk's bytes as stored in the shard: {@code data_encoding} applied. */
    public static MemorySegment encodeData(ShardingSpec spec, MemorySegment chunk) {
        return spec.dataEncoding().compress(chunk);
    }

    /** The complete shard file for {@code chunks} (id → bytes before data_encoding). */
    public static MemorySegment encode(ShardingSpec spec, SortedMap<Long, MemorySegment> chunks) {
        TreeMap<Long, MemorySegment> stored = new TreeMap<>(Long::compareUnsigned);
        for (var e : chunks.entrySet()) stored.put(e.getKey(), encodeData(spec, e.getValue()));
        return assemble(spec, stored);
    }

    /**
     * The complete shard file for chunks already in their stored form ({@code data_encoding}
     * applied), as read-modify-write keeps untouched chunks without re-encoding them. An empty
     * map gives a valid shard with no chunks (an index of zeros).
     */
    public static MemorySegment assemble(ShardingSpec spec, Map<Long, MemorySegment> storedChunks) {
        // Group by minishard; TreeMaps keep minishards, and chunks within each (unsigned), in ascending order.
        TreeMap<Integer, List<Map.Entry<Long, MemorySegment>>> byMinishard = new TreeMap<>();
        TreeMap<Long, MemorySegment> sorted = new TreeMap<>(Long::compareUnsigned);
        sorted.putAll(storedChunks);
        for (var e : sorted.entrySet()) byMinishard.computeIfAbsent(spec.minishardOf(e.getKey()), m -> new ArrayList<>()).add(e);
        long indexSize = spec.shardIndexSize();
        if (indexSize > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("shard index of " + indexSize + " bytes is too large to write");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long[] msStart = new long[(int) spec.minishardCount()];
        long[] msEnd = new long[msStart.length];
        for (var ms : byMinishard.entrySet()) {
            List<Map.Entry<Long, MemorySegment>> list = ms.getValue();
            int n = list.size();
            long[] ids = new long[n], starts = new long[n], ends = new long[n];
            for (int i = 0; i < n; i++) {
                byte[] b = list.get(i).getValue().toArray(ValueLayout.JAVA_BYTE);
                ids[i] = list.get(i).getKey();
                starts[i] = data.size();
                data.write(b, 0, b.length);
                ends[i] = data.size();
            }
            byte[] mi = MinishardIndex.encode(ids, starts, ends);
            mi = spec.minishardIndexEncoding().compress(MemorySegment.ofArray(mi)).toArray(ValueLayout.JAVA_BYTE);
            long a = data.size();
            data.write(mi, 0, mi.length);
            msStart[ms.getKey()] = a;
            msEnd[ms.getKey()] = data.size();
        }
        byte[] out = new byte[Math.addExact((int) indexSize, data.size())];
        System.arraycopy(encodeShardIndex(msStart, msEnd), 0, out, 0, (int) indexSize);
        System.arraycopy(data.toByteArray(), 0, out, (int) indexSize, data.size());
        return MemorySegment.ofArray(out);
    }
}
