package org.bigarrays.sharding;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoded minishard indexes, least recently used first out, each with the generation of the
 * shard file it was read from. Thread-safe (one lock: entries are small and lookups short).
 */
final class MinishardCache {
    private record Key(long shard, int minishard) {}

    private record Value(String generation, MinishardIndex index) {}

    /** Indexes of one shard, all from one generation of its file. */
    record Hit(String generation, Map<Integer, MinishardIndex> indexes) {}

    private final int capacity;
    private final LinkedHashMap<Key, Value> map;

    MinishardCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Value> e) {
                return size() > MinishardCache.this.capacity;
            }
        };
    }

    /** The indexes of {@code minishards} of {@code shard} if all are cached from one generation; else null. */
    synchronized Hit getAll(long shard, Collection<Integer> minishards) {
        String gen = null;
        Map<Integer, MinishardIndex> out = new HashMap<>();
        for (int m : minishards) {
            Value v = map.get(new Key(shard, m));
            if (v == null || (gen != null && !gen.equals(v.generation))) return null;
            gen = v.generation;
            out.put(m, v.index);
        }
        return gen == null ? null : new Hit(gen, out);
    }

    synchronized void put(long shard, int minishard, String generation, MinishardIndex index) {
        if (capacity > 0) map.put(new Key(shard, minishard), new Value(generation, index));
    }

    /** Forget the indexes of {@code shard} (it was rewritten). */
    synchronized void invalidate(long shard) {
        map.keySet().removeIf(k -> k.shard == shard);
    }

    synchronized void clear() {
        map.clear();
    }
}
