package org.bigarrays.precomputed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;

/**
 * The chunks stored in one scale, as grid cells: from one listing of the scale directory (an
 * unsharded scale: {@code x0-x1_y0-y1_z0-z1}, with CloudVolume's {@code .gz}, {@code .zstd} or
 * {@code .br} suffix) or from the shard index and minishard indexes of every shard file (a
 * sharded scale: no chunk data is read). Planning uses it so that work on a sparse layer is
 * proportional to what is stored; {@code verify} uses it to find what to decode and what is
 * missing. Names that are not chunks are skipped here (verify judges them); chunk names that do
 * not name a cell of the grid, and shard files whose indexes cannot be read, are listed with the
 * reason. Immutable: a snapshot of the listing.
 */
public final class StoredChunks {
    /** A stored name (chunk key or shard file) that could not be used, and why. */
    public record Problem(String key, String reason) {}

    private final ChunkGrid grid;
    private final long[] cells; // linear cell indexes x + gx*(y + gy*z), ascending, distinct; null: unknown, every cell presumed stored
    private final List<Problem> badKeys;
    private final List<Problem> badShards;
    private final List<String> unreadNames;
    private final List<Problem> shadowedNames;

    private StoredChunks(ChunkGrid grid, long[] cells, List<Problem> badKeys, List<Problem> badShards, List<String> unreadNames,
            List<Problem> shadowedNames) {
        this.grid = grid;
        this.cells = cells;
        this.badKeys = List.copyOf(badKeys);
        this.badShards = List.copyOf(badShards);
        this.unreadNames = List.copyOf(unreadNames);
        this.shadowedNames = List.copyOf(shadowedNames);
    }

    /**
     * What another format driver found stored: {@code cells} of {@code grid} (any order,
     * duplicates allowed), or null when its store cannot list (every cell presumed stored), and
     * the stored names that are no chunk of the grid.
     */
    public static StoredChunks of(ChunkGrid grid, List<long[]> cells, List<Problem> badKeys) {
        if (cells == null) return new StoredChunks(grid, null, badKeys, List.of(), List.of(), List.of());
        long[] g = grid.gridShape();
        long[] sorted = cells.stream().mapToLong(c -> index(g, c)).sorted().distinct().toArray();
        return new StoredChunks(grid, sorted, badKeys, List.of(), List.of(), List.of());
    }

    /** List what {@code chunks}' scale stores (one listing, or each shard's indexes). */
    static StoredChunks of(ScaleChunkStore chunks) {
        ChunkGrid grid = chunks.grid();
        long[] g = grid.gridShape();
        try {
            Math.multiplyExact(Math.multiplyExact(g[0], g[1]), g[2]);
        } catch (ArithmeticException e) {
            throw new FormatException("scale '" + chunks.scale().key() + "': a grid of " + Arrays.toString(g) + " chunks is too large to list");
        }
        List<Problem> badKeys = new ArrayList<>();
        List<Problem> badShards = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        // A store that cannot list (plain http): nothing is known, so every cell may be stored and
        // planners visit the whole grid as before listings were used.
        List<Problem> shadowed = new ArrayList<>();
        if (!chunks.store().listable()) return new StoredChunks(grid, null, badKeys, badShards, unread, shadowed);
        java.util.stream.LongStream.Builder found = java.util.stream.LongStream.builder();
        ScaleShards shards = chunks.shards();
        if (shards == null) {
            for (String key : chunks.store().list("")) {
                if (key.indexOf('/') >= 0) continue;
                String name = key;
                boolean read = true;
                for (String suffix : new String[] {".gz", ".zstd", ".br"}) {
                    if (name.endsWith(suffix)) {
                        name = name.substring(0, name.length() - suffix.length());
                        read = ChunkNames.LOCAL_SUFFIXES.contains(suffix); // CloudFiles' .gz and .zstd are read; .br is not
                    }
                }
                Box box;
                try {
                    box = ChunkKeys.parse(name);
                } catch (FormatException notAChunk) {
                    continue;
                }
                long[] cell = chunks.cellAt(box);
                String why = misfit(grid, cell, box);
                if (why != null) {
                    badKeys.add(new Problem(key, why));
                } else if (!read) {
                    unread.add(key);
                } else {
                    found.add(index(g, cell));
                }
            }
        } else {
            for (long shard : shards.storedShards()) {
                String file = shards.shardKey(shard);
                long[] ids;
                try {
                    ids = shards.storedIds(shard);
                } catch (CorruptChunkException e) {
                    badShards.add(new Problem(file, e.getMessage()));
                    continue;
                }
                for (long id : ids) {
                    long[] cell = shards.idFitsGrid(id) ? shards.cellOf(id) : null;
                    if (cell == null || !inGrid(g, cell)) {
                        badKeys.add(new Problem(file + ", chunk " + Long.toUnsignedString(id), "chunk id is no cell of the grid " + Arrays.toString(g)));
                    } else {
                        found.add(index(g, cell));
                    }
                }
            }
        }
        long[] all = found.build().sorted().toArray();
        long[] sorted = Arrays.stream(all).distinct().toArray(); // a chunk under two names counts once
        if (sorted.length < all.length) shadowed = shadowed(chunks, all);
        return new StoredChunks(grid, sorted, badKeys, badShards, unread, shadowed);
    }

    /**
     * The names of chunks stored under more than one name (cells listed twice in {@code all},
     * sorted) that are never read: every one but the first in reading order ({@code <key>},
     * {@code <key>.gz}, {@code <key>.zstd}), each with the name that is read. Rare (a writer that
     * died switching a chunk's names), so the scale is listed a second time only then.
     */
    private static List<Problem> shadowed(ScaleChunkStore chunks, long[] all) {
        long[] g = chunks.grid().gridShape();
        java.util.Set<Long> twice = new java.util.HashSet<>();
        for (int i = 1; i < all.length; i++) if (all[i] == all[i - 1]) twice.add(all[i]);
        java.util.Map<Long, List<String>> names = new java.util.TreeMap<>();
        for (String key : chunks.store().list("")) {
            if (key.indexOf('/') >= 0) continue;
            String plain = ChunkNames.chunkKey(key);
            Box box;
            try {
                box = ChunkKeys.parse(plain);
            } catch (FormatException notAChunk) {
                continue;
            }
            long[] cell = chunks.cellAt(box);
            if (!inGrid(g, cell) || !twice.contains(index(g, cell))) continue;
            names.computeIfAbsent(index(g, cell), c -> new ArrayList<>()).add(key);
        }
        List<Problem> out = new ArrayList<>();
        for (List<String> n : names.values()) {
            n.sort(java.util.Comparator.comparingInt(StoredChunks::precedence));
            for (int i = 1; i < n.size(); i++) out.add(new Problem(n.get(i), "also stored as " + n.get(0) + ", which is read"));
        }
        return out;
    }

    /** A stored name's place in reading order: plain, then each of {@link ChunkNames#LOCAL_SUFFIXES}. */
    private static int precedence(String name) {
        for (int i = 0; i < ChunkNames.LOCAL_SUFFIXES.size(); i++) if (name.endsWith(ChunkNames.LOCAL_SUFFIXES.get(i))) return i + 1;
        return 0;
    }

    /** Why chunk name {@code box} is no chunk of the grid, or null when it is the chunk of {@code cell}. */
    private static String misfit(ChunkGrid grid, long[] cell, Box box) {
        if (!inGrid(grid.gridShape(), cell)) return "names box " + box + ", outside the volume " + grid.volume();
        Box want = grid.cellBox(cell);
        if (!want.equals(box)) return "names box " + box + ", but the chunk there is " + want + " (wrong size or not on the chunk grid)";
        return null;
    }

    private static boolean inGrid(long[] g, long[] cell) {
        for (int i = 0; i < 3; i++) if (cell[i] < 0 || cell[i] >= g[i]) return false;
        return true;
    }

    private static long index(long[] g, long[] cell) {
        return cell[0] + g[0] * (cell[1] + g[1] * cell[2]);
    }

    private long[] cellOfIndex(long i) {
        long[] g = grid.gridShape();
        return new long[] {i % g[0], (i / g[0]) % g[1], i / (g[0] * g[1])};
    }

    /** The number of stored chunks. */
    public long count() {
        return cells == null ? grid.allCells().count() : cells.length;
    }

    /** Whether the chunk of {@code cell} is stored. */
    public boolean contains(long[] cell) {
        return inGrid(grid.gridShape(), cell) && (cells == null || Arrays.binarySearch(cells, index(grid.gridShape(), cell)) >= 0);
    }

    /** The number of stored chunks in {@code range}: a binary search per row of cells. */
    public long countIn(CellRange range) {
        CellRange r = range.intersect(grid.allCells());
        if (r.isEmpty()) return 0;
        if (cells == null) return r.count();
        long[] g = grid.gridShape();
        long n = 0;
        for (long z = r.lo()[2]; z < r.hi()[2]; z++) {
            for (long y = r.lo()[1]; y < r.hi()[1]; y++) {
                long a = index(g, new long[] {r.lo()[0], y, z});
                int from = lowerBound(a);
                int to = lowerBound(a + (r.hi()[0] - r.lo()[0]));
                n += to - from;
            }
        }
        return n;
    }

    /** Whether any chunk of {@code range} is stored. */
    public boolean anyIn(CellRange range) {
        CellRange r = range.intersect(grid.allCells());
        if (cells == null) return !r.isEmpty();
        if (r.isEmpty() || cells.length == 0) return false;
        long[] g = grid.gridShape();
        for (long z = r.lo()[2]; z < r.hi()[2]; z++) {
            for (long y = r.lo()[1]; y < r.hi()[1]; y++) {
                long a = index(g, new long[] {r.lo()[0], y, z});
                int from = lowerBound(a);
                if (from < cells.length && cells[from] < a + (r.hi()[0] - r.lo()[0])) return true;
            }
        }
        return false;
    }

    private int lowerBound(long v) {
        int i = Arrays.binarySearch(cells, v);
        return i >= 0 ? i : -i - 1;
    }

    /** Each stored cell, in grid order (x fastest). */
    public void forEach(Consumer<long[]> action) {
        if (cells == null) {
            grid.allCells().forEach(action);
            return;
        }
        for (long i : cells) action.accept(cellOfIndex(i));
    }

    /** The stored cells, in grid order (x fastest), each made as it is handed out. */
    public java.util.Iterator<long[]> iterator() {
        if (cells == null) {
            java.util.Iterator<CellRange> all = grid.allCells().split(1);
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    return all.hasNext();
                }

                @Override
                public long[] next() {
                    return all.next().lo();
                }
            };
        }
        return new java.util.Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < cells.length;
            }

            @Override
            public long[] next() {
                if (i >= cells.length) throw new java.util.NoSuchElementException();
                return cellOfIndex(cells[i++]);
            }
        };
    }

    /** The stored cells inside {@code range}, in grid order. */
    public List<long[]> cellsIn(CellRange range) {
        List<long[]> out = new ArrayList<>();
        CellRange r = range.intersect(grid.allCells());
        if (cells == null) {
            r.forEach(c -> out.add(c.clone()));
            return out;
        }
        if (r.isEmpty() || cells.length == 0) return out;
        long[] g = grid.gridShape();
        // A binary search per row of the range: cost follows the range's rows and what is stored in it, not the whole listing.
        for (long z = r.lo()[2]; z < r.hi()[2]; z++) {
            for (long y = r.lo()[1]; y < r.hi()[1]; y++) {
                long a = index(g, new long[] {r.lo()[0], y, z});
                for (int i = lowerBound(a), end = lowerBound(a + (r.hi()[0] - r.lo()[0])); i < end; i++) out.add(cellOfIndex(cells[i]));
            }
        }
        return out;
    }

    /**
     * Whether every stored chunk is known: false when a shard file's indexes could not be read
     * (its chunks are then unknown, so a planner must not skip anything on its account), or the
     * store cannot list at all (plain http: every cell is then presumed stored).
     */
    public boolean complete() {
        return cells != null && badShards.isEmpty();
    }

    /** Chunk names (or a sharded chunk's shard and id) that are no cell of the grid: outside it, or of the wrong size. */
    public List<Problem> badKeys() {
        return badKeys;
    }

    /** Shard files whose shard index or minishard indexes could not be read, with the reason. */
    public List<Problem> badShards() {
        return badShards;
    }

    /** Chunks stored only under a {@code .br} name, which BigArrays does not read (they read as missing). */
    public List<String> unreadNames() {
        return unreadNames;
    }

    /**
     * Names of chunks also stored under a name read first (never read themselves: a writer died
     * between storing a chunk's new name and removing its old one), each with that name. The
     * chunk's next write, or the file store's sweep of a dead writer's files, removes them.
     */
    public List<Problem> shadowedNames() {
        return shadowedNames;
    }
}
