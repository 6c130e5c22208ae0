package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.locks.ReentrantLock;
import org.bigarrays.ConflictException;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyUpdate;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Chunks in {@code neuroglancer_uint64_sharded_v1} shard files over any base store, as a
 * key-value store keyed by the uint64 chunk id (the shape of TensorStore's
 * {@code neuroglancer_uint64_sharded} kvstore). Keys are {@link #key(long)}: 16 lower-case hex
 * digits, so sorted keys are ids in numeric order. Values are a chunk's bytes with
 * {@code data_encoding} undone.
 *
 * <p><b>Reads</b> fetch, per shard, the shard index entries they need, each minishard index
 * once, and one byte range per run of chunks adjacent in the file; a batch
 * ({@link #readMany}) reads its shards, minishard indexes and runs in parallel on virtual
 * threads, each base request under a permit of the {@link IoBudget} (the context's, shared with
 * the chunk tasks that call this store; else {@link ShardLimits#parallelReads()} of its own). Every read after
 * the first of a shard is conditioned on the shard file's generation, so a shard rewritten
 * mid-read is read again, never mixed. Decoded minishard indexes are kept in a bounded LRU
 * cache with their generation: a chunk found in a cached index is read conditioned on that
 * generation (a changed shard is noticed and re-read), but a chunk absent from a cached index
 * reads as missing without a request until {@link #clearCache()}, one of this store's own writes
 * to that shard, or a conditional read (conditional reads always consult the base).
 *
 * <p><b>Generations</b>: the generation of a chunk is the generation of its shard file
 * (so it changes when any chunk of the shard changes), and {@link Generation#NO_VALUE} for an
 * absent chunk. {@code ifEqual}/{@code ifNotEqual} on reads and {@code ifEqual} on writes are
 * checked against it.
 *
 * <p><b>Writes</b> all go through {@link #update}, a batched write grouped by shard, one
 * atomic base write per shard: a shard the batch covers whole with new values is written without
 * being read; any other is read with its generation, patched and written back on the condition
 * that the generation is unchanged ({@code ifMissing} for a new shard), retried under a
 * {@link ConflictRetry} when another writer got there first, so concurrent writers of different
 * chunks of one shard all survive (they need a base store with conditional writes), and failed
 * with a {@link ConflictException} naming the shard file when they keep losing. Writers in one
 * process take a per-shard lock first, so they do not conflict with each other. {@link #write}
 * and {@link #delete} are one-chunk batches; {@link #writeShards} replaces whole shards.
 * A shard emptied by a patch or a delete is written as an empty shard file rather than deleted:
 * the base store has no conditional delete, and an unconditional one could drop a chunk another
 * writer added meanwhile.
 *
 * <p><b>Bounds</b> ({@link ShardLimits}): a chunk inflates into at most
 * {@link ShardLimits#maxChunkBytes()}, a minishard index into at most 24 bytes per chunk of the
 * grid; anything malformed is a {@link CorruptChunkException} naming the shard file and chunk.
 * Thread-safe. {@link #close()} does not close the base store, which belongs to the caller.
 */
public final class ShardedKeyValueStore implements KeyValueStore {
    /** Range-read attempts before falling back to one whole-file read of a busy shard. */
    private static final int RANGED_READ_ATTEMPTS = 3;
    // Needed shard-index entries closer than this many minishards apart are fetched in one read.
    private static final int ENTRY_GAP = 256;
    private static final MemorySegment NO_BYTES = MemorySegment.ofArray(new byte[0]);
    private static final HexFormat HEX = HexFormat.of();

    private final KeyValueStore base;
    private final ShardingSpec spec;
    private final String messagePrefix;
    private final ShardLimits limits;
    private final MinishardCache cache;
    private final IoBudget io;
    private final ReentrantLock[] shardLocks = new ReentrantLock[64];
    private final LongUnaryOperator chunksPerShard; // null: unknown, every shard update reads the shard

    /**
     * @param base the store holding the shard files (e.g. the scale's directory)
     * @param spec the scale's sharding parameters
     * @param messagePrefix put before shard file names in messages (e.g. the scale key + "/")
     * @param limits caps on chunk and index sizes, cache, parallelism and retries
     */
    public ShardedKeyValueStore(KeyValueStore base, ShardingSpec spec, String messagePrefix, ShardLimits limits) {
        this(base, spec, messagePrefix, limits, null);
    }

    /**
     * A store that knows how many chunks each shard holds, so that a batch covering a whole
     * shard writes it without reading it (see {@link #update}).
     * @param chunksPerShard shard → the number of chunk ids of the grid in it (null: unknown)
     */
    public ShardedKeyValueStore(KeyValueStore base, ShardingSpec spec, String messagePrefix, ShardLimits limits, LongUnaryOperator chunksPerShard) {
        this(base, spec, messagePrefix, limits, chunksPerShard, IoBudget.of(limits.parallelReads(), IoBudget.DEFAULT_BYTES));
    }

    /**
     * A store whose base requests and fan-outs take permits of {@code io} (a context's budget,
     * shared with the chunk tasks that call it; see {@link IoBudget} on nesting).
     */
    public ShardedKeyValueStore(KeyValueStore base, ShardingSpec spec, String messagePrefix, ShardLimits limits, LongUnaryOperator chunksPerShard,
                                IoBudget io) {
        this.io = Objects.requireNonNull(io, "io");
        this.chunksPerShard = chunksPerShard;
        this.base = Objects.requireNonNull(base, "base");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.messagePrefix = Objects.requireNonNull(messagePrefix, "messagePrefix");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.cache = new MinishardCache(limits.cacheEntries());
        for (int i = 0; i < shardLocks.length; i++) shardLocks[i] = new ReentrantLock();
    }

    /** The key of chunk {@code id}: 16 lower-case hex digits. */
    public static String key(long id) {
        return HEX.toHexDigits(id);
    }

    /**
     * The chunk id of {@code key}.
     * @throws InvalidInputException naming the key unless it is exactly 16 lower-case hex digits
     */
    public static long idOf(String key) {
        if (key == null || key.length() != 16) throw badKey(key);
        for (int i = 0; i < 16; i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw badKey(key);
        }
        return HEX.fromHexDigitsToLong(key);
    }

    private static InvalidInputException badKey(String key) {
        return new InvalidInputException("invalid chunk key '" + key + "': expected 16 lower-case hex digits (a uint64 chunk id)");
    }

    public ShardingSpec spec() {
        return spec;
    }

    public ShardLimits limits() {
        return limits;
    }

    /** The store holding the shard files. */
    public KeyValueStore base() {
        return base;
    }

    /** The shard holding chunk {@code id}. */
    public long shardOf(long id) {
        return spec.shardOf(id);
    }

    /** The key of shard file {@code shard} in the base store. */
    public String shardKey(long shard) {
        return spec.shardFileName(shard);
    }

    /** "scale/0f.shard, chunk 12": where a chunk lives, for messages. */
    public String describe(long id) {
        return where(spec.shardOf(id), id);
    }

    private String where(long shard) {
        return messagePrefix + spec.shardFileName(shard);
    }

    private String where(long shard, long id) {
        return where(shard) + ", chunk " + Long.toUnsignedString(id);
    }

    /** Forget cached minishard indexes (another process changed the shards). */
    public void clearCache() {
        cache.clear();
    }

    @Override
    public boolean listable() {
        return base.listable(); // listing reads the base store's shard files
    }

    @Override
    public String uri() {
        return base.uri();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return readIds(List.of(idOf(key)), options).getFirst();
    }

    @Override
    public List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        List<Long> ids = new ArrayList<>(keys.size());
        for (String k : keys) ids.add(idOf(k));
        return readIds(ids, options);
    }

    /** Chunks by id, results in request order (see {@link #readMany}). */
    public List<ReadResult> readIds(List<Long> ids, ReadOptions options) {
        Objects.requireNonNull(options, "options");
        Map<Long, LinkedHashSet<Long>> byShard = new LinkedHashMap<>();
        for (long id : ids) byShard.computeIfAbsent(spec.shardOf(id), s -> new LinkedHashSet<>()).add(id);
        List<Callable<Map<Long, ReadResult>>> tasks = new ArrayList<>();
        for (var e : byShard.entrySet()) {
            List<Long> shardIds = List.copyOf(e.getValue());
            tasks.add(() -> readShardChunks(e.getKey(), shardIds, options));
        }
        Map<Long, ReadResult> all = new HashMap<>();
        for (Map<Long, ReadResult> part : io.all(tasks, ShardedKeyValueStore::closeAll)) all.putAll(part);
        List<ReadResult> out = new ArrayList<>(ids.size());
        Set<Long> handedOut = new java.util.HashSet<>();
        for (long id : ids) {
            ReadResult r = all.get(id);
            // A repeated id gets its own copy: two results must not own one lease.
            if (!handedOut.add(id) && r.lease() != null) r = ReadResult.of(MemorySegment.ofArray(r.toByteArray()), r.generation());
            out.add(r);
        }
        return out;
    }

    private static void closeAll(Map<Long, ReadResult> m) {
        m.values().forEach(ReadResult::close);
    }

    /** Thrown (without a trace) when the shard file changed between the reads of one attempt. */
    private static final class ShardChanged extends RuntimeException {
        ShardChanged() {
            super(null, null, false, false);
        }
    }

    private Map<Long, ReadResult> readShardChunks(long shard, List<Long> ids, ReadOptions options) {
        boolean conditional = options.ifEqual() != null || options.ifNotEqual() != null;
        for (int attempt = 1; attempt <= RANGED_READ_ATTEMPTS; attempt++) {
            try {
                return readShardOnce(shard, ids, options, !conditional && attempt == 1);
            } catch (ShardChanged e) {
                cache.invalidate(shard);
            }
        }
        // Writers keep replacing the shard between our range reads: one whole-file read is a
        // consistent snapshot however busy the shard is (costlier, so only as the fallback).
        return readShardWhole(shard, ids, options);
    }

    private Map<Long, ReadResult> readShardWhole(long shard, List<Long> ids, ReadOptions options) {
        ReadResult file = baseRead(shardKey(shard), ReadOptions.ALL);
        Map<Long, MemorySegment> chunks = file.found() ? decodedChunks(file.bytes(), shard) : Map.of();
        Map<Long, ReadResult> out = new HashMap<>();
        for (long id : ids) {
            MemorySegment v = chunks.get(id);
            String gen = v == null ? Generation.NO_VALUE : file.generation();
            if (!options.admits(gen)) {
                out.put(id, ReadResult.conditionNotMet(gen));
            } else if (v == null) {
                out.put(id, ReadResult.MISSING);
            } else {
                long[] r = options.range().resolve(v.byteSize());
                out.put(id, ReadResult.of(v.asSlice(r[0], r[1] - r[0]), gen));
            }
        }
        return out;
    }

    /**
     * Where chunks of one shard lie in its file, as one reading of its indexes found them: the
     * file's generation (null when there is no shard file) and, for each requested chunk that is
     * stored, its byte range {@code {start, end}} in the file (absent: the chunk is missing).
     */
    public record Located(long shard, String generation, Map<Long, long[]> ranges) {}

    /**
     * Find chunks {@code ids} of {@code shard}: the shard index entries they need (coalesced
     * ranged reads) and each of their minishard indexes, each read once (or none, when every
     * minishard index is in the cache from one generation of the file). With {@link #readLocated}
     * a caller reads the chunks of a batch in several pieces while reading the indexes once.
     * @throws StorageException when other writers changed the shard during each attempt
     * @throws CorruptChunkException naming the shard file when an index is malformed
     */
    public Located locate(long shard, Collection<Long> ids) {
        for (int attempt = 1; attempt <= RANGED_READ_ATTEMPTS; attempt++) {
            try {
                return locateOnce(shard, ids, attempt == 1);
            } catch (ShardChanged e) {
                cache.invalidate(shard);
            }
        }
        throw new StorageException(base.uri(), shardKey(shard), "read", "another writer changed " + where(shard) + " during each of "
                + RANGED_READ_ATTEMPTS + " attempts to read its indexes");
    }

    /**
     * The chunks {@code ids} (distinct, of {@code located}'s shard, and requested from
     * {@link #locate}), in order, read from where {@code located} found them: one base read per
     * run of chunks adjacent in the file, conditioned on the located generation, no index read.
     * If the shard file changed since, they are read afresh as {@link #readIds} does.
     */
    public List<ReadResult> readLocated(Located located, List<Long> ids, ReadOptions options) {
        return readLocated(located, ids, options, null);
    }

    /**
     * {@link #readLocated(Located, List, ReadOptions)} whose chunks' bytes go to their sinks as
     * they arrive where the base store can ({@link KeyValueStore#read(String, ReadOptions, BodySink)}):
     * for each run of chunks that all have a sink ({@code sinks} answers null for none) and take
     * it, with no {@code data_encoding} and the whole chunks asked for, the results are
     * {@link ReadResult.State#DELIVERED}. If the shard changed since it was located, the chunks are
     * read afresh as values, never delivered: a sink may then have got bytes of the other
     * version, which the caller's handling of the values overwrites.
     */
    public List<ReadResult> readLocated(Located located, List<Long> ids, ReadOptions options, LongFunction<BodySink> sinks) {
        if (new java.util.HashSet<>(ids).size() != ids.size()) throw new IllegalArgumentException("readLocated: repeated chunk ids");
        Map<Long, ReadResult> got;
        try {
            got = readFound(located, ids, options, sinks);
        } catch (ShardChanged e) {
            cache.invalidate(located.shard());
            got = readShardChunks(located.shard(), ids, options);
        }
        List<ReadResult> out = new ArrayList<>(ids.size());
        for (long id : ids) out.add(got.get(id));
        return out;
    }

    private Located locateOnce(long shard, Collection<Long> ids, boolean useCache) {
        TreeMap<Integer, Long> firstId = new TreeMap<>();
        for (long id : ids) firstId.putIfAbsent(spec.minishardOf(id), id);
        Map<Integer, MinishardIndex> indexes;
        String gen;
        MinishardCache.Hit hit = useCache ? cache.getAll(shard, firstId.keySet()) : null;
        if (hit != null) {
            gen = hit.generation();
            indexes = hit.indexes();
        } else {
            indexes = new HashMap<>();
            gen = loadIndexes(shard, firstId, indexes);
        }
        Map<Long, long[]> ranges = new HashMap<>();
        if (gen == null) return new Located(shard, null, ranges);
        for (long id : ids) {
            MinishardIndex mi = indexes.get(spec.minishardOf(id));
            int i = mi.find(id);
            if (i < 0) continue;
            ShardFile.checkStoredSize(mi.end(i) - mi.start(i), spec, limits, where(shard, id));
            ranges.put(id, new long[] {mi.start(i), mi.end(i)});
        }
        return new Located(shard, gen, ranges);
    }

    private Map<Long, ReadResult> readShardOnce(long shard, List<Long> ids, ReadOptions options, boolean useCache) {
        return readFound(locateOnce(shard, ids, useCache), ids, options, null);
    }

    /**
     * The chunks {@code ids} where {@code located} found them: MISSING, refused by a condition, or
     * read in runs (delivered to {@code sinks} where a run can be: see {@link #readLocated(Located, List, ReadOptions, LongFunction)}).
     */
    private Map<Long, ReadResult> readFound(Located located, List<Long> ids, ReadOptions options, LongFunction<BodySink> sinks) {
        long shard = located.shard();
        String gen = located.generation();
        Map<Long, ReadResult> out = new HashMap<>();
        if (gen == null) { // no shard file: every chunk is missing
            for (long id : ids) out.put(id, options.admits(Generation.NO_VALUE) ? ReadResult.MISSING : ReadResult.conditionNotMet(Generation.NO_VALUE));
            return out;
        }
        ByteRange range = options.range();
        boolean noBytesWanted = range.start() >= 0 && range.start() == range.end();
        List<ShardFile.Entry> found = new ArrayList<>();
        Set<Long> seen = new java.util.HashSet<>();
        for (long id : ids) {
            if (!seen.add(id)) continue;
            long[] at = located.ranges().get(id);
            String chunkGen = at == null ? Generation.NO_VALUE : gen;
            if (!options.admits(chunkGen)) {
                out.put(id, ReadResult.conditionNotMet(chunkGen));
            } else if (at == null) {
                out.put(id, ReadResult.MISSING);
            } else if (noBytesWanted) {
                out.put(id, ReadResult.of(NO_BYTES, gen));
            } else {
                found.add(new ShardFile.Entry(id, at[0], at[1]));
            }
        }
        // Runs of chunks adjacent in the file, one base read each, all at once.
        found.sort((a, b) -> a.start() != b.start() ? Long.compare(a.start(), b.start()) : Long.compare(a.end(), b.end()));
        List<Callable<Map<Long, ReadResult>>> runs = new ArrayList<>();
        int i = 0;
        while (i < found.size()) {
            int j = i + 1;
            while (j < found.size() && found.get(j).start() == found.get(j - 1).end()) j++;
            List<ShardFile.Entry> run = List.copyOf(found.subList(i, j));
            String g = gen;
            runs.add(() -> readRun(shard, run, g, options, sinks));
            i = j;
        }
        try {
            for (Map<Long, ReadResult> part : io.all(runs, ShardedKeyValueStore::closeAll)) out.putAll(part);
        } catch (RuntimeException e) {
            closeAll(out);
            throw e;
        }
        return out;
    }

    /** Reads base bytes under a permit of the I/O budget (the caller's, when it holds one). */
    private ReadResult baseRead(String key, ReadOptions o) {
        return baseRead(key, o, null);
    }

    /** {@link #baseRead(String, ReadOptions)} delivering into {@code sink} where the base can (null: none). */
    private ReadResult baseRead(String key, ReadOptions o, BodySink sink) {
        ByteRange r = o.range();
        long bytes = !r.isSuffix() && r.end() != Long.MAX_VALUE ? r.end() - r.start() : 0; // 0: unknown (a whole value)
        return io.call(bytes, () -> sink == null ? base.read(key, o) : base.read(key, o, sink));
    }

    /** Sinks for every chunk of {@code run}, or null when one has none or the run cannot be delivered. */
    private RunSink runSink(List<ShardFile.Entry> run, ReadOptions options, LongFunction<BodySink> sinks) {
        if (sinks == null || spec.dataEncoding() != Compression.NONE || !options.range().isAll()) return null;
        List<BodySink> each = new ArrayList<>(run.size());
        for (ShardFile.Entry c : run) {
            BodySink k = sinks.apply(c.id());
            if (k == null) return null;
            each.add(k);
        }
        return new RunSink(run, each);
    }

    /** {@code o} conditioned on generation {@code gen}, where the base can tell generations. */
    private static ReadOptions sameGeneration(ReadOptions o, String gen) {
        return gen == null || gen.equals(Generation.UNKNOWN) ? o : o.withIfEqual(gen);
    }

    /**
     * Loads the minishard indexes of {@code firstId}'s minishards (each with the first requested
     * chunk, for messages) into {@code indexes} and the cache; returns the shard file's
     * generation, or null if it does not exist.
     */
    private String loadIndexes(long shard, TreeMap<Integer, Long> firstId, Map<Integer, MinishardIndex> indexes) {
        String file = shardKey(shard);
        List<Integer> ms = new ArrayList<>(firstId.keySet());
        List<long[]> toLoad = new ArrayList<>(); // {minishard, start, end}
        String gen = null;
        int i = 0;
        while (i < ms.size()) {
            int j = i;
            while (j + 1 < ms.size() && ms.get(j + 1) - ms.get(j) <= ENTRY_GAP) j++;
            long lo = 16L * ms.get(i);
            long hi = 16L * (ms.get(j) + 1);
            ReadResult r = baseRead(file, sameGeneration(ReadOptions.range(ByteRange.of(lo, hi)), gen));
            if (!r.found()) {
                if (gen == null && r.state() == ReadResult.State.MISSING) return null;
                throw new ShardChanged();
            }
            if (gen == null) gen = r.generation();
            MemorySegment entries = r.bytes();
            ShardFile.checkIndexRead(entries, lo, hi - lo, spec, where(shard, firstId.get(ms.get(i))));
            for (int k = i; k <= j; k++) {
                int m = ms.get(k);
                long[] range = ShardFile.minishardRange(entries, 16L * m - lo, m, spec, limits, -1, where(shard, firstId.get(m)));
                if (range == null) {
                    indexes.put(m, MinishardIndex.EMPTY);
                    cache.put(shard, m, gen, MinishardIndex.EMPTY);
                } else {
                    toLoad.add(new long[] {m, range[0], range[1]});
                }
            }
            i = j + 1;
        }
        String g = gen;
        List<Callable<MinishardIndex>> tasks = new ArrayList<>();
        for (long[] t : toLoad) {
            int m = (int) t[0];
            tasks.add(() -> {
                String w = where(shard, firstId.get(m));
                ReadResult r = baseRead(file, sameGeneration(ReadOptions.range(ByteRange.of(t[1], t[2])), g));
                if (!r.found()) throw new ShardChanged();
                long got = r.bytes().byteSize();
                if (got != t[2] - t[1]) {
                    throw new CorruptChunkException(w, "minishard " + m + " index at [" + t[1] + ", " + t[2]
                            + ") is beyond the end of the shard file (got " + got + " of " + (t[2] - t[1]) + " bytes)");
                }
                return ShardFile.minishard(r.bytes(), shard, m, spec, limits, -1, w);
            });
        }
        List<MinishardIndex> loaded = io.all(tasks, x -> {});
        for (int k = 0; k < toLoad.size(); k++) {
            int m = (int) toLoad.get(k)[0];
            indexes.put(m, loaded.get(k));
            cache.put(shard, m, gen, loaded.get(k));
        }
        return gen;
    }

    private Map<Long, ReadResult> readRun(long shard, List<ShardFile.Entry> run, String gen, ReadOptions options, LongFunction<BodySink> sinks) {
        long s = run.getFirst().start();
        long e = run.getLast().end();
        BufferPool pool = options.buffers();
        boolean encoded = spec.dataEncoding() != Compression.NONE;
        // A lone raw chunk can land straight in the caller's pooled memory.
        boolean leaseWhole = run.size() == 1 && pool != null && !encoded && options.range().isAll();
        if (s == e) return sliced(shard, run, gen, options, NO_BYTES, null, false);
        ReadOptions ro = sameGeneration(ReadOptions.range(ByteRange.of(s, e)), gen);
        // Raw chunks with sinks go from the response straight to them (a sink refusing: read as values).
        ReadResult r = baseRead(shardKey(shard), leaseWhole ? ro.withBuffers(pool) : ro, runSink(run, options, sinks));
        if (r.state() == ReadResult.State.DELIVERED) {
            Map<Long, ReadResult> out = new HashMap<>();
            for (ShardFile.Entry c : run) out.put(c.id(), ReadResult.delivered(gen));
            return out;
        }
        if (!r.found()) throw new ShardChanged(); // the caller reads afresh, as values
        return sliced(shard, run, gen, options, r.bytes(), r.lease(), leaseWhole);
    }

    /**
     * The chunks of {@code run} as values, cut from {@code bytes} (the run as read, held by
     * {@code runLease} if not null, which this gives back or hands on): {@code data_encoding}
     * undone, each in a lease of the options' pool where there is one ({@code leaseWhole}: a lone
     * raw chunk keeps the run's lease).
     */
    private Map<Long, ReadResult> sliced(long shard, List<ShardFile.Entry> run, String gen, ReadOptions options, MemorySegment bytes, Lease runLease,
                                         boolean leaseWhole) {
        long s = run.getFirst().start();
        BufferPool pool = options.buffers();
        Map<Long, ReadResult> out = new HashMap<>();
        try {
            for (ShardFile.Entry c : run) {
                String w = where(shard, c.id());
                if (c.end() - s > bytes.byteSize()) {
                    throw new CorruptChunkException(w, "chunk byte range [" + c.start() + ", " + c.end()
                            + ") is beyond the end of the shard file (it ends at " + (s + bytes.byteSize()) + ")");
                }
                MemorySegment stored = bytes.asSlice(c.start() - s, c.size());
                Compression.Bounded v = ShardFile.chunk(stored, spec, limits, pool, w);
                long[] r = options.range().resolve(v.bytes().byteSize());
                MemorySegment value = v.bytes().asSlice(r[0], r[1] - r[0]);
                ReadResult res;
                if (v.lease() != null) {
                    res = ReadResult.leased(value, gen, v.lease());
                } else if (leaseWhole && runLease != null) {
                    res = ReadResult.leased(value, gen, runLease);
                    runLease = null;
                } else if (pool != null) {
                    Lease l = pool.lease(value.byteSize());
                    MemorySegment.copy(value, 0, l.segment(), 0, value.byteSize());
                    res = ReadResult.leased(l.segment(), gen, l);
                } else {
                    res = ReadResult.of(value, gen);
                }
                out.put(c.id(), res);
            }
            return out;
        } catch (RuntimeException ex) {
            closeAll(out);
            throw ex;
        } finally {
            if (runLease != null) runLease.close();
        }
    }

    /**
     * Every chunk stored in {@code shard} ({@code data_encoding} undone), by id in unsigned
     * order; empty if the shard file does not exist.
     */
    public SortedMap<Long, MemorySegment> readShard(long shard) {
        ReadResult r = base.read(shardKey(shard));
        return r.found() ? decodedChunks(r.bytes(), shard) : new TreeMap<>(Long::compareUnsigned);
    }

    /** Every chunk of a whole shard file's bytes ({@code data_encoding} undone), by id in unsigned order. */
    private SortedMap<Long, MemorySegment> decodedChunks(MemorySegment file, long shard) {
        SortedMap<Long, MemorySegment> out = new TreeMap<>(Long::compareUnsigned);
        for (ShardFile.Entry e : ShardFile.parse(file, shard, spec, limits, where(shard))) {
            out.put(e.id(), ShardFile.chunk(file.asSlice(e.start(), e.size()), spec, limits, null, where(shard, e.id())).bytes());
        }
        return out;
    }

    /**
     * The keys present that start with {@code prefix}, sorted. Slow by nature: reads every shard
     * file in the base store whole (its index and minishard indexes are all it needs, but they
     * are scattered through the file).
     */
    @Override
    public List<String> list(String prefix) {
        if (prefix.length() > 16) return List.of();
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String name : base.list("")) {
            Long shard = shardOfFileName(name);
            if (shard == null) continue;
            ReadResult r = base.read(name);
            if (!r.found()) continue; // deleted since the listing
            for (ShardFile.Entry e : ShardFile.parse(r.bytes(), shard, spec, limits, where(shard))) {
                String k = key(e.id());
                if (k.startsWith(prefix)) out.add(k);
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * The shard numbers of the shard files present in the base store (names that are exactly
     * this spec's shard file names), ascending.
     */
    public List<Long> storedShards() {
        List<Long> out = new ArrayList<>();
        for (String name : base.list("")) {
            Long shard = shardOfFileName(name);
            if (shard != null) out.add(shard);
        }
        out.sort(Long::compareUnsigned);
        return out;
    }

    /**
     * The ids of the chunks stored in {@code shard}, read from its shard index and minishard
     * indexes only (ranged reads: the chunk data is not read), ascending; empty when the file
     * does not exist. Planning and verification use this to follow what is stored.
     * @throws CorruptChunkException naming the shard file when an index is malformed
     */
    public long[] storedIds(long shard) {
        String file = shardKey(shard);
        long indexSize = spec.shardIndexSize();
        for (int attempt = 1; attempt <= RANGED_READ_ATTEMPTS; attempt++) {
            ReadResult r = baseRead(file, ReadOptions.range(ByteRange.of(0, indexSize)));
            if (!r.found()) return new long[0];
            String gen = r.generation();
            try (r) {
                MemorySegment entries = r.bytes();
                ShardFile.checkIndexRead(entries, 0, indexSize, spec, where(shard));
                java.util.stream.LongStream.Builder ids = java.util.stream.LongStream.builder();
                for (int m = 0; m < spec.minishardCount(); m++) {
                    long[] range = ShardFile.minishardRange(entries, 16L * m, m, spec, limits, -1, where(shard));
                    if (range == null) continue;
                    ReadResult mr = baseRead(file, sameGeneration(ReadOptions.range(ByteRange.of(range[0], range[1])), gen));
                    if (!mr.found()) throw new ShardChanged();
                    try (mr) {
                        if (mr.bytes().byteSize() != range[1] - range[0]) {
                            throw new CorruptChunkException(where(shard), "minishard " + m + " index at [" + range[0] + ", " + range[1]
                                    + ") is beyond the end of the shard file (got " + mr.bytes().byteSize() + " of " + (range[1] - range[0]) + " bytes)");
                        }
                        MinishardIndex mi = ShardFile.minishard(mr.bytes(), shard, m, spec, limits, -1, where(shard));
                        for (int i = 0; i < mi.size(); i++) ids.add(mi.id(i));
                    }
                }
                long[] out = ids.build().toArray();
                java.util.Arrays.sort(out); // ids are < 2^63 in practice; unsigned order would differ only above
                return out;
            } catch (ShardChanged e) {
                // rewritten between our reads: list it again
            }
        }
        throw new StorageException(base.uri(), file, "read", "another writer changed " + where(shard) + " during each of "
                + RANGED_READ_ATTEMPTS + " attempts to read its indexes");
    }

    /** The shard number a base key names, or null if it is not one of this spec's shard files. */
    private Long shardOfFileName(String name) {
        if (!name.endsWith(".shard")) return null;
        String hex = name.substring(0, name.length() - ".shard".length());
        if (hex.isEmpty() || hex.length() > 16) return null;
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
        }
        long shard = Long.parseUnsignedLong(hex, 16);
        if (spec.shardBits() < 64 && (shard >>> spec.shardBits()) != 0) return null;
        return spec.shardFileName(shard).equals(name) ? shard : null;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Store one chunk: a conditional read-modify-write of its shard (see the class notes). The
     * caller's {@code ifEqual} is checked against the chunk's generation as read in the same
     * cycle that writes.
     * @throws ConflictException naming the shard when other writers won every attempt
     */
    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        long id = idOf(key);
        Objects.requireNonNull(value, "value");
        checkChunkSize(id, value);
        return updateShard(spec.shardOf(id), Map.of(id, KeyUpdate.put(key, value)), options.ifEqual(), id, limits.retry()).result;
    }

    /** Remove one chunk by read-modify-write of its shard; true if it existed. */
    @Override
    public boolean delete(String key) {
        long id = idOf(key);
        return updateShard(spec.shardOf(id), Map.of(id, KeyUpdate.put(key, null)), null, id, limits.retry()).changed;
    }

    /**
     * The batched write, the one way chunks get into shard files: the updates are grouped by
     * shard and the shards written in parallel, each in one atomic base write. A shard whose
     * updates are all puts and cover every chunk it can hold ({@code chunksPerShard}, given at
     * construction) is written whole without being read (what a pyramid or a copy does: nothing
     * of the old shard survives, so there is nothing to read). Any other shard is read with its
     * generation, patched (each {@link KeyUpdate.Patch} sees its chunk's current bytes, the
     * chunks not listed are kept as stored) and written back on the condition that it is
     * unchanged, under {@code retry}: concurrent writers of one shard all survive. A shard left
     * with no chunk is deleted when written whole, and kept as an empty shard file otherwise
     * (there is no conditional delete).
     * @throws InvalidInputException on a key that is no chunk id, a repeated key, or a chunk over the size cap; nothing is written then
     * @throws ConflictException naming a shard that other writers changed during every attempt
     */
    public void update(List<KeyUpdate> updates, ConflictRetry retry) {
        Map<Long, Map<Long, KeyUpdate>> byShard = new LinkedHashMap<>();
        for (KeyUpdate u : updates) {
            long id = idOf(u.key());
            if (u.value() != null) checkChunkSize(id, u.value());
            if (byShard.computeIfAbsent(spec.shardOf(id), s -> new TreeMap<>(Long::compareUnsigned)).put(id, u) != null) {
                throw new InvalidInputException("chunk " + u.key() + " is listed twice in one batched write");
            }
        }
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (var e : byShard.entrySet()) tasks.add(() -> updateShard(e.getKey(), e.getValue(), null, 0, retry).changed);
        io.all(tasks, x -> {});
    }

    /**
     * Replace each listed shard file with exactly its chunks (id → bytes before
     * {@code data_encoding}), unconditionally, one atomic base write per shard: the caller
     * asserts it covers every chunk of those shards. A shard listed with no chunks is deleted.
     * @throws InvalidInputException if a chunk does not belong to the shard it is listed under
     */
    public void writeShards(Map<Long, ? extends SortedMap<Long, MemorySegment>> whole) {
        for (var e : whole.entrySet()) {
            for (var c : e.getValue().entrySet()) {
                long id = c.getKey();
                if (spec.shardOf(id) != e.getKey()) {
                    throw new InvalidInputException("chunk " + Long.toUnsignedString(id) + " belongs to " + where(spec.shardOf(id))
                            + ", not " + where(e.getKey()));
                }
                checkChunkSize(id, c.getValue());
            }
        }
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (var e : whole.entrySet()) tasks.add(() -> replaceShard(e.getKey(), e.getValue()).changed);
        io.all(tasks, x -> {});
    }

    private record Outcome(WriteResult result, boolean changed) {}

    /** One atomic base write of the whole shard (a delete when empty). */
    private Outcome replaceShard(long shard, SortedMap<Long, MemorySegment> chunks) {
        try {
            if (chunks.isEmpty()) {
                boolean deleted = io.call(0, () -> base.delete(shardKey(shard)));
                return new Outcome(new WriteResult(true, Generation.NO_VALUE), deleted);
            }
            MemorySegment file = ShardEncoder.encode(spec, chunks);
            return new Outcome(io.call(file.byteSize(), () -> base.write(shardKey(shard), file)), true);
        } finally {
            cache.invalidate(shard);
        }
    }

    private void checkChunkSize(long id, MemorySegment value) {
        if (value.byteSize() > limits.maxChunkBytes()) {
            throw new InvalidInputException("chunk " + Long.toUnsignedString(id) + " of " + value.byteSize() + " bytes is larger than the "
                    + limits.maxChunkBytes() + " any chunk of this scale can have");
        }
    }

    /** Whether {@code updates} (one shard's) replace the whole shard: all puts, every chunk the shard can hold. */
    private boolean coversWhole(long shard, Map<Long, KeyUpdate> updates) {
        if (chunksPerShard == null) return false;
        for (KeyUpdate u : updates.values()) if (!u.blind()) return false;
        return updates.size() == chunksPerShard.applyAsLong(shard);
    }

    /**
     * One shard's update (see {@link #update}); if {@code ifEqual} is not null, only if chunk
     * {@code condId}'s generation equals it (checked in the cycle that writes, never retried).
     */
    private Outcome updateShard(long shard, Map<Long, KeyUpdate> updates, String ifEqual, long condId, ConflictRetry retry) {
        if (ifEqual == null && coversWhole(shard, updates)) {
            SortedMap<Long, MemorySegment> chunks = new TreeMap<>(Long::compareUnsigned);
            for (var e : updates.entrySet()) if (e.getValue().value() != null) chunks.put(e.getKey(), e.getValue().value());
            return replaceShard(shard, chunks);
        }
        String file = shardKey(shard);
        ReentrantLock lock = shardLocks[Long.hashCode(shard) & (shardLocks.length - 1)];
        lock.lock();
        try {
            for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
                if (attempt > 1) retry.backoff(attempt - 1);
                ReadResult r = baseRead(file, ReadOptions.ALL);
                String gen = Generation.NO_VALUE;
                TreeMap<Long, MemorySegment> stored = new TreeMap<>(Long::compareUnsigned);
                if (r.found()) {
                    gen = r.generation();
                    if (gen.equals(Generation.UNKNOWN) || gen.equals(Generation.NO_VALUE)) {
                        throw new StorageException(base.uri(), file, "write", "the store does not report generations, so "
                                + where(shard) + " cannot be updated without risking a concurrent writer's chunks");
                    }
                    MemorySegment bytes = r.bytes();
                    for (ShardFile.Entry e : ShardFile.parse(bytes, shard, spec, limits, where(shard))) {
                        stored.put(e.id(), bytes.asSlice(e.start(), e.size()));
                    }
                }
                if (ifEqual != null) {
                    String chunkGen = stored.containsKey(condId) ? gen : Generation.NO_VALUE;
                    if (!ifEqual.equals(chunkGen)) return new Outcome(WriteResult.conditionNotMet(chunkGen), false);
                }
                boolean changed = false;
                for (var e : updates.entrySet()) {
                    long id = e.getKey();
                    KeyUpdate u = e.getValue();
                    MemorySegment next = u.blind() ? u.value() : u.patch().apply(storedValue(stored.get(id), gen, shard, id));
                    if (next == null) {
                        changed |= stored.remove(id) != null;
                    } else {
                        if (!u.blind()) checkChunkSize(id, next);
                        stored.put(id, ShardEncoder.encodeData(spec, next));
                        changed = true;
                    }
                }
                if (!changed) return new Outcome(new WriteResult(false, gen), false);
                MemorySegment bytes = ShardEncoder.assemble(spec, stored);
                WriteOptions cond = gen.equals(Generation.NO_VALUE) ? WriteOptions.ifMissing() : WriteOptions.ifEqual(gen);
                WriteResult w = io.call(bytes.byteSize(), () -> base.write(file, bytes, cond));
                if (w.written()) {
                    cache.invalidate(shard);
                    return new Outcome(w, true);
                }
            }
        } finally {
            lock.unlock();
        }
        throw new ConflictException(base.uri(), file, retry.attempts());
    }

    /** A stored chunk ({@code data_encoding} still applied; null: absent) as a patch sees it. */
    private ReadResult storedValue(MemorySegment stored, String gen, long shard, long id) {
        if (stored == null) return ReadResult.MISSING;
        return ReadResult.of(ShardFile.chunk(stored, spec, limits, null, where(shard, id)).bytes(), gen);
    }
}
