package org.bigarrays.kvstore.remote;

/**
 * One attempt at a remote request failed in a way worth retrying (429, 5xx, a timeout, a reset
 * or truncated connection). Thrown by a store's attempt and consumed by {@link Retrier}; never
 * reaches users: after the last attempt it becomes a {@link org.bigarrays.StorageException}.
 */
public final class TransientFailure extends Exception {
    public TransientFailure(String detail, Throwable cause) {
        super(detail, cause, false, false);
    }

    public TransientFailure(String detail) {
        this(detail, null);
    }
}
