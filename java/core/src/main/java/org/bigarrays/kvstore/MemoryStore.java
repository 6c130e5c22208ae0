package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory store ({@code mem://name/...}), for tests and scratch arrays. Values are copied
 * on write, so callers may reuse their buffers; reads return read-only views. Generations are a
 * store-wide counter; conditional writes are atomic through {@link ConcurrentSkipListMap#compute}.
 */
public final class MemoryStore implements KeyValueStore {
    private final String uri;
    private final ConcurrentSkipListMap<String, Entry> map = new ConcurrentSkipListMap<>();
    private final AtomicLong generations = new AtomicLong();

    private record Entry(byte[] bytes, String generation) {}

    public MemoryStore(String uri) {
        this.uri = uri;
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        Entry e = map.get(Keys.check(key));
        String gen = e == null ? Generation.NO_VALUE : e.generation;
        if (!options.admits(gen)) return ReadResult.conditionNotMet(gen);
        if (e == null) return ReadResult.MISSING;
        long[] r = options.range().resolve(e.bytes.length);
        MemorySegment all = MemorySegment.ofArray(e.bytes).asReadOnly();
        return ReadResult.of(all.asSlice(r[0], r[1] - r[0]), e.generation);
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        Entry fresh = new Entry(value.toArray(ValueLayout.JAVA_BYTE), Long.toString(generations.incrementAndGet()));
        String[] current = new String[1];
        Entry stored = map.compute(Keys.check(key), (k, old) -> {
            current[0] = old == null ? Generation.NO_VALUE : old.generation;
            return options.ifEqual() == null || options.ifEqual().equals(current[0]) ? fresh : old;
        });
        return stored == fresh ? WriteResult.written(fresh.generation) : WriteResult.conditionNotMet(current[0]);
    }

    @Override
    public boolean delete(String key) {
        return map.remove(Keys.check(key)) != null;
    }

    @Override
    public boolean exists(String key) {
        return map.containsKey(Keys.check(key));
    }

    @Override
    public List<String> list(String prefix) {
        List<String> out = new ArrayList<>();
        for (String k : map.tailMap(prefix, true).keySet()) {
            if (!k.startsWith(prefix)) break;
            out.add(k);
        }
        return out;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public boolean local() {
        return true;
    }
}
