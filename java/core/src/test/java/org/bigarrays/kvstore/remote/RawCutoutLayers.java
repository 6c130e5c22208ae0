package org.bigarrays.kvstore.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.bigarrays.TempTrees;
import org.bigarrays.sharding.ShardingSpec;

/**
 * The layers a {@link RawCutoutContract} test class reads: one per sharding (null: unsharded),
 * written once, each under a new name (a shared server outlives the class), with their local
 * twins in one temporary folder that {@link #clear()} deletes.
 */
public final class RawCutoutLayers {
    /** Writes layer {@code name} to the store, its local twin at {@code local}. */
    public interface Writer {
        RemoteRawCutouts write(String name, Path local, ShardingSpec sharding) throws Exception;
    }

    private final Map<String, RemoteRawCutouts> layers = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private Path local;

    /** The layer of {@code sharding}, written by {@code writer} on first use. */
    public synchronized RemoteRawCutouts get(ShardingSpec sharding, Writer writer) throws Exception {
        String k = String.valueOf(sharding);
        RemoteRawCutouts layer = layers.get(k);
        if (layer == null) {
            if (local == null) local = Files.createTempDirectory("raw-cutout-local");
            String name = "layer-" + System.nanoTime();
            layer = writer.write(name, local.resolve(name), sharding);
            layers.put(k, layer);
            names.put(k, name);
        }
        return layer;
    }

    /** The name the layer of {@code sharding} was written under. */
    public synchronized String name(ShardingSpec sharding) {
        return names.get(String.valueOf(sharding));
    }

    /** Forget the layers and delete their local twins. */
    public synchronized void clear() throws IOException {
        TempTrees.deleteTree(local);
        local = null;
        layers.clear();
        names.clear();
    }
}
