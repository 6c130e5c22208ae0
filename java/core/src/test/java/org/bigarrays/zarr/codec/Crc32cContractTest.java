package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/** {@code crc32c} after bytes, after a compressor, and twice. */
class Crc32cContractTest extends CodecContract {
    @Override
    protected List<Subject> subjects() {
        return List.of(
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}},{\"name\":\"crc32c\"}]", DataType.UINT16, new long[] {10, 10}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\"},\"crc32c\"]", DataType.UINT8, new long[] {1}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}},{\"name\":\"zstd\",\"configuration\":{\"level\":1,\"checksum\":false}},"
                        + "{\"name\":\"crc32c\",\"configuration\":{}}]", DataType.FLOAT32, new long[] {32, 32}),
                ZarrSubjects.pipeline("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}},{\"name\":\"crc32c\"},{\"name\":\"gzip\",\"configuration\":{\"level\":6}},{\"name\":\"crc32c\"}]",
                        DataType.INT32, new long[] {7, 9}));
    }
}
