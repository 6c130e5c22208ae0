package org.bigarrays.kvstore.s3;

import java.net.URI;
import java.util.Set;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreProvider;

/** Registers {@code s3://} URLs with {@link org.bigarrays.kvstore.KeyValueStores}. */
public final class S3StoreProvider implements KeyValueStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public KeyValueStore open(URI uri) {
        return S3Store.open(uri);
    }
}
