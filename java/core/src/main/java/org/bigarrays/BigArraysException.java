package org.bigarrays;

/**
 * Root of every exception BigArrays throws. Unchecked: callers that care catch the subclasses
 * ({@link InvalidInputException} for bad requests, {@link StorageException} for I/O,
 * {@link FormatException} for bytes or metadata that do not match the format).
 */
public class BigArraysException extends RuntimeException {
    public BigArraysException(String message) {
        super(message);
    }

    public BigArraysException(String message, Throwable cause) {
        super(message, cause);
    }
}
