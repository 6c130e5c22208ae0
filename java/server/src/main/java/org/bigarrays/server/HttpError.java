package org.bigarrays.server;

/** A request that ends with {@code status} and a one-line {@code message} (sent as JSON). */
final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
