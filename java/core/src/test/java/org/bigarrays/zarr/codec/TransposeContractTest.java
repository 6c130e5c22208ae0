package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** {@code transpose} before {@code bytes}: sizes are all it can check, so only truncated, longer or oversized input is corrupt. */
class TransposeContractTest extends CodecContract {
    @Override
    protected List<Subject> subjects() {
        return List.of(
                ZarrSubjects.pipeline("[{\"name\":\"transpose\",\"configuration\":{\"order\":[2,0,1]}},{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}]",
                        DataType.UINT16, new long[] {3, 5, 7}),
                ZarrSubjects.pipeline("[{\"name\":\"transpose\",\"configuration\":{\"order\":[1,0]}},{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}}]",
                        DataType.FLOAT64, new long[] {9, 4}),
                ZarrSubjects.pipeline("[{\"name\":\"transpose\",\"configuration\":{\"order\":[3,1,0,2]}},{\"name\":\"transpose\",\"configuration\":{\"order\":[0,2,1,3]}},{\"name\":\"bytes\"}]",
                        DataType.UINT8, new long[] {2, 3, 4, 5}));
    }
}
