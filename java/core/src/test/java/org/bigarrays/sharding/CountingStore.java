package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/** Wraps a store and records every read (key and range) and write, for request-count assertions. */
class CountingStore extends ForwardingStore {
    record Read(String key, ByteRange range) {}

    final List<Read> reads = Collections.synchronizedList(new ArrayList<>());
    final List<String> writes = Collections.synchronizedList(new ArrayList<>());

    CountingStore(KeyValueStore base) {
        super(base);
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
}
