package org.bigarrays.zarr.codec;

import java.util.List;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;

/**
 * Whole shards (index at the end with its crc32c, inner chunks through their pipelines): damage
 * anywhere is caught by the index's checksum, its bounds checks or the inner codecs. (With the
 * index at the start, bytes after the last inner chunk are unreferenced, not corrupt; ShardingCodecTest covers it.)
 */
class ShardingContractTest extends CodecContract {
    private static final String LE = "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}";

    private static ShardingCodec codec(String inner, DataType type, long[] shard, long[] chunk) {
        return ShardingCodec.of(shard, ZarrCodecPipeline.parse(ZarrSubjects.json(inner), type, chunk), ShardingCodec.IndexLocation.END);
    }

    private static Subject subject(String inner, DataType type, long[] shard, long[] chunk) {
        return ZarrSubjects.shard(codec(inner, type, shard, chunk), codec(inner, type, ZarrSubjects.wider(shard), chunk));
    }

    @Override
    protected List<Subject> subjects() {
        return List.of(
                subject("[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]", DataType.UINT16, new long[] {8, 8, 4}, new long[] {4, 4, 2}),
                subject("[" + LE + "]", DataType.UINT8, new long[] {6, 4}, new long[] {2, 2}),
                subject("[{\"name\":\"transpose\",\"configuration\":{\"order\":[1,0]}}," + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":3,\"checksum\":true}},{\"name\":\"crc32c\"}]",
                        DataType.FLOAT32, new long[] {16, 32}, new long[] {8, 8}));
    }
}
