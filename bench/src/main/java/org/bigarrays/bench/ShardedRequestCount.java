package org.bigarrays.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.CellRange;
import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Prints the read requests per cutout for the layouts of {@link ShardedCutoutBench} (cold
 * minishard-index cache, then warm). Run: {@code java -cp benchmarks.jar org.bigarrays.bench.ShardedRequestCount}.
 */
public final class ShardedRequestCount {
    private ShardedRequestCount() {}

    public static void main(String[] args) throws Exception {
        for (String layout : new String[] {"unsharded", "sharded", "sharded-gzip"}) {
            Path dir = Files.createTempDirectory("bigarrays-shard-count");
            BigArray a = ShardedCutoutBench.write(dir, layout);
            var scale = a.info().scale(0);
            AtomicLong reads = new AtomicLong();
            KeyValueStore base = new FileStore(dir.resolve(scale.key()), false);
            KeyValueStore counting = new ForwardingStore(base) {
                @Override
                public ReadResult read(String key, ReadOptions options) {
                    reads.incrementAndGet();
                    return super.read(key, options);
                }
            };
            for (int cutout : new int[] {64, 256}) {
                ScaleChunkStore d = new ScaleChunkStore(a.info(), scale, counting, BufferPool.unpooled()); // fresh minishard-index cache
                Box box = Box.of(new long[] {128, 128, 0}, new long[] {128 + cutout, 128 + cutout, Math.min(cutout, 128)});
                CellRange plan = d.grid().cellRange(box);
                for (String pass : new String[] {"cold", "warm"}) {
                    reads.set(0);
                    ScaleChunkStore.Fetcher f = d.fetcher(plan);
                    plan.forEach(c -> f.fetch(c).close());
                    System.out.printf("%-13s cutout %3d^2x%d (%3d chunks) %s cache: %d reads%n", layout, cutout, Math.min(cutout, 128),
                            plan.count(), pass, reads.get());
                }
            }
        }
    }
}
