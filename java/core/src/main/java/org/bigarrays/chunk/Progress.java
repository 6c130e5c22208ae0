package org.bigarrays.chunk;

/** Told how many chunks of an operation are done; called from worker threads. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(long done, long total);
}
