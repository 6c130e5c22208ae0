package org.bigarrays.sharding;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** Runs a batch's independent tasks on virtual threads; a single task runs on the caller's thread. */
final class Parallel {
    private Parallel() {}

    /**
     * The results of {@code tasks}, in order. If any task fails, the others still finish, the
     * results that did arrive are handed to {@code discard} (to release what they own), and the
     * first failure is rethrown.
     */
    static <T> List<T> all(List<Callable<T>> tasks, Consumer<T> discard) {
        if (tasks.isEmpty()) return List.of();
        if (tasks.size() == 1) return List.of(call(tasks.getFirst()));
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Callable<T> t : tasks) futures.add(ex.submit(t));
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
        throw new IllegalStateException(failure);
    }

    private static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
