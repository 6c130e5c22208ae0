package org.bigarrays.chunk;

import org.bigarrays.core.Box;

/**
 * One entry of a copy plan: grid cell {@code cell}, whose stored chunk covers {@code chunkBox},
 * contributes the voxels {@code overlap} to (or receives them from) the caller's array.
 * Offsets into the chunk and into the array follow from the boxes' minima.
 */
public record ChunkCopy(long[] cell, Box chunkBox, Box overlap) {
    /** Whether the overlap is the whole chunk (no read-modify-write needed on write). */
    public boolean coversChunk() {
        return overlap.equals(chunkBox);
    }
}
