package org.bigarrays.server;

import java.lang.foreign.MemorySegment;

/**
 * One stored value opened for streaming: its size, and its bytes read a bounded block at a time,
 * all of one version of the value (a value replaced while it is being sent fails the read, never
 * mixes two versions).
 */
interface StoredValue extends AutoCloseable {
    /** The value's size in bytes. */
    long size();

    /**
     * Fill {@code dst} with the bytes at {@code position} ({@code dst} lies within the value).
     * @throws org.bigarrays.StorageException when the store fails or the value changed
     */
    void read(long position, MemorySegment dst);

    /**
     * The whole value when opening it already read it into memory (a value shorter than one
     * block of a remote store), else null: sent as it is, without a second request.
     */
    default MemorySegment held() {
        return null;
    }

    @Override
    void close();
}
