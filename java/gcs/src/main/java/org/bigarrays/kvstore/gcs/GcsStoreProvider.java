package org.bigarrays.kvstore.gcs;

import java.net.URI;
import java.util.Set;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreProvider;

/** Registers {@code gs://} URLs with {@link org.bigarrays.kvstore.KeyValueStores}. */
public final class GcsStoreProvider implements KeyValueStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    @Override
    public KeyValueStore open(URI uri) {
        return GcsStore.open(uri);
    }
}
