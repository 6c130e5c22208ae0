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

    @Override
    void close();
}
