package org.bigarrays.chunk;

import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

/** Where a writer takes a chunk's voxels from when it copies whole chunks (a transcode's source layer). */
@FunctionalInterface
public interface ChunkSource {
    /** Fill {@code into} (rank 4, origin {@code box.min()}) with the voxels of {@code box}. */
    void read(Box box, NdView into);
}
