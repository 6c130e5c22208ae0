package org.bigarrays.kvstore;

class MemoryStoreContractTest extends KeyValueStoreContract {
    @Override
    protected KeyValueStore newStore() {
        return new MemoryStore("mem://contract/");
    }
}
