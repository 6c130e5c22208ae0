package org.bigarrays.kvstore;

/**
 * Writes of one store run as a batch ({@link KeyValueStore#batch}): the store may defer work each
 * write would do (a durable file store's directory syncs) until {@link #close}. Each write stays
 * atomic on its own; when {@code close} returns, every write the batch ran is as durable as the
 * store makes single writes. Thread-safe: writes may run through one batch from several threads.
 */
public class WriteBatch implements AutoCloseable {
    /** A batch that defers nothing: writes run as they would alone. */
    public static final WriteBatch NONE = new WriteBatch();

    /** For stores' own batches; {@link #NONE} otherwise. */
    protected WriteBatch() {}

    /** Run {@code writes} (writes and deletes of the store, made on the calling thread) as part of this batch. */
    public void run(Runnable writes) {
        writes.run();
    }

    /** Finish what the batch deferred. */
    @Override
    public void close() {}
}
