package org.bigarrays;

/**
 * The caller asked for something that cannot be done as asked: a malformed URL or box, an
 * unaligned write without read-modify-write, a data type mismatch. The CLI exits with code 2.
 */
public class InvalidInputException extends BigArraysException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
