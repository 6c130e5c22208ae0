package org.bigarrays.array;

/** Told how many chunks of an operation are done; called from worker threads. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> {};

    void update(long done, long total);
}
