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
import org.bigarrays.kvstore.IoBudget;

/**
 * Runs one task per chunk (or group of chunks): each task's I/O stages (fetch, store) on virtual
 * threads, so slow stores do not tie up cores, each under a permit of the context's
 * {@link IoBudget} (which also bounds the shard and remote reads those stages make, and every
 * other executor's), and its CPU stage (decode, copy, encode) under a cap of
 * {@code cpuThreads}. At most {@code ioConcurrency + cpuThreads} tasks of one run are in flight,
 * which bounds memory. The first failure stops tasks not yet started and is rethrown; with
 * {@code cpuThreads == 1 && ioConcurrency == 1} tasks run sequentially on the caller's thread.
 * Run from a thread that holds an I/O permit (a task of another executor), the tasks borrow it
 * when the budget has none free, so nested runs cannot deadlock.
 */
public final class ChunkExecutor {
    private static final ExecutorService VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    private final int cpuThreads;
    private final int ioConcurrency;
    private final IoBudget budget;

    /**
     * A chunk's three stages: {@code fetch} (I/O) returns what {@code process} (CPU: decode,
     * copy, encode) consumes, whose result {@code store} (I/O) writes.
     */
    public interface ChunkTask<T, U> {
        T fetch() throws Exception;

        U process(T fetched) throws Exception;

        default void store(U processed) throws Exception {}

        /** About how many bytes the task's I/O moves (its chunks), counted against the I/O budget; 0: unknown. */
        default long ioBytes() {
            return 0;
        }
    }

    /** An executor with an I/O budget of its own ({@code ioConcurrency} requests), for use outside a context. */
    public ChunkExecutor(int cpuThreads, int ioConcurrency) {
        this(cpuThreads, ioConcurrency, IoBudget.of(Math.max(1, ioConcurrency), IoBudget.DEFAULT_BYTES));
    }

    /** An executor whose I/O stages take permits of {@code budget} (a context's, shared). */
    public ChunkExecutor(int cpuThreads, int ioConcurrency, IoBudget budget) {
        if (cpuThreads < 1 || ioConcurrency < 1) throw new IllegalArgumentException("threads must be ≥ 1");
        this.cpuThreads = cpuThreads;
        this.ioConcurrency = ioConcurrency;
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    private static final Thread OTHER_THREAD = Thread.ofVirtual().unstarted(() -> {});
    private volatile ChunkExecutor sequentialTwin;

    /**
     * {@code executor}, or a sequential one under the same I/O budget when {@code view}'s memory
     * belongs to a confined arena: only its owner thread may touch it.
     */
    public static ChunkExecutor forMemoryOf(org.bigarrays.core.NdView view, ChunkExecutor executor) {
        return view.segment().isAccessibleBy(OTHER_THREAD) ? executor : executor.inline();
    }

    /** Whether threads other than the caller's may write {@code view}'s memory. */
    static boolean sharedAcrossThreads(org.bigarrays.core.NdView view) {
        return view.segment().isAccessibleBy(OTHER_THREAD);
    }

    /** An executor that runs every task on the caller's thread, one after the other, under this one's I/O budget. */
    public ChunkExecutor inline() {
        ChunkExecutor twin = sequentialTwin;
        if (twin == null) sequentialTwin = twin = cpuThreads == 1 && ioConcurrency == 1 ? this : new ChunkExecutor(1, 1, budget);
        return twin;
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
        run(tasks, onDone, Long.MAX_VALUE);
    }

    /**
     * {@link #run(Iterator, LongConsumer)} with at most {@code maxBytesInFlight} of the tasks'
     * {@link ChunkTask#ioBytes} in flight at once (a task larger than that runs alone): a read
     * bounds its buffers by decoded chunk size, whatever the chunk size and thread count.
     */
    public <T, U> void run(Iterator<? extends ChunkTask<T, U>> tasks, LongConsumer onDone, long maxBytesInFlight) {
        if (!tasks.hasNext()) return;
        if (cpuThreads == 1 && ioConcurrency == 1) {
            long n = 0;
            while (tasks.hasNext()) {
                runOne(tasks.next());
                onDone.accept(++n);
            }
            return;
        }
        ChunkTask<T, U> head = tasks.next();
        if (!tasks.hasNext()) {
            // One task has nothing to overlap with: run it here rather than hand it to another thread.
            runOne(head);
            onDone.accept(1);
            return;
        }
        tasks = prepend(head, tasks);
        Semaphore inFlight = new Semaphore(ioConcurrency + cpuThreads);
        Semaphore cpu = new Semaphore(cpuThreads);
        // The byte cap in KiB permits (a Semaphore counts ints); a task takes at most all of them.
        int capKib = (int) Math.clamp(maxBytesInFlight >> 10, 1, Integer.MAX_VALUE);
        Semaphore bytes = new Semaphore(capKib);
        IoBudget.Held parent = IoBudget.held();
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
                int kib = (int) Math.clamp((t.ioBytes() + 1023) >> 10, 0, capKib);
                try {
                    bytes.acquire(kib);
                } catch (InterruptedException e) {
                    inFlight.release();
                    throw e;
                }
                running.register();
                Future<?> f = VIRTUAL.submit(() -> {
                    try {
                        if (first.get() != null) return;
                        T fetched = budget.call(parent, t.ioBytes(), t::fetch);
                        U processed;
                        cpu.acquire();
                        try {
                            processed = t.process(fetched);
                        } finally {
                            cpu.release();
                        }
                        budget.call(parent, t.ioBytes(), () -> {
                            t.store(processed);
                            return null;
                        });
                        onDone.accept(done.incrementAndGet());
                    } catch (Throwable e) {
                        first.compareAndSet(null, e);
                    } finally {
                        bytes.release(kib);
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

    /** {@code head}, then the rest of {@code rest}. */
    private static <E> Iterator<E> prepend(E head, Iterator<? extends E> rest) {
        return new Iterator<>() {
            private boolean headTaken;

            @Override
            public boolean hasNext() {
                return !headTaken || rest.hasNext();
            }

            @Override
            public E next() {
                if (headTaken) return rest.next();
                headTaken = true;
                return head;
            }
        };
    }

    private <T, U> void runOne(ChunkTask<T, U> t) {
        try {
            U processed = t.process(budget.call(t.ioBytes(), t::fetch));
            budget.call(t.ioBytes(), () -> {
                t.store(processed);
                return null;
            });
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
