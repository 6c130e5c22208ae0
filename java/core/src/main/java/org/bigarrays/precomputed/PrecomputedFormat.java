package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.bigarrays.core.BufferPool;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;

/** Neuroglancer precomputed: the {@code info} JSON at the layer root, one directory per scale. */
public final class PrecomputedFormat implements LayerFormat {
    /** The driver; stateless, the Info says everything. */
    public static final PrecomputedFormat INSTANCE = new PrecomputedFormat();
    /** The metadata key. */
    public static final String INFO = "info";

    private PrecomputedFormat() {}

    @Override
    public String name() {
        return "precomputed";
    }

    @Override
    public boolean exists(KeyValueStore root) {
        return root.exists(INFO);
    }

    @Override
    public Opened open(KeyValueStore root, String where) {
        try (ReadResult r = root.read(INFO)) {
            if (!r.found()) return null;
            return new Opened(Info.parse(r.toByteArray(), where + INFO), this);
        }
    }

    @Override
    public LayerFormat forNew(Info info) {
        return this;
    }

    @Override
    public String generation(KeyValueStore root) {
        try (ReadResult r = root.read(INFO, ReadOptions.range(ByteRange.of(0, 0)))) {
            return r.found() ? r.generation() : Generation.NO_VALUE;
        }
    }

    @Override
    public boolean publish(KeyValueStore root, Info info, String expected) {
        return root.write(INFO, MemorySegment.ofArray(metadata(info).getBytes(StandardCharsets.UTF_8)), new WriteOptions(expected)).written();
    }

    @Override
    public String storedMetadata(KeyValueStore root) {
        try (ReadResult r = root.read(INFO)) {
            return r.found() ? Info.parse(r.toByteArray(), root.uri() + INFO).toJson() : null;
        }
    }

    @Override
    public String metadata(Info info) {
        return info.toJson();
    }

    @Override
    public ScaleChunkStore scale(Info info, int mip, KeyValueStore scaleStore, BufferPool buffers, IoBudget io) {
        return new ScaleChunkStore(info, info.scale(mip), scaleStore, buffers, io);
    }
}
