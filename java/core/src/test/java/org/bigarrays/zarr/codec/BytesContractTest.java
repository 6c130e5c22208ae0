package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** {@code bytes} in both byte orders, and without one for one-byte types. */
class BytesContractTest extends CodecContract {
    private static final String BIG = "[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}}]";

    @Override
    protected List<Subject> subjects() {
        return List.of(
                ZarrSubjects.pipeline(BIG, DataType.UINT16, new long[] {5, 7}),
                ZarrSubjects.pipeline(BIG, DataType.INT32, new long[] {3, 3, 3}),
                ZarrSubjects.pipeline(BIG, DataType.FLOAT64, new long[] {17}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}]", DataType.INT64, new long[] {2, 3}),
                ZarrSubjects.pipeline("[\"bytes\"]", DataType.BOOL, new long[] {4, 4}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{}}]", DataType.INT8, new long[] {1}));
    }
}
