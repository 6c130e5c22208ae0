package org.bigarrays.zarr;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bigarrays.ConflictException;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.ChunkStorage;
import org.bigarrays.precomputed.ChunkUpdate;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.StoredChunks;
import org.bigarrays.zarr.codec.ShardingCodec;

/**
 * A Zarr array with {@code sharding_indexed}: the library's chunks are the inner chunks, each
 * shard (the array's chunk) one key holding them and an index. Reads take the index with one
 * ranged read (at the shard's start or end), then each inner chunk with a ranged read conditioned
 * on the index's generation, so a shard replaced in between is read again, never mixed. Writes
 * are whole shards, one atomic write each: unconditional when a batch replaces every inner chunk
 * of the shard that lies in the array, else a read-modify-write conditioned on the generation it
 * read, retried under the caller's {@link ConflictRetry}.
 */
final class ZarrShardStorage implements ChunkStorage {
    private static final int STALE_READS = 8;

    private final KeyValueStore store;
    private final ZarrChunkKeys shardKeys; // over shard grid positions
    private final ShardingCodec sharding;
    private final AxisMapping axes;
    private final ChunkGrid grid; // of inner chunks
    private final long[] perShard; // inner chunks per shard, [x, y, z]

    private final ChannelGroups groups;

    ZarrShardStorage(KeyValueStore store, ZarrChunkKeys shardKeys, ShardingCodec sharding, AxisMapping axes, ChunkGrid grid, ChannelGroups groups) {
        this.groups = groups;
        this.store = store;
        this.shardKeys = shardKeys;
        this.sharding = sharding;
        this.axes = axes;
        this.grid = grid;
        long[] lib = axes.toLibrary(sharding.chunksPerShard(), 1);
        this.perShard = new long[] {lib[0], lib[1], lib[2]};
    }

    private long[] shardOf(long[] cell) {
        return new long[] {cell[0] / perShard[0], cell[1] / perShard[1], cell[2] / perShard[2]};
    }

    private String shardKey(long[] cell) {
        return shardKeys.key(shardOf(cell));
    }

    private int inner(long[] cell) {
        return inner(cell, 0);
    }

    /** The inner chunk of channel group {@code g} of {@code cell} (all groups lie in the cell's shard). */
    private int inner(long[] cell, int g) {
        long[] p = {cell[0] % perShard[0], cell[1] % perShard[1], cell[2] % perShard[2], g};
        return sharding.innerChunkIndex(axes.toStored(p, 0));
    }

    /** The cell's stored bytes as {@code at} locates them (its channel groups packed); null when the shard changed since. */
    private ReadResult readCell(String shard, Located at, long[] cell, ReadOptions options) {
        if (groups.single()) return readInner(shard, at, inner(cell), options);
        List<ReadResult> reads = new ArrayList<>(groups.groups);
        try {
            for (int g = 0; g < groups.groups; g++) {
                ReadResult r = readInner(shard, at, inner(cell, g), ReadOptions.ALL);
                if (r == null) return null; // the shard changed since its index was read
                reads.add(r);
            }
            if (reads.stream().noneMatch(ReadResult::found)) return ReadResult.MISSING;
            // Packed straight from the values read: one copy.
            return ReadResult.of(ChannelGroups.pack(reads.stream().map(r -> r.found() ? r.bytes() : null).toList()), at.generation);
        } finally {
            reads.forEach(ReadResult::close);
        }
    }

    /** The cell's entries of a shard's inner chunks, packed where its channels are split; null when all are missing. */
    private MemorySegment getCell(List<MemorySegment> chunks, long[] cell) {
        if (groups.single()) return chunks.get(inner(cell));
        List<MemorySegment> parts = new ArrayList<>(groups.groups);
        boolean any = false;
        for (int g = 0; g < groups.groups; g++) {
            parts.add(chunks.get(inner(cell, g)));
            any |= parts.getLast() != null;
        }
        return any ? ChannelGroups.pack(parts) : null;
    }

    /** Set the cell's entries from {@code value} (null: missing). */
    private void setCell(List<MemorySegment> chunks, long[] cell, MemorySegment value) {
        if (groups.single()) {
            chunks.set(inner(cell), value);
            return;
        }
        List<MemorySegment> parts = value == null ? null : groups.unpack(value, key(cell));
        for (int g = 0; g < groups.groups; g++) chunks.set(inner(cell, g), parts == null ? null : parts.get(g));
    }

    @Override
    public String key(long[] cell) {
        return shardKey(cell) + ", inner chunk " + inner(cell);
    }

    private record Located(String generation, ShardingCodec.Index index) {}

    /** The shard's index and generation; null when the shard is missing. */
    private Located locate(String shard) {
        try (ReadResult r = store.read(shard, ReadOptions.range(sharding.indexRange()))) {
            if (!r.found()) return null;
            // The shard's size is unknown after a suffix read: an entry past the end shows as a short read below.
            long size = Long.MAX_VALUE / 2;
            return new Located(r.generation(), sharding.decodeIndex(r.bytes(), size, shard));
        }
    }

    /** Inner chunk {@code i} of {@code shard} as {@code at} locates it; null when the shard changed since. */
    private ReadResult readInner(String shard, Located at, int i, ReadOptions options) {
        if (at == null || at.index.isMissing(i)) return ReadResult.MISSING;
        ReadOptions ranged = options.withRange(at.index.range(i));
        if (!Generation.UNKNOWN.equals(at.generation)) ranged = ranged.withIfEqual(at.generation);
        ReadResult r = store.read(shard, ranged);
        if (r.state() == ReadResult.State.CONDITION_NOT_MET || !r.found()) {
            r.close();
            return null;
        }
        if (r.bytes().byteSize() != at.index.length(i)) {
            long got = r.bytes().byteSize();
            r.close();
            throw new CorruptChunkException(shard, "inner chunk " + i + " lies past the shard's end: read " + got + " of its " + at.index.length(i) + " bytes");
        }
        return r;
    }

    @Override
    public ReadResult read(long[] cell, ReadOptions options) {
        String shard = shardKey(cell);
        for (int attempt = 0; attempt < STALE_READS; attempt++) {
            Located at = locate(shard);
            ReadResult r = at == null ? ReadResult.MISSING : readCell(shard, at, cell, options);
            if (r != null) return r;
        }
        throw new ConflictException(store.uri(), shard, STALE_READS);
    }

    @Override
    public ScaleChunkStore.Fetcher fetcher(CellRange range, ReadOptions options) {
        Map<String, Located> located = new java.util.concurrent.ConcurrentHashMap<>(); // one index read per shard of the range
        return cell -> {
            String shard = shardKey(cell);
            for (int attempt = 0; attempt < STALE_READS; attempt++) {
                Located at = attempt == 0 ? located.get(shard) : null;
                if (at == null) {
                    at = locateOrMissing(shard);
                    located.put(shard, at);
                }
                ReadResult r = at == MISSING_SHARD ? ReadResult.MISSING : readCell(shard, at, cell, options);
                if (r != null) return r;
            }
            throw new ConflictException(store.uri(), shard, STALE_READS);
        };
    }

    private static final Located MISSING_SHARD = new Located(Generation.NO_VALUE, null);

    private Located locateOrMissing(String shard) {
        Located l = locate(shard);
        return l == null ? MISSING_SHARD : l;
    }

    @Override
    public WriteResult write(long[] cell, MemorySegment encoded, Compression transport, WriteOptions options) {
        throw new UnsupportedOperationException("a sharded Zarr array is written a shard at a time (update)");
    }

    @Override
    public boolean delete(long[] cell) {
        throw new UnsupportedOperationException("a sharded Zarr array is written a shard at a time (update)");
    }

    @Override
    public long[] unitShapeInChunks() {
        return perShard.clone();
    }

    @Override
    public boolean groupsChunks() {
        return true;
    }

    /** The cells of the grid in the shard of {@code cell}. */
    private long cellsInShard(long[] shard) {
        long[] g = grid.gridShape();
        long n = 1;
        for (int a = 0; a < 3; a++) n *= Math.min(perShard[a], g[a] - shard[a] * perShard[a]);
        return n;
    }

    @Override
    public List<ScaleChunkStore.WriteGroup> writeGroups(CellRange range) {
        Map<String, List<long[]>> byShard = new LinkedHashMap<>();
        Map<String, long[]> shardOf = new HashMap<>();
        range.forEach(cell -> {
            String k = shardKey(cell);
            byShard.computeIfAbsent(k, x -> new ArrayList<>()).add(cell.clone());
            shardOf.putIfAbsent(k, shardOf(cell));
        });
        List<ScaleChunkStore.WriteGroup> out = new ArrayList<>(byShard.size());
        for (var e : byShard.entrySet()) {
            out.add(new ScaleChunkStore.WriteGroup(e.getValue(), "shard '" + e.getKey() + "'", cellsInShard(shardOf.get(e.getKey()))));
        }
        return out;
    }

    @Override
    public void update(List<ChunkUpdate> updates, ConflictRetry retry) {
        Map<String, List<ChunkUpdate>> byShard = new LinkedHashMap<>();
        Map<String, long[]> shardOf = new HashMap<>();
        for (ChunkUpdate u : updates) {
            String k = shardKey(u.cell());
            byShard.computeIfAbsent(k, x -> new ArrayList<>()).add(u);
            shardOf.putIfAbsent(k, shardOf(u.cell()));
        }
        for (var e : byShard.entrySet()) updateShard(e.getKey(), e.getValue(), cellsInShard(shardOf.get(e.getKey())), retry);
    }

    private void updateShard(String shard, List<ChunkUpdate> updates, long cells, ConflictRetry retry) {
        boolean blind = updates.stream().allMatch(u -> u.patch() == null) && updates.size() == cells;
        if (blind) {
            List<MemorySegment> chunks = new ArrayList<>(java.util.Collections.nCopies(sharding.innerChunkCount(), (MemorySegment) null));
            for (ChunkUpdate u : updates) setCell(chunks, u.cell(), u.value());
            store(shard, chunks, null);
            return;
        }
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) retry.backoff(attempt - 1);
            try (ReadResult stored = store.read(shard, ReadOptions.ALL)) {
                List<MemorySegment> chunks = new ArrayList<>(java.util.Collections.nCopies(sharding.innerChunkCount(), (MemorySegment) null));
                String generation = Generation.NO_VALUE;
                if (stored.found()) {
                    generation = stored.generation();
                    ShardingCodec.Index index = sharding.decodeIndexOf(stored.bytes(), shard);
                    for (int i = 0; i < index.size(); i++) if (!index.isMissing(i)) chunks.set(i, index.slice(stored.bytes(), i));
                }
                for (ChunkUpdate u : updates) {
                    if (u.patch() == null) {
                        setCell(chunks, u.cell(), u.value());
                    } else {
                        MemorySegment old = getCell(chunks, u.cell());
                        ReadResult before = old == null ? ReadResult.MISSING : ReadResult.of(old, generation);
                        setCell(chunks, u.cell(), u.patch().apply(before));
                    }
                }
                if (store(shard, chunks, generation)) return;
            }
        }
        throw new ConflictException(store.uri(), shard, retry.attempts());
    }

    /** Write (or, when every inner chunk is missing, delete) the shard; false when its generation is no longer {@code expected}. */
    private boolean store(String shard, List<MemorySegment> chunks, String expected) {
        Optional<MemorySegment> bytes = sharding.encodeShard(chunks);
        if (bytes.isEmpty()) {
            if (expected == null || expected.equals(Generation.NO_VALUE)) {
                store.delete(shard);
                return true;
            }
            // No conditional delete: the shard becomes its index alone, every entry missing, which reads the same.
            return store.write(shard, indexOnly(), new WriteOptions(expected)).written();
        }
        return store.write(shard, bytes.get(), new WriteOptions(expected)).written();
    }

    /** A shard of no inner chunks: its index alone, every entry missing (2^64 - 1 twice). */
    private MemorySegment indexOnly() {
        MemorySegment pairs = MemorySegment.ofArray(new byte[Math.toIntExact(sharding.index().chunkByteSize())]);
        pairs.fill((byte) 0xff);
        return sharding.index().encode(pairs);
    }

    @Override
    public StoredChunks stored() {
        if (!store.listable()) return StoredChunks.of(grid, null, List.of());
        List<long[]> cells = new ArrayList<>();
        List<StoredChunks.Problem> bad = new ArrayList<>();
        ChunkGrid shardGrid = new ChunkGrid(new long[3], shardGridShape(), new long[] {1, 1, 1});
        for (String key : store.list("")) {
            long[] s = shardKeys.cellOf(key, shardGrid);
            if (s == null) continue;
            Located at;
            try {
                at = locate(key);
            } catch (CorruptChunkException e) {
                bad.add(new StoredChunks.Problem(key, e.getMessage()));
                continue;
            }
            if (at == null) continue;
            long[] g = grid.gridShape();
            for (long z = 0; z < perShard[2]; z++) for (long y = 0; y < perShard[1]; y++) for (long x = 0; x < perShard[0]; x++) {
                long[] cell = {s[0] * perShard[0] + x, s[1] * perShard[1] + y, s[2] * perShard[2] + z};
                if (cell[0] >= g[0] || cell[1] >= g[1] || cell[2] >= g[2]) continue;
                for (int gr = 0; gr < groups.groups; gr++) {
                    if (!at.index.isMissing(inner(cell, gr))) {
                        cells.add(cell);
                        break;
                    }
                }
            }
        }
        return StoredChunks.of(grid, cells, bad);
    }

    private long[] shardGridShape() {
        long[] g = grid.gridShape();
        return new long[] {ceil(g[0], perShard[0]), ceil(g[1], perShard[1]), ceil(g[2], perShard[2])};
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
