package org.bigarrays.kvstore.remote;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.bigarrays.StorageException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;

/** What the remote stores' reads share: batches on virtual threads, leases, the condition check. */
public final class RemoteReads {
    private RemoteReads() {}

    /**
     * {@code read} applied to every key, each on its own virtual thread, results in request order,
     * as a fan-out of {@code budget} (the store's {@link Retrier#budget()}): requests in flight
     * stay within it, or within the caller's budget when the caller holds an I/O permit (see
     * {@link IoBudget}), so a batch of thousands waits for permits, not for threads. All keys are
     * checked before any request; if a read fails, the others finish, the results already read
     * are closed and the first failure is thrown.
     */
    public static List<ReadResult> readMany(List<String> keys, Function<String, ReadResult> read, IoBudget budget) {
        keys.forEach(Keys::check);
        List<Callable<ReadResult>> tasks = new ArrayList<>(keys.size());
        for (String k : keys) tasks.add(() -> read.apply(k));
        return budget.all(tasks, ReadResult::close);
    }

    /** A found value: {@code body} as is, or copied into a lease from {@code pool} if there is one. */
    public static ReadResult value(byte[] body, String generation, BufferPool pool) {
        if (pool == null) return ReadResult.of(MemorySegment.ofArray(body), generation);
        Lease lease = pool.lease(body.length);
        MemorySegment s = lease.segment();
        MemorySegment.copy(MemorySegment.ofArray(body), 0, s, 0, body.length);
        return ReadResult.leased(s, generation, lease);
    }

    /**
     * The answer to a read whose server may have ignored the conditions (or was not sent them,
     * e.g. a generation of a foreign form): {@code found} when the stored generation admits it,
     * else "condition not met" with {@code found}'s lease given back. A reply carries the bytes
     * and generation of one version, so this check is exact; for a delivered body it comes after
     * the bytes reached the sink (see {@link org.bigarrays.kvstore.KeyValueStore#read(String, ReadOptions, BodySink)}).
     * @throws StorageException if a condition was asked but the server told no generation
     */
    public static ReadResult checked(ReadResult found, ReadOptions options, String storeUri, String key) {
        if (options.ifEqual() == null && options.ifNotEqual() == null) return found;
        String gen = found.found() || found.state() == ReadResult.State.DELIVERED ? found.generation() : Generation.NO_VALUE;
        if (gen.equals(Generation.UNKNOWN)) {
            found.close();
            throw new StorageException(storeUri, key, "read", "the server sends no ETag, so a conditional read cannot be checked");
        }
        if (options.admits(gen)) return found;
        found.close();
        return ReadResult.conditionNotMet(gen);
    }
}
