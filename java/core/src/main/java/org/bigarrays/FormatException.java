package org.bigarrays;

/**
 * Metadata or stored bytes do not follow the precomputed format. Messages follow
 * "expected X, found Y" and name where the problem is (a key, an info field).
 */
public class FormatException extends BigArraysException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
