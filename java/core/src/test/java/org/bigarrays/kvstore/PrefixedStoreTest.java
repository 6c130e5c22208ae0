package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store contract on a sub-path of a named in-memory store ({@code mem://name/a/b}, a {@link PrefixedStore}). */
class PrefixedStoreTest extends KeyValueStoreContract {
    private String name;

    @Override
    protected KeyValueStore newStore() {
        name = "test-" + UUID.randomUUID();
        return KeyValueStores.open("mem://" + name + "/layer/sub");
    }

    @AfterEach
    void drop() {
        KeyValueStores.dropMemory(name);
    }

    @Test
    void keysLandUnderThePrefixOfTheNamedStore() {
        store.write("x/y", bytes("v"));
        KeyValueStore whole = KeyValueStores.open("mem://" + name);
        assertEquals(List.of("layer/sub/x/y"), whole.list(""));
        assertEquals("v", text(whole.read("layer/sub/x/y")));
    }

    @Override
    protected boolean leasesBuffers() {
        return false; // reads are views of the stored arrays, no copy
    }
}
