package org.bigarrays.kvstore;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;

/**
 * A store that hands every call to {@code base}, for tests that count, delay, refuse or fail
 * some calls: a subclass overrides only what it changes and otherwise behaves as its base,
 * capabilities included ({@link #local()}, {@link #listable()}, {@link #writable()},
 * {@link #conditionalWrites()}): a wrapper that kept the interface's defaults for those would
 * turn a local store into a remote one, or a read-only one into a writable one.
 *
 * <p>The operations the interface derives from {@link #read(String, ReadOptions)} and
 * {@link #write(String, MemorySegment, WriteOptions)} ({@link #DERIVED}: the convenience
 * overloads, {@link #readMany}, {@link #exists} and the read into a {@link BodySink}, which
 * then never delivers) are left derived, through this store's own
 * {@code read} and {@code write}: an override of {@code read} then sees every read, batched or
 * not. A subclass that needs the base's own batching overrides {@code readMany} to forward.
 * {@link #close()} closes the base: a wrapper owns the store it wraps.
 */
public class ForwardingStore implements KeyValueStore {
    /** The {@link KeyValueStore} methods deliberately left to the interface's defaults (see the class comment). */
    public static final Set<String> DERIVED = Set.of("read(String)", "read(String,ByteRange)", "readMany(List,ReadOptions)",
            "write(String,MemorySegment)", "exists(String)", "read(String,ReadOptions,BodySink)");

    protected final KeyValueStore base;

    public ForwardingStore(KeyValueStore base) {
        this.base = base;
    }

    /** The wrapped store. */
    public KeyValueStore base() {
        return base;
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return base.read(key, options);
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        return base.write(key, value, options);
    }

    @Override
    public boolean writable() {
        return base.writable();
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
        return base.delete(key);
    }

    @Override
    public boolean listable() {
        return base.listable();
    }

    @Override
    public List<String> list(String prefix) {
        return base.list(prefix);
    }

    @Override
    public String uri() {
        return base.uri();
    }

    @Override
    public boolean local() {
        return base.local();
    }

    @Override
    public void close() {
        base.close();
    }
}
