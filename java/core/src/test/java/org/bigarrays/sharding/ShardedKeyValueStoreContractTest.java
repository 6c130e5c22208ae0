package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreContract;
import org.bigarrays.kvstore.MemoryStore;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KeyValueStoreContract} on {@link ShardedKeyValueStore} (through {@link ChunkKeyView},
 * which turns the contract's paths into chunk ids), over a memory store with two shard layouts,
 * and over a file store.
 */
class ShardedKeyValueStoreContractTest {
    static final ShardLimits LIMITS = ShardLimits.of(1 << 20, 1 << 16);

    /** murmur hash, gzip data and indexes, 4 shards × 4 minishards. */
    @Nested
    class OverMemoryMurmurGzip extends KeyValueStoreContract {
        @Override
        protected KeyValueStore newStore() {
            ShardingSpec spec = new ShardingSpec(1, ShardingSpec.Hash.MURMURHASH3_X86_128, 2, 2, ShardingSpec.Encoding.GZIP, ShardingSpec.Encoding.GZIP);
            return new ChunkKeyView(new ShardedKeyValueStore(new MemoryStore("mem://sharded/"), spec, "scale/", LIMITS));
        }
    }

    /** identity hash, raw data and indexes, one shard of 2 minishards. */
    @Nested
    class OverMemoryIdentityRaw extends KeyValueStoreContract {
        @Override
        protected KeyValueStore newStore() {
            ShardingSpec spec = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 1, 0, ShardingSpec.Encoding.RAW, ShardingSpec.Encoding.RAW);
            return new ChunkKeyView(new ShardedKeyValueStore(new MemoryStore("mem://sharded/"), spec, "scale/", LIMITS));
        }
    }

    /**
     * Over a file store. Single-chunk writes are conditional read-modify-writes of the shard, so
     * this needs conditional writes in {@link FileStore}: until it has them, each test is
     * reported as aborted with the reason (not passed, not hidden).
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OverFileStore extends KeyValueStoreContract {
        @TempDir
        Path dir;


        @Override
        protected KeyValueStore newStore() {
            FileStore files = new FileStore(dir.resolve("root"), false);
            ShardingSpec spec = new ShardingSpec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 1, ShardingSpec.Encoding.GZIP, ShardingSpec.Encoding.RAW);
            return new ChunkKeyView(new ShardedKeyValueStore(files, spec, "scale/", LIMITS));
        }
    }
}
