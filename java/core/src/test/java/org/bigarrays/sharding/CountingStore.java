package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;

/** Wraps a store and records every read (key and range), for request-count assertions. */
class CountingStore implements KeyValueStore {
    record Read(String key, ByteRange range) {}

    private final KeyValueStore base;
    final List<Read> reads = Collections.synchronizedList(new ArrayList<>());
    final List<String> writes = Collections.synchronizedList(new ArrayList<>());

    CountingStore(KeyValueStore base) {
        this.base = base;
    }

    @Override
    public ReadResult read(String key, ByteRange range) {
        reads.add(new Read(key, range));
        return base.read(key, range);
    }

    @Override
    public void write(String key, MemorySegment value) {
        writes.add(key);
        base.write(key, value);
    }

    @Override
    public boolean delete(String key) {
        return base.delete(key);
    }

    @Override
    public boolean exists(String key) {
        return base.exists(key);
    }

    @Override
    public List<String> list(String prefix) {
        return base.list(prefix);
    }

    @Override
    public String uri() {
        return base.uri();
    }
}
