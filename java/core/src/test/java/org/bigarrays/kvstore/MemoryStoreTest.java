package org.bigarrays.kvstore;

import java.util.UUID;

/** The store contract on {@link MemoryStore}. */
class MemoryStoreTest extends KeyValueStoreContract {
    @Override
    protected KeyValueStore newStore() {
        return new MemoryStore("mem://test-" + UUID.randomUUID() + "/");
    }

    @Override
    protected boolean leasesBuffers() {
        return false; // reads are views of the stored arrays, no copy
    }
}
