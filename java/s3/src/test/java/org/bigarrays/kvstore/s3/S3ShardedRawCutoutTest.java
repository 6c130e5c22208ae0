package org.bigarrays.kvstore.s3;

import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;

/**
 * {@link S3RawCutoutTest} on a sharded raw layer: each run of chunks adjacent in a shard file is
 * one ranged read whose body goes straight into the rows of its chunks.
 */
class S3ShardedRawCutoutTest extends S3RawCutoutTest {
    @Override
    protected ShardingSpec sharding() {
        return RemoteRawCutouts.SHARDED;
    }
}
