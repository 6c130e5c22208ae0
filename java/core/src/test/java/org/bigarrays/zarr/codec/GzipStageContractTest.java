package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** {@code gzip} through the library's GzipCodec (libdeflate, or java.util.zip with BIGARRAYS_NATIVE=0). */
class GzipStageContractTest extends CodecContract {
    @Override
    protected List<Subject> subjects() {
        return List.of(
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}},{\"name\":\"gzip\",\"configuration\":{\"level\":5}}]",
                        DataType.UINT16, new long[] {16, 16, 4}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\"},{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]", DataType.UINT8, new long[] {1}),
                ZarrSubjects.pipeline("[{\"name\":\"transpose\",\"configuration\":{\"order\":[1,0]}},{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}},"
                        + "{\"name\":\"gzip\",\"configuration\":{\"level\":9}}]", DataType.FLOAT32, new long[] {40, 30}));
    }
}
