package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;

/**
 * An {@link ArrayCodec} that can decode part of a chunk straight into a strided destination (a
 * cutout), reading only what that part needs and writing each of its voxels once: the chunk
 * layer then skips the decoded chunk buffer and the gather after it. Optional; implementations
 * are thread-safe.
 */
public interface BoxDecoding {
    /**
     * Decode the sub-box at {@code boxMin} (chunk coordinates, x y z) of {@code boxShape} of every
     * channel of the chunk {@code encoded} into {@code dst}: voxel (x, y, z) of channel c goes to
     * byte {@code dstOffset + (x - boxMin[0]) * dstStrides[0] + (y - boxMin[1]) * dstStrides[1] +
     * (z - boxMin[2]) * dstStrides[2] + c * dstStrides[3]}. Nothing else in {@code dst} is written.
     * When the box is the whole chunk the checks are {@link ArrayCodec#decode}'s; for a smaller box
     * the parts of the data that box does not read are not checked (trailing bytes, say).
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when the bytes read are malformed
     * @throws IndexOutOfBoundsException when the box is not inside the chunk or the destination box
     *     not inside {@code dst}, before anything is written
     */
    void decodeBox(MemorySegment encoded, ChunkLayout layout, long[] boxMin, long[] boxShape, MemorySegment dst, long dstOffset,
                   long[] dstStrides, String key);
}
