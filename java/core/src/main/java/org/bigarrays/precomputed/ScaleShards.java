package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyUpdate;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.sharding.CompressedMorton;
import org.bigarrays.sharding.ShardLimits;
import org.bigarrays.sharding.ShardedKeyValueStore;
import org.bigarrays.sharding.ShardingSpec;

/**
 * The chunks of a sharded scale, as the scale's {@link ChunkStorage}: grid cells become chunk ids
 * (compressed Morton codes) and keys of the scale's {@link ShardedKeyValueStore}, which does the
 * reading and writing (batched reads, one batch per shard of a cutout piece; batched writes, one
 * atomic write per shard). Beside that it answers what planners ask about the shards: which
 * shard a cell is in, how many chunks of the grid a shard holds, which shards and chunks are
 * stored. The only class of the format layer ({@code precomputed}) that uses the sharding
 * package's store.
 */
public final class ScaleShards implements ChunkStorage {
    private final ShardingSpec spec;
    private final ShardedKeyValueStore sharded;
    private final ChunkGrid grid;
    private final int[] mortonBits;
    private volatile Map<Long, Long> chunksPerShard;

    /**
     * @param maxChunkBytes the most bytes one stored chunk may inflate to (caps hostile shard data)
     * @param io the I/O budget the shard reads and writes take permits of
     */
    ScaleShards(KeyValueStore store, Scale scale, ChunkGrid grid, long maxChunkBytes, IoBudget io) {
        this.spec = ShardingSpec.parse(scale.sharding().toString(), "scale '" + scale.key() + "' sharding");
        this.grid = grid;
        this.mortonBits = CompressedMorton.bits(grid.gridShape());
        this.sharded = new ShardedKeyValueStore(store, spec, scale.key() + "/", ShardLimits.of(maxChunkBytes, cellCount(grid)), this::chunksInShard, io);
    }

    /** The number of chunks in the grid (bounds a minishard index), saturating. */
    private static long cellCount(ChunkGrid grid) {
        long[] g = grid.gridShape();
        try {
            return Math.multiplyExact(Math.multiplyExact(g[0], g[1]), g[2]);
        } catch (ArithmeticException huge) {
            return Long.MAX_VALUE;
        }
    }

    public ShardingSpec spec() {
        return spec;
    }

    /**
     * Whether each chunk lies in its shard file as stored (no shard data encoding), so the body
     * of a run of adjacent chunks can go straight to the chunks' own sinks.
     */
    public boolean chunksStoredPlain() {
        return spec.dataEncoding() == Compression.NONE;
    }

    /** The chunk id (compressed Morton code) of grid cell {@code cell}. */
    public long chunkId(long[] cell) {
        return CompressedMorton.encodeBits(cell, mortonBits);
    }

    /** The grid cell of chunk id {@code id}. */
    public long[] cellOf(long id) {
        return CompressedMorton.decodeBits(id, mortonBits);
    }

    public long shardOf(long[] cell) {
        return spec.shardOf(chunkId(cell));
    }

    /** The key of shard file {@code shard} in the scale directory. */
    public String shardKey(long shard) {
        return sharded.shardKey(shard);
    }

    /** The shard shape in chunks when shards are aligned blocks of the grid (identity hash), else null. */
    public long[] shardShapeInChunks() {
        return spec.shardShapeInChunks(grid.gridShape());
    }

    /**
     * How many chunks of the volume's grid belong to {@code shard}, so writers can tell whether a
     * box covers whole shards: directly for spatial (identity-hash) shards, else counted once
     * over the whole grid.
     */
    public long chunksInShard(long shard) {
        long[] g = grid.gridShape();
        long[] block = shardShapeInChunks();
        if (block != null) {
            // Spatial shards: the shard is the aligned block at the cell of its first id, cut by the grid.
            int low = spec.preshiftBits() + spec.minishardBits();
            int total = 0;
            for (int b : mortonBits) total += b;
            if (low >= 64) return shard == 0 ? g[0] * g[1] * g[2] : 0;
            long first = shard << low;
            if ((first >>> low) != shard || (total < 64 && (first >>> total) != 0)) return 0;
            long[] o = CompressedMorton.decodeBits(first, mortonBits);
            long n = 1;
            for (int i = 0; i < 3; i++) n *= Math.max(0, Math.min(block[i], g[i] - o[i]));
            return n;
        }
        Map<Long, Long> m = chunksPerShard;
        if (m == null) {
            Map<Long, Long> counts = new HashMap<>();
            grid.allCells().forEach(cell -> counts.merge(shardOf(cell), 1L, Long::sum));
            chunksPerShard = m = counts;
        }
        return m.getOrDefault(shard, 0L);
    }

    /** The shard files present in the scale directory, by shard number, ascending. */
    public List<Long> storedShards() {
        return sharded.storedShards();
    }

    /**
     * The ids of the chunks stored in {@code shard}, from its indexes only (no chunk data read).
     * @throws org.bigarrays.CorruptChunkException naming the shard file when an index is malformed
     */
    public long[] storedIds(long shard) {
        return sharded.storedIds(shard);
    }

    /** Grid bits per axis of this scale's compressed Morton codes: an id is a cell of the grid only if it fits them. */
    boolean idFitsGrid(long id) {
        int total = 0;
        for (int b : mortonBits) total += b;
        return total >= 64 || (id >>> total) == 0;
    }

    @Override
    public String key(long[] cell) {
        long id = chunkId(cell);
        return spec.shardFileName(spec.shardOf(id)) + ", chunk " + Long.toUnsignedString(id);
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options) {
        return sharded.read(ShardedKeyValueStore.key(chunkId(cell)), options);
    }

    /**
     * Reads for the cells of {@code range}: the first fetch of a chunk in a shard locates all of
     * that shard's chunks in the range at once (shard index entries and minishard indexes, each
     * read once), which makes the shard's runs of chunks adjacent in its file (one ranged read
     * each); every fetch of the shard then reads the run of its own chunk if no one has claimed it
     * yet, else helps with a run no one has claimed, else waits for its chunk. So the runs are read
     * by as many callers as ask at once: callers hold I/O permits while they wait, and one caller
     * reading a shard's runs for all would leave them idle. A caller that finds no one else
     * asking once a run has been read (a sequential reader, or the last task of the piece) reads
     * all runs left at once, in parallel where the I/O budget has permits free. Each chunk's bytes
     * are handed out once, then dropped.
     */
    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        return fetcher(range, options, null);
    }

    /** {@link #fetcher(CellRange, ReadOptions)} whose runs go to the chunks' sinks where they can (see {@link ShardedKeyValueStore#readLocated(ShardedKeyValueStore.Located, List, ReadOptions, LongFunction)}). */
    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options, Function<long[], BodySink> sinks) {
        LongFunction<BodySink> byId = sinks == null ? null : id -> sinks.apply(cellOf(id));
        Map<Long, List<Long>> idsByShard = new HashMap<>();
        range.forEach(cell -> {
            long id = chunkId(cell);
            idsByShard.computeIfAbsent(spec.shardOf(id), s -> new ArrayList<>()).add(id);
        });
        Map<Long, ShardBatch> batches = new HashMap<>();
        idsByShard.forEach((s, ids) -> batches.put(s, new ShardBatch(s, ids, options, byId)));
        return cell -> {
            long id = chunkId(cell);
            ShardBatch b = batches.get(spec.shardOf(id));
            return b == null ? sharded.read(ShardedKeyValueStore.key(id), options) : b.take(id);
        };
    }

    /** The chunks of one shard that a cutout piece needs, located once and read run by run by whoever asks. */
    private final class ShardBatch {
        private final long shard;
        private final List<Long> ids;
        private final ReadOptions options;
        private final LongFunction<BodySink> sinks; // null: none
        private ShardedKeyValueStore.Located located; // null until the first take
        private RuntimeException locateFailure;
        /** Each id's run (ids adjacent in the file; missing chunks form one run of their own, read without a request). */
        private final Map<Long, List<Long>> runOf = new HashMap<>();
        private final java.util.ArrayDeque<List<Long>> unclaimed = new java.util.ArrayDeque<>();
        private final java.util.Set<List<Long>> claimed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private final Map<Long, ReadResult> results = new HashMap<>();
        private final Map<Long, RuntimeException> failures = new HashMap<>();
        private final java.util.concurrent.atomic.AtomicInteger callers = new java.util.concurrent.atomic.AtomicInteger(); // in take now
        private int runsRead;

        ShardBatch(long shard, List<Long> ids, ReadOptions options, LongFunction<BodySink> sinks) {
            this.shard = shard;
            this.ids = ids;
            this.options = options;
            this.sinks = sinks;
        }

        ReadResult take(long id) {
            callers.incrementAndGet();
            try {
                return takeCounted(id);
            } finally {
                callers.decrementAndGet();
            }
        }

        private ReadResult takeCounted(long id) {
            synchronized (this) {
                if (located == null && locateFailure == null) {
                    try {
                        located = sharded.locate(shard, ids);
                        planRuns();
                    } catch (RuntimeException e) {
                        locateFailure = e;
                    }
                }
                if (locateFailure != null) throw locateFailure;
                if (!runOf.containsKey(id)) return sharded.read(ShardedKeyValueStore.key(id), options); // not in the piece, or taken before
            }
            while (true) {
                List<Long> run;
                List<Long> more = List.of();
                synchronized (this) {
                    ReadResult r = results.remove(id);
                    if (r != null) {
                        runOf.remove(id);
                        return r;
                    }
                    RuntimeException f = failures.get(id);
                    if (f != null) throw f;
                    List<Long> own = runOf.get(id);
                    run = !claimed.contains(own) ? own : unclaimed.pollFirst();
                    if (run == null) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new org.bigarrays.BigArraysException("interrupted while waiting for chunks of " + sharded.describe(id), e);
                        }
                        continue;
                    }
                    unclaimed.remove(run);
                    claimed.add(run);
                    if (callers.get() == 1 && runsRead > 0 && !unclaimed.isEmpty()) {
                        // No one else asked while a run was read (a sequential reader, or the last task of
                        // the piece): read every run left now, in parallel where the I/O budget allows.
                        // Not on the first run: concurrent tasks may not have arrived yet.
                        more = new ArrayList<>(run);
                        for (List<Long> next; (next = unclaimed.pollFirst()) != null; ) {
                            claimed.add(next);
                            more.addAll(next);
                        }
                    }
                }
                readRun(more.isEmpty() ? run : more);
            }
        }

        /** Reads the chunks of one run (or of several) and publishes their results, or the failure, to the callers waiting for them. */
        private void readRun(List<Long> run) {
            List<ReadResult> got = null;
            Throwable failure = null;
            try {
                got = sharded.readLocated(located, run, options, sinks);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            synchronized (this) {
                RuntimeException f = failure == null ? null
                        : failure instanceof RuntimeException re ? re : new org.bigarrays.BigArraysException("reading " + sharded.describe(run.getFirst()) + ": " + failure, failure);
                for (int i = 0; i < run.size(); i++) {
                    if (f != null) failures.put(run.get(i), f);
                    else results.put(run.get(i), got.get(i));
                }
                runsRead++;
                notifyAll();
            }
            if (failure instanceof Error e) throw e;
        }

        /** The located ids cut into runs adjacent in the file, in file order; missing ones together. */
        private void planRuns() {
            Map<Long, long[]> where = located.ranges();
            List<Long> found = new ArrayList<>();
            List<Long> missing = new ArrayList<>();
            for (long id : new java.util.LinkedHashSet<>(ids)) (where.containsKey(id) ? found : missing).add(id);
            found.sort((a, b) -> Long.compare(where.get(a)[0], where.get(b)[0]));
            List<Long> run = null;
            long end = -1;
            for (long id : found) {
                long[] r = where.get(id);
                if (run == null || r[0] != end) {
                    run = new ArrayList<>();
                    unclaimed.add(run);
                }
                run.add(id);
                runOf.put(id, run);
                end = r[1];
            }
            if (!missing.isEmpty()) {
                unclaimed.addFirst(missing);
                for (long id : missing) runOf.put(id, missing);
            }
        }
    }

    /**
     * Where chunks of one shard lie in its file, as {@link #locate} found them, for
     * {@link #readLocated}: the chunk layer holds it without seeing the sharding package.
     */
    public static final class Located {
        private final ShardedKeyValueStore.Located where;

        private Located(ShardedKeyValueStore.Located where) {
            this.where = where;
        }

        /** For each located chunk id that is stored, its byte range {@code {start, end}} in the shard file (absent: missing). */
        public Map<Long, long[]> ranges() {
            return where.ranges();
        }
    }

    /**
     * Where the chunks of {@code cells} (all in {@code shard}) lie in the shard file, from one
     * reading of the index entries and minishard indexes they need: for batches that read a
     * shard's chunks in several pieces ({@link #readLocated}) but its indexes once.
     */
    public Located locate(long shard, List<long[]> cells) {
        List<Long> ids = new ArrayList<>(cells.size());
        for (long[] c : cells) ids.add(chunkId(c));
        return new Located(sharded.locate(shard, ids));
    }

    /** The stored bytes of {@code cells} (distinct, located by {@link #locate}), in order, without reading an index again. */
    public List<ReadResult> readLocated(Located located, List<long[]> cells, ReadOptions options) {
        List<Long> ids = new ArrayList<>(cells.size());
        for (long[] c : cells) ids.add(chunkId(c));
        return sharded.readLocated(located.where, ids, options);
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options) {
        return sharded.write(ShardedKeyValueStore.key(chunkId(cell)), encoded, options); // one name in a shard, whatever the compression
    }

    @Override
    public boolean delete(long[] cell) {
        return sharded.delete(ShardedKeyValueStore.key(chunkId(cell)));
    }

    @Override
    public long[] unitShapeInChunks() {
        return shardShapeInChunks();
    }

    @Override
    public boolean groupsChunks() {
        return true;
    }

    /** The cells of {@code range} by shard, ids ascending within a shard as the shard file stores them. */
    @Override
    public List<ScaleChunkStore.WriteGroup> writeGroups(CellRange range) {
        Map<Long, List<long[]>> byShard = new LinkedHashMap<>();
        range.forEach(cell -> byShard.computeIfAbsent(shardOf(cell), s -> new ArrayList<>()).add(cell.clone()));
        List<ScaleChunkStore.WriteGroup> out = new ArrayList<>(byShard.size());
        for (var e : byShard.entrySet()) {
            List<long[]> cells = e.getValue();
            cells.sort((a, b) -> Long.compareUnsigned(chunkId(a), chunkId(b)));
            out.add(new ScaleChunkStore.WriteGroup(cells, "shard file '" + shardKey(e.getKey()) + "'", chunksInShard(e.getKey())));
        }
        return out;
    }

    /** The batched write of {@link ScaleChunkStore#update}: one atomic write per shard (see {@link ShardedKeyValueStore#update}). */
    @Override
    public void update(List<ChunkUpdate> updates, ConflictRetry retry) {
        List<KeyUpdate> keyed = new ArrayList<>(updates.size());
        for (ChunkUpdate u : updates) keyed.add(new KeyUpdate(ShardedKeyValueStore.key(chunkId(u.cell())), u.value(), u.patch()));
        sharded.update(keyed, retry);
    }
}
