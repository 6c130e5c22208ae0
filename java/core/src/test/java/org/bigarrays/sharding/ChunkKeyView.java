package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * Runs {@link org.bigarrays.kvstore.KeyValueStoreContract}'s path-like keys ("a/b/c") against a
 * {@link ShardedKeyValueStore}, whose keys are 16-hex chunk ids: each valid path is given the
 * next chunk id on first use (a spread of ids, so they fall in several shards and minishards),
 * and every operation goes to the sharded store under that id. Invalid paths ("", "/abs", "..")
 * go through unchanged, so the sharded store's own key check is what rejects them. Listing is
 * the sharded store's {@code list("")} mapped back to paths; its own prefix listing and order
 * are tested in {@link ShardedKeyValueStoreTest}. Capabilities, uri and close are the sharded store's.
 */
final class ChunkKeyView extends ForwardingStore {
    private final ShardedKeyValueStore store;
    private final Map<String, Long> ids = new ConcurrentHashMap<>();
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(5);

    ChunkKeyView(ShardedKeyValueStore store) {
        super(store);
        this.store = store;
    }

    private String map(String name) {
        try {
            Keys.check(name);
        } catch (InvalidInputException e) {
            return name; // let the sharded store reject it
        }
        long id = ids.computeIfAbsent(name, n -> {
            long v = next.getAndAdd(7); // 7: consecutive names land in different minishards and shards
            names.put(v, n);
            return v;
        });
        return ShardedKeyValueStore.key(id);
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        return store.read(map(key), options);
    }

    @Override
    public List<ReadResult> readMany(List<String> keys, ReadOptions options) {
        return store.readMany(keys.stream().map(this::map).toList(), options);
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        return store.write(map(key), value, options);
    }

    @Override
    public boolean delete(String key) {
        return store.delete(map(key));
    }

    @Override
    public boolean exists(String key) {
        return store.exists(map(key));
    }

    @Override
    public List<String> list(String prefix) {
        List<String> out = new ArrayList<>();
        for (String k : store.list("")) {
            String name = names.get(ShardedKeyValueStore.idOf(k));
            if (name == null) throw new AssertionError("the sharded store lists key " + k + ", which was never written");
            if (name.startsWith(prefix)) out.add(name);
        }
        Collections.sort(out);
        return out;
    }
}
