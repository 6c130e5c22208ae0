package org.bigarrays.precomputed;

import java.util.Iterator;
import org.bigarrays.FormatException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;

/**
 * What a scale stores, found by looking at its stored objects rather than its metadata: the
 * transport compression of its chunks and the bytes they take. Reads go through the scale's
 * {@link ChunkStorage}, which alone knows a chunk's names (the legacy {@code .gz} one included).
 */
final class StoredProbes {
    private StoredProbes() {}

    /** Cells probed before giving up: a sparse layer's first chunks may all be missing. */
    static final int PROBES = 64;

    /**
     * The transport compression of the first stored chunk among the first {@link #PROBES} cells in
     * grid order, from its magic number; null when none of them is stored.
     */
    static Compression compression(ChunkStorage storage, ChunkGrid grid) {
        Iterator<CellRange> cells = grid.allCells().split(1);
        ReadOptions head = ReadOptions.range(new ByteRange(0, 4));
        for (int i = 0; i < PROBES && cells.hasNext(); i++) {
            try (ReadResult r = storage.read(cells.next().lo(), head)) {
                if (r.found()) return Compression.detect(r.bytes());
            }
        }
        return null;
    }

    /** The bytes the scale stores: its chunk objects, or its shard files (each read once for its size). */
    static long bytes(KeyValueStore store, ScaleShards shards) {
        long total = 0;
        if (shards != null) {
            for (long shard : shards.storedShards()) total += size(store, shards.shardKey(shard));
            return total;
        }
        for (String key : store.list("")) {
            if (key.indexOf('/') >= 0) continue;
            String name = key.replaceFirst("\\.(gz|zstd|br)$", "");
            try {
                ChunkKeys.parse(name);
            } catch (FormatException notAChunk) {
                continue; // job records, strays: not chunks
            }
            total += size(store, key);
        }
        return total;
    }

    private static long size(KeyValueStore store, String key) {
        if (store.uri().startsWith("file:")) {
            // Local files: their size, without reading them.
            try {
                return java.nio.file.Files.size(java.nio.file.Path.of(java.net.URI.create(store.uri())).resolve(key));
            } catch (java.io.IOException | RuntimeException e) {
                // gone meanwhile, or a URI this cannot map: read it as any store
            }
        }
        try (ReadResult r = store.read(key)) {
            return r.found() ? r.bytes().byteSize() : 0;
        }
    }
}
