package org.bigarrays.server;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.precomputed.ChunkNames;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/**
 * One served layer: its array (for cutouts, reading through the server's shared chunk cache),
 * the store its keys are served from, and which stored values are gzip chunks to be sent with
 * {@code Content-Encoding: gzip}.
 */
final class ServedLayer {
    final LayerSpec spec;
    final BigArray array;
    final KeyValueStore store;
    /** How chunks are named in {@link #store}: {@code <key>.gz} / {@code <key>.zstd} on local disk. */
    final ChunkNames names;
    private final Map<String, Integer> mipsByKey = new HashMap<>();

    ServedLayer(LayerSpec spec, BigArray array, KeyValueStore store) {
        this.spec = spec;
        this.array = array;
        this.store = store;
        this.names = ChunkNames.of(store);
        for (int m = 0; m < array.info().scales().size(); m++) mipsByKey.put(array.info().scale(m).key(), m);
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
     * "gzip" when {@code value}, stored under {@code key}, is a chunk of an unsharded scale held as
     * a gzip stream (BigArrays and CloudVolume store gzip chunks so; Neuroglancer reads them only
     * as HTTP Content-Encoding), else null. A raw chunk whose first bytes happen to be the gzip
     * magic is recognised by its size, exactly the chunk's, as the codec pipeline does.
     */
    String contentEncoding(String key, MemorySegment value) {
        if (Compression.detect(value) != Compression.GZIP) return null;
        ChunkRef c = chunkOf(key);
        if (c == null || c.raw() && value.byteSize() == c.rawBytes(info())) return null;
        return "gzip";
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
        ChunkLayout layout = new ChunkLayout(c.box().shape(), info().numChannels(), info().dataType());
        long max = Math.max(c.rawBytes(info()), array.mip(c.mip()).chunks().codec().pipeline().arrayCodec().maxEncodedSize(layout));
        if (max > Integer.MAX_VALUE - 8) return value;
        MemorySegment out = MemorySegment.ofArray(new byte[(int) max]);
        long n = t.decompress(value, out, spec.name() + "/" + key);
        return out.asSlice(0, n);
    }
}
