package org.bigarrays.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
    public <T, U> void run(List<? extends ChunkTask<T, U>> tasks, java.util.function.LongConsumer onDone) {
        if (tasks.isEmpty()) return;
        if ((cpuThreads == 1 && ioConcurrency == 1) || tasks.size() == 1) {
            long n = 0;
            for (ChunkTask<T, U> t : tasks) {
                runOne(t);
                onDone.accept(++n);
            }
            return;
        }
        Semaphore inFlight = new Semaphore(ioConcurrency + cpuThreads);
        Semaphore io = new Semaphore(ioConcurrency);
        Semaphore cpu = new Semaphore(cpuThreads);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>(tasks.size());
        try {
            for (ChunkTask<T, U> t : tasks) {
                if (failed.get()) break;
                inFlight.acquire();
                futures.add(VIRTUAL.submit(() -> {
                    try {
                        if (failed.get()) return null;
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
                        return null;
                    } catch (Throwable e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            Throwable first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) first = e.getCause();
                }
            }
            if (first != null) throw rethrow(first);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.set(true);
            for (Future<?> f : futures) f.cancel(true);
            throw new BigArraysException("interrupted while waiting for chunk tasks", e);
        }
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
