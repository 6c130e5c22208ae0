package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A view of another store under a key prefix: what a sub-path of a URL opens to. */
public final class PrefixedStore implements KeyValueStore {
    private final KeyValueStore base;
    private final String prefix;
    private final String uri;

    public PrefixedStore(KeyValueStore base, String prefix, String uri) {
        this.base = base;
        this.prefix = prefix;
        this.uri = uri;
    }

    private String full(String key) {
        return Keys.join(prefix, Keys.check(key));
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return base.read(full(key), options);
    }

    @Override
    public ReadResult read(String key, ReadOptions options, BodySink sink) {
        return base.read(full(key), options, sink);
    }

    @Override
    public List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        return base.readMany(keys.stream().map(this::full).toList(), options);
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        return base.write(full(key), value, options);
    }

    @Override
    public boolean writable() {
        return base.writable();
    }

    @Override
    public boolean listable() {
        return base.listable();
    }

    @Override
    public boolean conditionalWrites() {
        return base.conditionalWrites();
    }

    @Override
    public WriteBatch batch() {
        return base.batch();
    }

    @Override
    public boolean delete(String key) {
        return base.delete(full(key));
    }

    @Override
    public boolean exists(String key) {
        return base.exists(full(key));
    }

    @Override
    public List<String> list(String p) {
        String strip = prefix.isEmpty() ? "" : prefix + "/";
        return base.list(strip + p).stream().map(k -> k.substring(strip.length())).toList();
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public boolean local() {
        return base.local();
    }
}
