package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

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
    public ReadResult read(String key, ReadOptions options) {
        reads.add(new Read(key, options.range()));
        return base.read(key, options);
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        writes.add(key);
        return base.write(key, value, options);
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
