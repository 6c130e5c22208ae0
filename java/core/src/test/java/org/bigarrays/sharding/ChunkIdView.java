package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.PrefixedStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;

/**
 * Test helper: the shard fixtures speak in chunk ids, so this views a {@link ShardedKeyValueStore}
 * by id (read, readAll, readShard, writeShard) with generous caps (1 GiB) as the vectors need.
 */
final class ChunkIdView {
    /** Default number of decoded minishard indexes kept. */
    public static final int DEFAULT_CACHE_ENTRIES = ShardLimits.DEFAULT_CACHE_ENTRIES;
    // The caps this class always had: above them, a chunk or index is a bomb or garbage.
    private static final long LEGACY_MAX_BYTES = 1L << 30;

    private final ShardedKeyValueStore kv;
    private final KeyValueStore base;
    private final String prefix;

    /**
     * @param base the store that holds the shard files
     * @param prefix key prefix of the shard files in {@code base} ("" or ending in '/')
     * @param describePrefix prefix for messages (e.g. the scale key + "/")
     */
    public ChunkIdView(KeyValueStore base, ShardingSpec spec, String prefix, String describePrefix, int cacheEntries) {
        this.base = base;
        this.prefix = prefix;
        KeyValueStore shards = prefix.isEmpty() ? base
                : new PrefixedStore(base, prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix, base.uri() + prefix);
        this.kv = new ShardedKeyValueStore(shards, spec, describePrefix,
                ShardLimits.of(LEGACY_MAX_BYTES, LEGACY_MAX_BYTES / 24).withCacheEntries(Math.max(1, cacheEntries)));
    }

    public ChunkIdView(KeyValueStore base, ShardingSpec spec) {
        this(base, spec, "", "", DEFAULT_CACHE_ENTRIES);
    }

    /** The key-value store this wraps. */
    public ShardedKeyValueStore keyValueStore() {
        return kv;
    }

    public ShardingSpec spec() {
        return kv.spec();
    }

    public KeyValueStore base() {
        return base;
    }

    /** The key of a shard file in the base store. */
    public String shardKey(long shard) {
        return prefix + kv.shardKey(shard);
    }

    /** "scale/0f.shard, chunk 12": where a chunk lives, for messages. */
    public String describe(long chunkId) {
        return kv.describe(chunkId);
    }

    /** Forget cached minishard indexes (another writer changed the shards). */
    public void clearCache() {
        kv.clearCache();
    }

    /** One chunk's bytes (data_encoding undone), or MISSING. */
    public ReadResult read(long chunkId) {
        return kv.readIds(List.of(chunkId), ReadOptions.ALL).getFirst();
    }

    /** Several chunks at once, batched per shard: a map from each id to its bytes or MISSING. */
    public Map<Long, ReadResult> readAll(Collection<Long> chunkIds) {
        List<Long> ids = new ArrayList<>(chunkIds);
        List<ReadResult> rs = kv.readIds(ids, ReadOptions.ALL);
        Map<Long, ReadResult> out = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) out.put(ids.get(i), rs.get(i));
        return out;
    }

    /** Every chunk stored in a shard (data_encoding undone), by id; empty if the shard does not exist. */
    public SortedMap<Long, MemorySegment> readShard(long shard) {
        return kv.readShard(shard);
    }

    /** Replace shard file {@code shard} with exactly {@code chunks}, in one atomic write. */
    public void writeShard(long shard, SortedMap<Long, MemorySegment> chunks) {
        kv.writeShards(Map.of(shard, chunks));
    }
}
