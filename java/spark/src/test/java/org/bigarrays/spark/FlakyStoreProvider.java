package org.bigarrays.spark;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.StorageException;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreProvider;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * {@code flaky:///dir/}: a file store whose first write of the key {@link #failKey} fails once
 * {@link #ARMED} (a task killed once, half-way through its box: chunks it wrote before stay); the
 * task's retry writes normally. Local mode runs tasks in this JVM, so statics suffice.
 */
public final class FlakyStoreProvider implements KeyValueStoreProvider {
    /** The key (or its last part: scales may be stores of their own) whose first-attempt write fails; null fails nothing. */
    static volatile String failKey;
    /** Whether the next write of {@link #failKey} fails. */
    static final java.util.concurrent.atomic.AtomicBoolean ARMED = new java.util.concurrent.atomic.AtomicBoolean();
    /** How many more writes of {@link #failKey} fail, whatever the attempt (a task that fails for good). */
    static final AtomicInteger FAIL_TIMES = new AtomicInteger();
    /** How many first-attempt failures were injected. */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @Override
    public Set<String> schemes() {
        return Set.of("flaky");
    }

    @Override
    public KeyValueStore open(URI uri) {
        return new ForwardingStore(new FileStore(Path.of(uri.getPath()))) {
            @Override
            public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                // Chunk writes may run on the writer's own threads, where TaskContext is not set: the
                // first write of the key is the first attempt's.
                String k = failKey;
                if (k != null && key.endsWith(k) && (ARMED.compareAndSet(true, false) || FAIL_TIMES.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
                    INJECTED.incrementAndGet();
                    throw new StorageException(uri(), key, "write", "injected failure on the task's first attempt");
                }
                return super.write(key, value, options);
            }

            @Override
            public String uri() {
                return uri.toString();
            }
        };
    }
}
