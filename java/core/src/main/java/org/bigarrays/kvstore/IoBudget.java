package org.bigarrays.kvstore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;

/**
 * How much I/O may be in flight at once: at most {@link #requests()} store requests and about
 * {@link #bytes()} of their data. One budget is owned by a context and shared by everything
 * that reads or writes through it (chunk tasks, shard reads and their fan-outs, batched remote
 * reads), so these caps do not multiply as the calls nest.
 *
 * <p><b>Nesting without deadlock.</b> A permit belongs to a thread while it runs a step under
 * {@link #call}. I/O that the same thread does meanwhile (a shard read inside a chunk task, a
 * request's retries) runs under that permit without asking again. Work the thread forks
 * ({@link #all}, or an executor that captured {@link #held()}) takes a permit of its own when
 * one is free, and otherwise borrows the parent's, one child at a time: the parent only waits
 * for its children then, so every holder of a permit can always make progress, whatever the
 * budget (even one request). Requests in flight stay within the budget: a child on a borrowed
 * permit runs while its parent waits.
 *
 * <p>Bytes are counted where a step knows them (a ranged read, a chunk task's chunks); a step
 * larger than the whole budget runs alone. Thread-safe.
 */
public final class IoBudget {
    /** Requests and bytes of a context's default budget. */
    public static final int DEFAULT_REQUESTS = 128;
    public static final long DEFAULT_BYTES = 1L << 30;

    private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

    private final int requests;
    private final long bytes;
    private final Semaphore requestPermits;
    private final Semaphore kibPermits; // bytes in KiB, so a semaphore's int counts terabytes

    /** A permit a thread holds: lent to that thread's forked children one at a time. */
    public static final class Held {
        private final Semaphore lend = new Semaphore(1);

        private Held() {}
    }

    private IoBudget(int requests, long bytes) {
        if (requests < 1) throw new InvalidInputException("I/O budget: requests in flight must be ≥ 1, found " + requests);
        if (bytes < 1) throw new InvalidInputException("I/O budget: bytes in flight must be ≥ 1, found " + bytes);
        this.requests = requests;
        this.bytes = bytes;
        this.requestPermits = new Semaphore(requests);
        this.kibPermits = new Semaphore(kib(bytes));
    }

    /** A budget of {@code requests} requests and {@code bytes} bytes in flight. */
    public static IoBudget of(int requests, long bytes) {
        return new IoBudget(requests, bytes);
    }

    /** {@link #DEFAULT_REQUESTS} requests, {@link #DEFAULT_BYTES} bytes. */
    public static IoBudget defaults() {
        return new IoBudget(DEFAULT_REQUESTS, DEFAULT_BYTES);
    }

    public int requests() {
        return requests;
    }

    public long bytes() {
        return bytes;
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (bytes + 1023) >>> 10));
    }

    /** The permit the current thread holds, for the children it forks; null when it holds none. */
    public static Held held() {
        return HELD.get();
    }

    /**
     * Run {@code step} (one request, or a few made one after the other) under a permit: the one
     * the current thread holds, else one of this budget (waiting for it).
     * @param bytes the data it moves, where known (0: unknown)
     */
    public <T> T call(long bytes, Callable<T> step) {
        return call(null, bytes, step);
    }

    /**
     * {@link #call(long, Callable)} on a thread forked by one that held {@code parent} (from
     * {@link #held()}; null: none): a permit of this budget if one is free, else the parent's
     * (waiting for siblings that borrowed it).
     */
    public <T> T call(Held parent, long bytes, Callable<T> step) {
        if (HELD.get() != null) return run(step); // the thread's own permit covers it
        int kib = Math.min(kib(Math.max(bytes, 1)), kib(this.bytes));
        boolean own;
        if (parent == null) {
            acquire(kib);
            own = true;
        } else {
            own = tryAcquire(kib) || borrow(parent, kib);
        }
        Held mine = new Held();
        HELD.set(mine);
        try {
            return run(step);
        } finally {
            HELD.remove();
            if (own) {
                kibPermits.release(kib);
                requestPermits.release();
            } else {
                parent.lend.release();
            }
        }
    }

    /** Take the parent's permit when free, or one of the budget if one frees first: true if the latter. */
    private boolean borrow(Held parent, int kib) {
        try {
            while (true) {
                if (parent.lend.tryAcquire(1, TimeUnit.MILLISECONDS)) return false;
                if (tryAcquire(kib)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BigArraysException("interrupted while waiting for an I/O permit", e);
        }
    }

    private boolean tryAcquire(int kib) {
        if (!requestPermits.tryAcquire()) return false;
        if (kibPermits.tryAcquire(kib)) return true;
        requestPermits.release();
        return false;
    }

    private void acquire(int kib) {
        try {
            requestPermits.acquire();
            try {
                kibPermits.acquire(kib);
            } catch (InterruptedException e) {
                requestPermits.release();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BigArraysException("interrupted while waiting for an I/O permit", e);
        }
    }

    private static <T> T run(Callable<T> step) {
        try {
            return step.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new BigArraysException(e.toString(), e);
        }
    }

    /**
     * The results of independent I/O {@code tasks}, in order, each on a virtual thread of its own
     * (a single task on the caller's thread). Forked from a thread holding a permit, each task
     * runs under a permit of its own where the budget has one free, else under the caller's, one
     * at a time (see the class notes); forked from one holding none, the tasks' own requests ask
     * the budget. If a task fails, the others still finish, the results that did arrive are
     * handed to {@code discard} (to release what they own), and the first failure is rethrown.
     */
    public <T> List<T> all(List<Callable<T>> tasks, Consumer<T> discard) {
        if (tasks.isEmpty()) return List.of();
        if (tasks.size() == 1) return List.of(run(tasks.getFirst()));
        Held parent = HELD.get();
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Callable<T> t : tasks) futures.add(ex.submit(() -> parent == null ? t.call() : call(parent, 0, t)));
        }
        List<T> out = new ArrayList<>(tasks.size());
        Throwable failure = null;
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure == null) return out;
        for (T t : out) {
            try {
                discard.accept(t);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err;
        throw new BigArraysException(failure.toString(), failure);
    }
}
