package org.bigarrays.chunk;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.bigarrays.BigArraysException;

/**
 * Runs one task per chunk: each task's I/O stage under a cap of {@code ioConcurrency}
 * concurrent fetches (virtual threads, so slow stores do not tie up cores) and its CPU stage
 * (decode, copy, encode) under a cap of {@code cpuThreads}. At most {@code ioConcurrency +
 * cpuThreads} chunks are in flight, which bounds memory. The first failure stops tasks not yet
 * started and is rethrown; with {@code cpuThreads == 1 && ioConcurrency == 1} tasks run
 * sequentially on the caller's thread.
 */
public final class ChunkExecutor {
    private static final ExecutorService VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    private final int cpuThreads;
    private final int ioConcurrency;

    /**
     * A chunk's three stages: {@code fetch} (I/O) returns what {@code process} (CPU: decode,
     * copy, encode) consumes, whose result {@code store} (I/O) writes.
     */
    public interface ChunkTask<T, U> {
        T fetch() throws Exception;

        U process(T fetched) throws Exception;

        default void store(U processed) throws Exception {}
    }

    public ChunkExecutor(int cpuThreads, int ioConcurrency) {
        if (cpuThreads < 1 || ioConcurrency < 1) throw new IllegalArgumentException("threads must be ≥ 1");
        this.cpuThreads = cpuThreads;
        this.ioConcurrency = ioConcurrency;
    }

    private static final Thread OTHER_THREAD = Thread.ofVirtual().unstarted(() -> {});
    private static final ChunkExecutor SEQUENTIAL = new ChunkExecutor(1, 1);

    /**
     * {@code executor}, or a sequential one when {@code view}'s memory belongs to a confined
     * arena: only its owner thread may touch it.
     */
    public static ChunkExecutor forMemoryOf(org.bigarrays.core.NdView view, ChunkExecutor executor) {
        return view.segment().isAccessibleBy(OTHER_THREAD) ? executor : SEQUENTIAL;
    }

    /** An executor that runs every task on the caller's thread, one after the other. */
    public static ChunkExecutor sequential() {
        return SEQUENTIAL;
    }

    public int cpuThreads() {
        return cpuThreads;
    }

    public int ioConcurrency() {
        return ioConcurrency;
    }

    /**
     * Run all tasks; {@code onDone} is told the number finished after each one.
     * @throws BigArraysException the first task failure (others are cancelled)
     */
    public <T, U> void run(List<? extends ChunkTask<T, U>> tasks, LongConsumer onDone) {
        if (tasks.size() == 1) {
            runOne(tasks.getFirst());
            onDone.accept(1);
            return;
        }
        run(tasks.iterator(), onDone);
    }

    /**
     * Run the tasks {@code tasks} produces, taking the next one only when a slot is free: a plan
     * of millions of chunks is never materialised, and at most {@code ioConcurrency + cpuThreads}
     * tasks exist at once. {@code onDone} is told the number finished after each one.
     * @throws BigArraysException the first task failure (tasks not yet started are not started)
     */
    public <T, U> void run(Iterator<? extends ChunkTask<T, U>> tasks, LongConsumer onDone) {
        if (!tasks.hasNext()) return;
        if (cpuThreads == 1 && ioConcurrency == 1) {
            long n = 0;
            while (tasks.hasNext()) {
                runOne(tasks.next());
                onDone.accept(++n);
            }
            return;
        }
        Semaphore inFlight = new Semaphore(ioConcurrency + cpuThreads);
        Semaphore io = new Semaphore(ioConcurrency);
        Semaphore cpu = new Semaphore(cpuThreads);
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicLong done = new AtomicLong();
        Phaser running = new Phaser(1);
        Set<Future<?>> futures = ConcurrentHashMap.newKeySet();
        try {
            while (first.get() == null && tasks.hasNext()) {
                inFlight.acquire();
                ChunkTask<T, U> t;
                try {
                    t = tasks.next();
                } catch (RuntimeException e) {
                    inFlight.release();
                    first.compareAndSet(null, e);
                    break;
                }
                running.register();
                Future<?> f = VIRTUAL.submit(() -> {
                    try {
                        if (first.get() != null) return;
                        T fetched;
                        io.acquire();
                        try {
                            fetched = t.fetch();
                        } finally {
                            io.release();
                        }
                        U processed;
                        cpu.acquire();
                        try {
                            processed = t.process(fetched);
                        } finally {
                            cpu.release();
                        }
                        io.acquire();
                        try {
                            t.store(processed);
                        } finally {
                            io.release();
                        }
                        onDone.accept(done.incrementAndGet());
                    } catch (Throwable e) {
                        first.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                        running.arriveAndDeregister();
                    }
                });
                futures.add(f);
                futures.removeIf(Future::isDone);
            }
            running.awaitAdvanceInterruptibly(running.arrive());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first.compareAndSet(null, e);
            for (Future<?> f : futures) f.cancel(true);
            throw new BigArraysException("interrupted while waiting for chunk tasks", e);
        }
        if (first.get() != null) throw rethrow(first.get());
    }

    private static <T, U> void runOne(ChunkTask<T, U> t) {
        try {
            t.store(t.process(t.fetch()));
        } catch (Exception e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new BigArraysException(e.toString(), e);
    }
}
