package org.bigarrays;

/** A strict read met a chunk that does not exist (non-strict reads return the fill value). */
public class MissingChunkException extends BigArraysException {
    private final String key;

    public MissingChunkException(String storeUri, String key, String box) {
        super("strict read: chunk '" + key + "' is missing in " + storeUri + " (needed for box " + box + ")");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
