package org.bigarrays.ingest;

import java.util.concurrent.ExecutorService;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Voxels to ingest: a stack of image files ({@link ImageSlices}) or an array already in memory
 * or mapped from a file ({@link #of(NdView)}). Coordinates are the source's own, from 0.
 */
public interface VolumeSource {
    /** The element type of the voxels as stored in the source. */
    DataType dataType();

    /** The shape {@code [x, y, z, channels]}. */
    long[] shape();

    /**
     * Read {@code box} (3-D, source coordinates, inside the shape) into {@code into} (rank 4,
     * shape {@code box × channels}, any origin), converting to {@code into}'s data type where it
     * differs (each value checked to fit). Slices may be decoded in parallel on {@code workers}.
     * @throws org.bigarrays.InvalidInputException naming the file when a slice cannot be decoded
     *     or a value does not fit the destination type
     */
    void read(Box box, NdView into, ExecutorService workers);

    /** A source over {@code view}'s elements (rank 3 or 4 [x, y, z(, c)]); its origin is ignored. */
    static VolumeSource of(NdView view) {
        return new ViewSource(view);
    }
}
