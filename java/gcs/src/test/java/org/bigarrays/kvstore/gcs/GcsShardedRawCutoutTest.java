package org.bigarrays.kvstore.gcs;

import org.bigarrays.kvstore.remote.RemoteRawCutouts;
import org.bigarrays.sharding.ShardingSpec;

/**
 * {@link GcsRawCutoutTest} on a sharded raw layer: each run of chunks adjacent in a shard file is
 * one ranged read whose body (a 206 of exactly that range) goes straight into the rows of its chunks.
 */
class GcsShardedRawCutoutTest extends GcsRawCutoutTest {
    @Override
    protected ShardingSpec sharding() {
        return RemoteRawCutouts.SHARDED;
    }
}
