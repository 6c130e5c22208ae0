package org.bigarrays.kvstore.http;

import java.net.URI;
import java.util.Set;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreProvider;

/** Registers read-only {@code http://} and {@code https://} URLs with {@link org.bigarrays.kvstore.KeyValueStores}. */
public final class HttpStoreProvider implements KeyValueStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public KeyValueStore open(URI uri) {
        return HttpStore.open(uri);
    }
}
