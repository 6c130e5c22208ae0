package org.bigarrays.codec;

import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * The shape of one decoded chunk: {@code [x, y, z]} voxels (truncated at the volume edge) times
 * {@code channels}, of {@code dataType}, Fortran order (x fastest, channel slowest).
 */
public record ChunkLayout(long[] shape, int channels, DataType dataType) {
    /** {@code [x, y, z, channels]}. */
    public long[] shape4() {
        return new long[] {shape[0], shape[1], shape[2], channels};
    }

    /** Byte strides of the decoded chunk, per {@link #shape4()}. */
    public long[] strides4() {
        return NdView.fortranStrides(shape4(), dataType.size());
    }

    public long voxels() {
        return shape[0] * shape[1] * shape[2];
    }

    /** Bytes of the decoded chunk. */
    public long byteSize() {
        return voxels() * channels * dataType.size();
    }

    @Override
    public String toString() {
        return shape[0] + "x" + shape[1] + "x" + shape[2] + "x" + channels + " " + dataType;
    }
}
