package org.bigarrays.server;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/**
 * One served layer: its array (for cutouts, reading through the server's shared chunk cache),
 * the store its keys are served from (a layer on local disk straight from its files, inside its
 * real root only), and which stored values are gzip chunks to be sent with
 * {@code Content-Encoding: gzip}.
 */
final class ServedLayer {
    final LayerSpec spec;
    final BigArray array;
    final KeyValueStore store;
    private final Map<String, Integer> mipsByKey = new HashMap<>();
    /** For a layer on local disk: its root, real root and whether links out of it are followed; else null. */
    private final Path root;
    private final Path realRoot;
    private final boolean followLinks;

    ServedLayer(LayerSpec spec, BigArray array, KeyValueStore store) {
        this.spec = spec;
        this.array = array;
        this.store = store;
        // Precomputed chunk keys only: a Zarr layer's chunks are encoded by its codecs (gzip and zstd
        // included, which Neuroglancer decodes itself) and are always sent as stored.
        if (array.format().equals("precomputed")) {
            for (int m = 0; m < array.info().scales().size(); m++) mipsByKey.put(array.info().scale(m).key(), m);
        }
        if (store instanceof FileStore fs) {
            this.root = fs.root();
            this.followLinks = fs.followsLinks();
            try {
                this.realRoot = fs.root().toRealPath();
            } catch (IOException e) {
                throw new org.bigarrays.StorageException(store.uri(), "", "open", "cannot resolve the layer's directory: " + e, e);
            }
        } else {
            this.root = null;
            this.realRoot = null;
            this.followLinks = false;
        }
    }

    /**
     * The value at {@code key}, opened for streaming in blocks of {@code block} bytes, or null if
     * there is none. On local disk, nothing outside the layer's real root opens (see {@link FileValue}).
     */
    StoredValue open(String key, long block, ByteBudget budget) {
        if (root != null) return FileValue.open(root, realRoot, followLinks, key);
        return StoreValue.open(store, key, block, budget);
    }

    /**
     * The whole value of {@code key} under whichever name holds it, as the chunk layer finds it
     * ({@code <key>}, {@code <key>.gz}, {@code <key>.zstd} on local disk, FileStore's "Keys with
     * several names"; {@code <key>} then the legacy {@code <key>.gz} elsewhere), or null. A value
     * found under a lower name is served only if no name above exists after it is opened (a
     * writer switching names renames the new one into place before removing the old one); a
     * lookup that finds none is repeated once for the same reason.
     */
    StoredValue openAnyName(String key, long block, ByteBudget budget) {
        List<String> names = root != null ? List.of(key, key + ".gz", key + ".zstd") : List.of(key, key + ".gz");
        for (int round = 0, empty = 0; round < 100 && empty < 2; round++) {
            boolean found = false;
            for (int i = 0; i < names.size() && !found; i++) {
                StoredValue v = open(names.get(i), block, budget);
                if (v == null) continue;
                found = true;
                if (i == 0 || !anyExists(names.subList(0, i), block, budget)) return v;
                v.close(); // a name above appeared meanwhile: look again
            }
            if (!found) empty++;
        }
        return null;
    }

    private boolean anyExists(List<String> names, long block, ByteBudget budget) {
        for (String n : names) {
            StoredValue v = open(n, block, budget);
            if (v != null) {
                v.close();
                return true;
            }
        }
        return false;
    }

    /** Whether {@code key} names a chunk of an unsharded scale (whose transport compression the server may undo). */
    boolean isChunk(String key) {
        return chunkOf(key) != null;
    }

    Info info() {
        return array.info();
    }

    /** A chunk key of an unsharded scale: its scale's index and the chunk's box. */
    private record ChunkRef(int mip, Scale scale, Box box) {
        long rawBytes(Info info) {
            return box.volume() * info.numChannels() * info.dataType().size();
        }

        boolean raw() {
            return Encoding.find(scale.encoding()).orElse(null) == Encoding.RAW;
        }
    }

    private ChunkRef chunkOf(String key) {
        int slash = key.lastIndexOf('/');
        if (slash < 0) return null;
        Integer mip = mipsByKey.get(key.substring(0, slash));
        if (mip == null) return null;
        Scale scale = info().scale(mip);
        if (scale.isSharded()) return null;
        try {
            return new ChunkRef(mip, scale, ChunkKeys.parse(key.substring(slash + 1)));
        } catch (FormatException notAChunk) {
            return null;
        }
    }

    /**
     * The transport compression of a chunk stored under {@code key} whose first bytes are
     * {@code head} and whose size is {@code size}: GZIP (BigArrays and CloudVolume store gzip
     * chunks so; Neuroglancer reads them only as HTTP Content-Encoding), ZSTD or LZ4 (which
     * Neuroglancer cannot read: {@link #readable} undoes them), or NONE, also for anything that is
     * not a chunk of an unsharded scale. A raw chunk whose first bytes happen to be a magic number
     * is recognised by its size, exactly the chunk's, as the codec pipeline does.
     */
    Compression chunkCompression(String key, MemorySegment head, long size) {
        Compression t = Compression.detect(head);
        if (t == Compression.NONE) return t;
        ChunkRef c = chunkOf(key);
        if (c == null || c.raw() && size == c.rawBytes(info())) return Compression.NONE;
        return t;
    }

    /** The most bytes {@link #readable} may produce for a chunk under {@code key} (for the read budget). */
    long maxReadableBytes(String key) {
        ChunkRef c = chunkOf(key);
        if (c == null) return 0;
        return Math.max(c.rawBytes(info()), array.mip(c.mip()).maxStoredChunkBytes());
    }

    /**
     * {@code value} as HTTP clients can read it: a chunk stored with zstd or lz4 transport
     * compression (which Neuroglancer cannot inflate) is decompressed here; anything else is
     * sent as stored.
     */
    MemorySegment readable(String key, MemorySegment value) {
        Compression t = Compression.detect(value);
        if (t != Compression.ZSTD && t != Compression.LZ4) return value;
        ChunkRef c = chunkOf(key);
        if (c == null || c.raw() && value.byteSize() == c.rawBytes(info())) return value;
        long max = maxReadableBytes(key);
        if (max > Integer.MAX_VALUE - 8) return value;
        MemorySegment out = MemorySegment.ofArray(new byte[(int) max]);
        long n = t.decompress(value, out, spec.name() + "/" + key);
        return out.asSlice(0, n);
    }
}
