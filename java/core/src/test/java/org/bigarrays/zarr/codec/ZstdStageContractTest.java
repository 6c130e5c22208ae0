package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** {@code zstd} through the library's ZstdCodec (libzstd, or zstd-jni with BIGARRAYS_NATIVE=0). */
class ZstdStageContractTest extends CodecContract {
    @Override
    protected List<Subject> subjects() {
        return List.of(
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}},{\"name\":\"zstd\",\"configuration\":{\"level\":3,\"checksum\":true}}]",
                        DataType.UINT32, new long[] {8, 16, 16}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\"},{\"name\":\"zstd\",\"configuration\":{\"level\":0,\"checksum\":false}}]", DataType.UINT8, new long[] {3}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}},{\"name\":\"zstd\",\"configuration\":{\"level\":-5,\"checksum\":false}}]",
                        DataType.INT64, new long[] {50, 20}));
    }
}
