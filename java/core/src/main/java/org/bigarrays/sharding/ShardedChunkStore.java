package org.bigarrays.sharding;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;

/**
 * Chunks stored in {@code neuroglancer_uint64_sharded_v1} shard files on any base store, keyed
 * by uint64 chunk id. A read fetches the shard index entry, the minishard index and the chunk,
 * each a byte-range read; decoded minishard indexes are kept in a bounded LRU cache so a cutout
 * that touches many chunks of one minishard reads its index once. {@link #readAll} batches a
 * cutout: per shard one read of the index entries it needs, per minishard one index read, and
 * one read per run of adjacent chunks. Writes replace whole shard files (atomic in the base
 * store). Values returned are the chunk's bytes after {@code data_encoding} is undone.
 * Thread-safe.
 */
public final class ShardedChunkStore {
    /** Default number of decoded minishard indexes kept. */
    public static final int DEFAULT_CACHE_ENTRIES = 4096;
    // Above this an index is a gzip bomb or garbage, not a minishard index.
    private static final int MAX_INDEX_BYTES = 1 << 30;

    private final KeyValueStore base;
    private final ShardingSpec spec;
    private final String prefix;
    private final String describePrefix;
    private final Map<Long, MinishardIndex> cache;
    private final int cacheEntries;

    /**
     * @param base the store that holds the shard files
     * @param prefix key prefix of the shard files in {@code base} ("" or ending in '/')
     * @param describePrefix prefix for messages (e.g. the scale key + "/")
     */
    public ShardedChunkStore(KeyValueStore base, ShardingSpec spec, String prefix, String describePrefix, int cacheEntries) {
        this.base = base;
        this.spec = spec;
        this.prefix = prefix;
        this.describePrefix = describePrefix;
        this.cacheEntries = Math.max(1, cacheEntries);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, MinishardIndex> e) {
                return size() > ShardedChunkStore.this.cacheEntries;
            }
        };
    }

    public ShardedChunkStore(KeyValueStore base, ShardingSpec spec) {
        this(base, spec, "", "", DEFAULT_CACHE_ENTRIES);
    }

    public ShardingSpec spec() {
        return spec;
    }

    public KeyValueStore base() {
        return base;
    }

    /** The key of a shard file in the base store. */
    public String shardKey(long shard) {
        return prefix + spec.shardFileName(shard);
    }

    /** "scale/0f.shard, chunk 12": where a chunk lives, for messages. */
    public String describe(long chunkId) {
        return describePrefix + spec.shardFileName(spec.shardOf(chunkId)) + ", chunk " + Long.toUnsignedString(chunkId);
    }

    /** Forget cached minishard indexes (another writer changed the shards). */
    public void clearCache() {
        synchronized (cache) {
            cache.clear();
        }
    }

    /** One chunk's bytes (data_encoding undone), or MISSING. */
    public ReadResult read(long chunkId) {
        return readAll(List.of(chunkId)).get(chunkId);
    }

    /**
     * Several chunks at once: a map from each id to its bytes or MISSING. Chunks of one shard
     * cost one shard-index read (skipped when all their minishard indexes are cached), one read
     * per uncached minishard index, and one read per run of chunks adjacent in the file.
     * @throws CorruptChunkException naming the shard file and chunk when an index or chunk is malformed
     */
    public Map<Long, ReadResult> readAll(Collection<Long> chunkIds) {
        Map<Long, List<Long>> byShard = new LinkedHashMap<>();
        for (long id : chunkIds) byShard.computeIfAbsent(spec.shardOf(id), s -> new ArrayList<>()).add(id);
        Map<Long, ReadResult> out = new HashMap<>();
        for (var e : byShard.entrySet()) readShardChunks(e.getKey(), e.getValue(), out);
        return out;
    }

    private record Located(long id, long start, long end) {}

    private void readShardChunks(long shard, List<Long> ids, Map<Long, ReadResult> out) {
        String key = shardKey(shard);
        // Minishard indexes: from the cache, else from the file.
        TreeMap<Integer, MinishardIndex> indexes = new TreeMap<>();
        TreeMap<Integer, Long> firstId = new TreeMap<>();
        for (long id : ids) {
            int m = spec.minishardOf(id);
            firstId.putIfAbsent(m, id);
            if (!indexes.containsKey(m)) {
                MinishardIndex cached;
                synchronized (cache) {
                    cached = cache.get(cacheKey(shard, m));
                }
                if (cached != null) indexes.put(m, cached);
            }
        }
        List<Integer> toLoad = new ArrayList<>();
        for (int m : firstId.keySet()) if (!indexes.containsKey(m)) toLoad.add(m);
        if (!toLoad.isEmpty() && !loadIndexes(shard, key, toLoad, firstId, indexes)) {
            for (long id : ids) out.put(id, ReadResult.MISSING);
            return;
        }
        // Locate chunks, then read runs of chunks adjacent in the file with one request each.
        List<Located> found = new ArrayList<>();
        for (long id : ids) {
            MinishardIndex mi = indexes.get(spec.minishardOf(id));
            int i = mi.find(id);
            if (i < 0) {
                out.put(id, ReadResult.MISSING);
            } else {
                found.add(new Located(id, mi.start(i), mi.end(i)));
            }
        }
        found.sort((a, b) -> Long.compare(a.start, b.start));
        int i = 0;
        while (i < found.size()) {
            int j = i + 1;
            while (j < found.size() && found.get(j).start == found.get(j - 1).end) j++;
            readRun(key, found.subList(i, j), out);
            i = j;
        }
    }

    /** Loads the listed minishard indexes; false if the shard file does not exist. */
    private boolean loadIndexes(long shard, String key, List<Integer> minishards, Map<Integer, Long> firstId,
                                Map<Integer, MinishardIndex> indexes) {
        int lo = minishards.getFirst();
        int hi = minishards.getLast();
        long entryStart = 16L * lo;
        long entryEnd = 16L * (hi + 1);
        ReadResult r = base.read(key, ByteRange.of(entryStart, entryEnd));
        if (!r.found()) return false;
        MemorySegment entries = r.bytes();
        long dataStart = spec.shardIndexSize();
        for (int m : minishards) {
            String where = describePrefix + spec.shardFileName(shard) + ", chunk " + Long.toUnsignedString(firstId.get(m));
            long off = 16L * m - entryStart;
            if (entries.byteSize() < off + 16) {
                throw new CorruptChunkException(where, "shard index requires " + dataStart + " bytes (entry for minishard " + m
                        + " at [" + 16L * m + ", " + (16L * m + 16) + "), file has " + (entryStart + entries.byteSize()) + ")");
            }
            long a = entries.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off);
            long b = entries.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off + 8);
            MinishardIndex mi;
            if (a == b) {
                mi = MinishardIndex.EMPTY;
            } else {
                if (Long.compareUnsigned(b, a) < 0) {
                    throw new CorruptChunkException(where, "shard index entry for minishard " + m + " has invalid byte range ["
                            + Long.toUnsignedString(a) + ", " + Long.toUnsignedString(b) + ")");
                }
                if (a < 0 || b < 0 || b > Long.MAX_VALUE - dataStart) {
                    throw new CorruptChunkException(where, "minishard " + m + " index byte range [" + Long.toUnsignedString(a) + ", "
                            + Long.toUnsignedString(b) + ") relative to end of shard index (" + dataStart + ") overflows");
                }
                long s = dataStart + a;
                long e = dataStart + b;
                if (e - s > MAX_INDEX_BYTES) throw new CorruptChunkException(where, "minishard " + m + " index of " + (e - s) + " bytes is implausibly large");
                ReadResult ir = base.read(key, ByteRange.of(s, e));
                if (!ir.found()) throw new CorruptChunkException(where, "shard file disappeared while reading it");
                if (ir.bytes().byteSize() != e - s) {
                    throw new CorruptChunkException(where, "minishard " + m + " index at [" + s + ", " + e + ") is beyond the end of the shard file (got "
                            + ir.bytes().byteSize() + " of " + (e - s) + " bytes)");
                }
                byte[] raw = ir.toByteArray();
                if (spec.minishardIndexEncoding() == ShardingSpec.Encoding.GZIP) raw = gunzip(raw, where, "minishard index");
                mi = MinishardIndex.decode(raw, dataStart, -1, where);
            }
            indexes.put(m, mi);
            synchronized (cache) {
                cache.put(cacheKey(shard, m), mi);
            }
        }
        return true;
    }

    private void readRun(String key, List<Located> run, Map<Long, ReadResult> out) {
        long s = run.getFirst().start;
        long e = run.getLast().end;
        MemorySegment bytes;
        if (s == e) {
            bytes = MemorySegment.ofArray(new byte[0]);
        } else {
            ReadResult r = base.read(key, ByteRange.of(s, e));
            if (!r.found()) throw new CorruptChunkException(describe(run.getFirst().id), "shard file disappeared while reading it");
            bytes = r.bytes();
        }
        for (Located c : run) {
            if (c.end - s > bytes.byteSize()) {
                throw new CorruptChunkException(describe(c.id), "chunk byte range [" + c.start + ", " + c.end
                        + ") is beyond the end of the shard file (it ends at " + (s + bytes.byteSize()) + ")");
            }
            MemorySegment v = bytes.asSlice(c.start - s, c.end - c.start);
            if (spec.dataEncoding() == ShardingSpec.Encoding.GZIP) {
                v = MemorySegment.ofArray(gunzip(v.toArray(ValueLayout.JAVA_BYTE), describe(c.id), "chunk data"));
            }
            out.put(c.id, ReadResult.of(v, ""));
        }
    }

    /**
     * Every chunk stored in a shard (data_encoding undone), by id; empty if the shard does not exist.
     * Used for read-modify-write of a partially covered shard.
     */
    public SortedMap<Long, MemorySegment> readShard(long shard) {
        String key = shardKey(shard);
        ReadResult r = base.read(key);
        SortedMap<Long, MemorySegment> out = new TreeMap<>();
        if (!r.found()) return out;
        MemorySegment file = r.bytes();
        long dataStart = spec.shardIndexSize();
        String where = describePrefix + spec.shardFileName(shard);
        if (file.byteSize() < dataStart) {
            throw new CorruptChunkException(where, "shard index requires " + dataStart + " bytes (file has " + file.byteSize() + ")");
        }
        ByteBuffer idx = file.asSlice(0, dataStart).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        for (int m = 0; m < spec.minishardCount(); m++) {
            long a = idx.getLong(16 * m);
            long b = idx.getLong(16 * m + 8);
            if (a == b) continue;
            if (a < 0 || b < a || b > file.byteSize() - dataStart) {
                throw new CorruptChunkException(where, "shard index entry for minishard " + m + " has invalid byte range ["
                        + Long.toUnsignedString(a) + ", " + Long.toUnsignedString(b) + ") for a file of " + file.byteSize() + " bytes");
            }
            byte[] raw = file.asSlice(dataStart + a, b - a).toArray(ValueLayout.JAVA_BYTE);
            if (spec.minishardIndexEncoding() == ShardingSpec.Encoding.GZIP) raw = gunzip(raw, where, "minishard index");
            MinishardIndex mi = MinishardIndex.decode(raw, dataStart, file.byteSize(), where);
            for (int i = 0; i < mi.size(); i++) {
                MemorySegment v = file.asSlice(mi.start(i), mi.end(i) - mi.start(i));
                if (spec.dataEncoding() == ShardingSpec.Encoding.GZIP) {
                    v = MemorySegment.ofArray(gunzip(v.toArray(ValueLayout.JAVA_BYTE), describe(mi.id(i)), "chunk data"));
                }
                if (out.put(mi.id(i), v) != null) throw new CorruptChunkException(describe(mi.id(i)), "chunk occurs in more than one minishard");
            }
        }
        return out;
    }

    /**
     * Replace shard file {@code shard} with exactly {@code chunks} (id → bytes before
     * data_encoding), in one atomic write. Every id must belong to this shard.
     */
    public void writeShard(long shard, SortedMap<Long, MemorySegment> chunks) {
        for (long id : chunks.keySet()) {
            if (spec.shardOf(id) != shard) {
                throw new IllegalArgumentException("chunk " + Long.toUnsignedString(id) + " belongs to " + spec.shardFileName(spec.shardOf(id))
                        + ", not " + spec.shardFileName(shard));
            }
        }
        MemorySegment bytes = ShardEncoder.encode(spec, chunks);
        base.write(shardKey(shard), bytes);
        synchronized (cache) {
            cache.keySet().removeIf(k -> (spec.minishardBits() == 0 ? k : k >>> spec.minishardBits()) == shard);
        }
    }

    private long cacheKey(long shard, int minishard) {
        return spec.minishardBits() == 0 ? shard : (shard << spec.minishardBits()) | minishard;
    }

    static byte[] gunzip(byte[] in, String where, String what) {
        try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(in))) {
            byte[] out = z.readNBytes(MAX_INDEX_BYTES);
            if (z.read() >= 0) throw new CorruptChunkException(where, what + " inflates to more than " + MAX_INDEX_BYTES + " bytes");
            return out;
        } catch (IOException e) {
            throw new CorruptChunkException(where, what + " is not valid gzip data: " + e.getMessage(), e);
        }
    }

    static byte[] gzip(MemorySegment in) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, in.byteSize() / 2 + 64));
        try (GZIPOutputStream z = new GZIPOutputStream(bos, 1 << 16)) {
            z.write(in.toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bos.toByteArray();
    }
}
