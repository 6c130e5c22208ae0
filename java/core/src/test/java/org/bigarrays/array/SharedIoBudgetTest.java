package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * A context's {@link IoBudget} bounds every request its arrays make, nested ones included: with a
 * budget of one request, a sharded layer is written (whole shards), cut out across shards (chunk
 * tasks whose shard reads fan out), patched by read-modify-write and given a sharded mip (chunk
 * reads of mip 0 inside the shard writer's tasks), with many threads asked for, and never more
 * than one store request runs at once. The timeout turns a deadlock into a failure.
 */
class SharedIoBudgetTest {
    private static final AtomicInteger N = new AtomicInteger();

    /** Store requests running at once, across every store the context opens. */
    private static final class Gauge {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger total = new AtomicInteger();

        <T> T request(Callable<T> c) {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
            total.incrementAndGet();
            try {
                return c.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                now.decrementAndGet();
            }
        }

        KeyValueStore open(URI uri) {
            KeyValueStore base = KeyValueStores.open(uri);
            return new KeyValueStore() {
                public ReadResult read(String key, ReadOptions options) {
                    return request(() -> base.read(key, options));
                }

                public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                    return request(() -> base.write(key, value, options));
                }

                public boolean delete(String key) {
                    return request(() -> base.delete(key));
                }

                public List<String> list(String prefix) {
                    return request(() -> base.list(prefix));
                }

                public String uri() {
                    return base.uri();
                }
            };
        }
    }

    private static long value(long x, long y, long z) {
        return (x * 7 + y * 13 + z * 29) & 0xFFFF;
    }

    @Test
    void oneRequestAtATimeWhateverTheNestingAndNoDeadlock() {
        Gauge g = new Gauge();
        String url = "mem://budget-" + N.incrementAndGet() + "/layer";
        // 8³ chunks of 8³ voxels; spatial shards of 4×4×4 chunks: 8 shards.
        ShardingSpec spec = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 3, 3, Compression.GZIP, Compression.GZIP);
        Info info = Info.builder(DataType.UINT16, new long[] {64, 64, 64}, new long[] {8, 8, 8}).sharding(spec).build();
        Options opts = Options.defaults().withThreads(4, 16);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (BigArraysContext ctx = BigArraysContext.withStoreOpener(g::open, 0, IoBudget.of(1, 1))) {
                BigArray a = BigArray.create(url, info, opts, ctx);
                NdView all = a.read(a.bounds());
                for (long z = 0; z < 64; z++) for (long y = 0; y < 64; y++) for (long x = 0; x < 64; x++) all.set(new long[] {x, y, z}, value(x, y, z));
                a.write(all);

                Box box = Box.parse("3,5,7:61,59,60");
                NdView cut = a.read(box);
                for (long z = 7; z < 60; z += 13) for (long y = 5; y < 59; y += 11) for (long x = 3; x < 61; x += 7) {
                    assertEquals(value(x, y, z), cut.getAsLong(x, y, z), "voxel " + x + "," + y + "," + z);
                }

                // A read-modify-write across shards: patches applied inside the shards' conditional rewrites.
                BigArray rmw = a.withOptions(opts.withReadModifyWrite(true));
                Box patch = Box.parse("10,10,10:40,20,50");
                NdView ones = rmw.read(patch);
                ones.segment().fill((byte) 1);
                rmw.write(ones);
                NdView after = a.read(a.bounds());
                for (long z = 0; z < 64; z += 3) for (long y = 0; y < 64; y += 3) for (long x = 0; x < 64; x += 3) {
                    boolean in = x >= 10 && x < 40 && y >= 10 && y < 20 && z >= 10 && z < 50;
                    assertEquals(in ? 0x0101 : value(x, y, z), after.getAsLong(x, y, z), "voxel " + x + "," + y + "," + z);
                }

                // A sharded mip: every shard of it written whole, its chunks computed from mip-0 cutouts.
                Pyramid.build(a, PyramidSpec.defaults().withMips(1).withFactor(2, 2, 2));
                BigArray mip1 = BigArray.open(url, opts, ctx).mip(1);
                NdView m = mip1.read(mip1.bounds());
                assertEquals(32, m.shape()[0]);
                // Away from the patch, each mip-1 voxel is the mean of 8 values of the gradient.
                long sum = 0;
                for (long dz = 0; dz < 2; dz++) for (long dy = 0; dy < 2; dy++) for (long dx = 0; dx < 2; dx++) sum += value(60 + dx, 60 + dy, 60 + dz);
                assertEquals(sum / 8.0, m.getAsLong(30, 30, 30), 1.0);
            }
        });
        assertEquals(1, g.max.get(), "store requests in flight at once, of " + g.total.get());
    }
}
