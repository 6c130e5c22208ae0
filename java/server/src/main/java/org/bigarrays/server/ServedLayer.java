package org.bigarrays.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Encoding;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.KeyValueStore;
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
    private final Map<String, Scale> scalesByKey = new HashMap<>();

    ServedLayer(LayerSpec spec, BigArray array, KeyValueStore store) {
        this.spec = spec;
        this.array = array;
        this.store = store;
        for (Scale s : array.info().scales()) scalesByKey.put(s.key(), s);
    }

    Info info() {
        return array.info();
    }

    /**
     * "gzip" when {@code value}, stored under {@code key}, is a chunk of an unsharded scale held as
     * a gzip stream (BigArrays and CloudVolume store gzip chunks so; Neuroglancer reads them only
     * as HTTP Content-Encoding), else null. A raw chunk whose first bytes happen to be the gzip
     * magic is recognised by its size, exactly the chunk's, as the codec pipeline does.
     */
    String contentEncoding(String key, MemorySegment value) {
        if (value.byteSize() < 2 || value.get(ValueLayout.JAVA_BYTE, 0) != (byte) 0x1f || value.get(ValueLayout.JAVA_BYTE, 1) != (byte) 0x8b) return null;
        int slash = key.lastIndexOf('/');
        if (slash < 0) return null;
        Scale scale = scalesByKey.get(key.substring(0, slash));
        if (scale == null || scale.isSharded()) return null;
        Box chunk;
        try {
            chunk = ChunkKeys.parse(key.substring(slash + 1));
        } catch (FormatException notAChunk) {
            return null;
        }
        long rawBytes = chunk.volume() * info().numChannels() * info().dataType().size();
        if (Encoding.find(scale.encoding()).orElse(null) == Encoding.RAW && value.byteSize() == rawBytes) return null;
        return "gzip";
    }
}
