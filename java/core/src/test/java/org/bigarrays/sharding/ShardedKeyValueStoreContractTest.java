package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStoreContract;
import org.bigarrays.kvstore.MemoryStore;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KeyValueStoreContract} on {@link ShardedKeyValueStore} (through {@link ChunkKeyView},
 * which turns the contract's paths into chunk ids), over a memory store with three shard
 * layouts, and over a file store. Every write and delete goes through
 * {@link ShardedKeyValueStore#update}, the path chunk writers use: a conditional read-modify-write
 * of the shard, or, where the store knows each shard holds one chunk, the whole-shard write that
 * reads nothing. Concurrent writers of one shard through separate stores: see the nested
 * {@code ConcurrentWriters}.
 */
class ShardedKeyValueStoreContractTest {
    static final ShardLimits LIMITS = ShardLimits.of(1 << 20, 1 << 16);

    /** murmur hash, gzip data and indexes, 4 shards × 4 minishards. */
    @Nested
    class OverMemoryMurmurGzip extends KeyValueStoreContract {
        @Override
        protected KeyValueStore newStore() {
            ShardingSpec spec = new ShardingSpec(1, ShardingSpec.Hash.MURMURHASH3_X86_128, 2, 2, Compression.GZIP, Compression.GZIP);
            return new ChunkKeyView(new ShardedKeyValueStore(new MemoryStore("mem://sharded/"), spec, "scale/", LIMITS));
        }
    }

    /** identity hash, raw data and indexes, one shard of 2 minishards. */
    @Nested
    class OverMemoryIdentityRaw extends KeyValueStoreContract {
        @Override
        protected KeyValueStore newStore() {
            ShardingSpec spec = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 1, 0, Compression.NONE, Compression.NONE);
            return new ChunkKeyView(new ShardedKeyValueStore(new MemoryStore("mem://sharded/"), spec, "scale/", LIMITS));
        }
    }

    /**
     * identity hash, one chunk per shard, and a store that knows it: an unconditional write or
     * delete covers its whole shard, so it is written (or deleted) without being read.
     */
    @Nested
    class OverMemoryWholeShards extends KeyValueStoreContract {
        @Override
        protected KeyValueStore newStore() {
            ShardingSpec spec = new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 0, 16, Compression.GZIP, Compression.NONE);
            return new ChunkKeyView(new ShardedKeyValueStore(new MemoryStore("mem://sharded/"), spec, "scale/", LIMITS, shard -> 1));
        }
    }

    /** Over a file store, whose conditional writes (the key's lock file) serve the shard read-modify-writes. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OverFileStore extends KeyValueStoreContract {
        @TempDir
        Path dir;

        @Override
        protected KeyValueStore newStore() {
            FileStore files = new FileStore(dir.resolve("root"), false);
            ShardingSpec spec = new ShardingSpec(0, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 1, Compression.GZIP, Compression.NONE);
            return new ChunkKeyView(new ShardedKeyValueStore(files, spec, "scale/", LIMITS));
        }
    }

    /** Writers of one shard, each with a store of its own (as processes would be), lose nothing. */
    @Nested
    class ConcurrentWriters {
        @TempDir
        Path dir;

        @Test
        void overMemory() throws Exception {
            ShardWriters.incrementsAllSurvive(new MemoryStore("mem://writers/"), 6, 3, 15);
        }

        @Test
        void overFiles() throws Exception {
            ShardWriters.incrementsAllSurvive(new FileStore(dir.resolve("root"), false), 4, 3, 10);
        }

        @Test
        void aLoserReappliesItsPatchOverMemory() {
            ShardWriters.aWriterThatLostReappliesItsPatch(new MemoryStore("mem://loser/"));
        }

        @Test
        void aLoserReappliesItsPatchOverFiles() {
            ShardWriters.aWriterThatLostReappliesItsPatch(new FileStore(dir.resolve("loser"), false));
        }
    }
}
