package org.bigarrays;

/** A key-value store operation failed; the message names the store, the key and the operation. */
public class StorageException extends BigArraysException {
    private final String key;
    private final String operation;

    public StorageException(String storeUri, String key, String operation, String detail, Throwable cause) {
        super(operation + " " + storeUri + (key.isEmpty() ? "" : " key '" + key + "'") + " failed: " + detail, cause);
        this.key = key;
        this.operation = operation;
    }

    public StorageException(String storeUri, String key, String operation, String detail) {
        this(storeUri, key, operation, detail, null);
    }

    /** The key the operation was about ("" for store-wide operations). */
    public String key() {
        return key;
    }

    /** What was attempted: read, write, delete, list. */
    public String operation() {
        return operation;
    }
}
