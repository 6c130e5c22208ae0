package org.bigarrays;

/**
 * A conditional read-modify-write gave up: another writer kept changing the same chunk or shard
 * between this writer's read and its write. Nothing of this writer's change to that chunk or
 * shard was stored; the message names it and the number of attempts.
 */
public class ConflictException extends StorageException {
    public ConflictException(String storeUri, String key, int attempts) {
        super(storeUri, key, "write", "conflict: changed by another writer during each of " + attempts
                + " read-modify-write attempts; retry later or write disjoint chunk-aligned boxes");
    }
}
