package org.bigarrays.cli;

import java.util.Iterator;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.CellRange;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.ScaleShards;

/**
 * The transport compression a scale's chunks are stored with, read from the magic number of one
 * stored chunk as {@link org.bigarrays.array.Pyramid#mip0Compression} does (the first cells of the
 * grid in order, a legacy {@code .gz} name too), but with "nothing stored" told apart from "none":
 * {@code info} prints 'unknown' and {@code transcode} falls back to none.
 */
final class StoredCompression {
    private StoredCompression() {}

    /** Cells probed before giving up: a sparse layer's first chunks may all be missing. */
    private static final int PROBES = 64;

    /** The compression of one stored chunk of {@code scale}, or null when none of the probed cells is stored. */
    static Compression detect(BigArray scale) {
        ScaleShards shards = scale.chunks().shards();
        if (shards != null) {
            // Chunks inside shards carry the spec's data_encoding, not a magic of their own.
            return shards.spec().dataEncoding() == org.bigarrays.sharding.ShardingSpec.Encoding.GZIP ? Compression.GZIP : Compression.NONE;
        }
        Iterator<CellRange> cells = scale.grid().allCells().split(1);
        for (int i = 0; i < PROBES && cells.hasNext(); i++) {
            // whichever name holds the chunk (<key>, or <key>.gz / <key>.zstd on local disk): its magic tells
            try (ReadResult r = scale.chunks().fetchHead(cells.next().lo(), 4)) {
                if (r.found()) return Compression.detect(r.bytes());
            }
        }
        return null;
    }

    /** {@link #detect} in words: none, gzip, zstd, lz4, "gzip (shard data_encoding)" or "unknown (no chunk stored ...)". */
    static String describe(BigArray scale) {
        Compression c = detect(scale);
        if (c == null) return "unknown (none of the first " + PROBES + " chunks is stored)";
        String name = c.toString().toLowerCase(java.util.Locale.ROOT);
        return scale.chunks().shards() != null ? name + " (the sharding's data_encoding)" : name;
    }

    /** The bytes the scale stores: its chunk objects, or its shard files (each read once for its size). */
    static long storedBytes(BigArray scale) {
        KeyValueStore store = scale.chunks().store();
        ScaleShards shards = scale.chunks().shards();
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
