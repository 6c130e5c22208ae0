package org.bigarrays.bench;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.server.BatchCutouts;
import org.bigarrays.server.BatchRequest;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Batch cutouts for training-data loaders (issue 21.4): N random 64³ uint8 patches from a
 * sharded gzip layer on S3Proxy (local, in-memory, SigV4), read one by one ({@code read(box)}
 * in a loop, without and with a chunk cache) and as one batch ({@code read(List<Box>)}, and the
 * streamed .npz of {@code POST /<layer>/cutouts}), against the minimum: each distinct chunk,
 * shard index and minishard index read once. Store requests are counted by a wrapper around the
 * layer's store (info reads aside); times are the median of {@code --reps} runs, each with a
 * fresh context (cold caches).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.bigarrays.bench.BatchCutoutBenchmark
 * [--patches 1000] [--reps 3] [--quick]}.
 */
public final class BatchCutoutBenchmark {
    private BatchCutoutBenchmark() {}

    private static final long PATCH = 64;
    /** Bytes the counting stores returned (one run at a time). */
    private static final AtomicLong BYTES = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int patches = 1000;
        int reps = 3;
        long[] size = {1024, 1024, 256};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--patches" -> patches = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--quick" -> {
                    patches = 100;
                    reps = 1;
                    size = new long[] {256, 256, 128};
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: [--patches N] [--reps N] [--quick]");
            }
        }
        try (S3ProxyServer s3 = S3ProxyServer.start("2g")) {
            try (var c = s3.client(8)) {
                c.createBucket(b -> b.bucket("bench"));
            }
            String url = "s3://bench/em?endpoint=" + s3.endpoint;
            ShardingSpec spec = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 2, 3, Compression.GZIP, Compression.GZIP);
            Info info = Info.builder(DataType.UINT8, size, new long[] {64, 64, 64}).sharding(spec).build();
            long t0 = System.nanoTime();
            try (BigArray w = BigArray.create(url, info)) {
                // Smooth, mildly compressible voxels (as ShardedCutoutBench), written whole shards at a time.
                byte[] data = new byte[(int) (size[0] * size[1] * size[2])];
                Random r = new Random(1);
                for (int i = 0; i < data.length; i++) data[i] = (byte) ((i % 512) / 4 + r.nextInt(8));
                w.write(NdView.wrap(MemorySegment.ofArray(data), DataType.UINT8, new long[3], size));
            }
            System.out.printf(Locale.ROOT, "layer: %dx%dx%d uint8, 64³ chunks, sharding %s, written in %.1f s%n", size[0], size[1], size[2],
                    spec, (System.nanoTime() - t0) / 1e9);

            Random r = new Random(42);
            List<Box> boxes = new ArrayList<>();
            for (int i = 0; i < patches; i++) {
                long[] lo = {r.nextLong(size[0] - PATCH + 1), r.nextLong(size[1] - PATCH + 1), r.nextLong(size[2] - PATCH + 1)};
                boxes.add(Box.at(lo, new long[] {PATCH, PATCH, PATCH}));
            }
            Minimum min = minimum(url, boxes);
            System.out.printf(Locale.ROOT, "%d random 64³ patches: %d chunk references, %d distinct chunks in %d shards (%d minishard indexes)%n",
                    patches, min.references, min.chunks, min.shards, min.minishards);

            String body = "{\"mip\": 0, \"boxes\": [" + String.join(", ", boxes.stream().map(b -> "\"" + b + "\"").toList()) + "]}";
            List<Way> ways = List.of(
                    new Way("one by one: read(box) in a loop", 0, (a, bs) -> {
                        for (Box b : bs) a.read(b);
                    }),
                    new Way("one by one, 1 GiB chunk cache", 1L << 30, (a, bs) -> {
                        for (Box b : bs) a.read(b);
                    }),
                    new Way("batch: read(List<Box>)", 0, (a, bs) -> a.read(bs)),
                    new Way("batch: .npz stream (64 MiB bound)", 0, (a, bs) -> {
                        BatchRequest req = BatchRequest.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), a.info(), 100_000, 1L << 40);
                        BatchCutouts.write(a, req, OutputStream.nullOutputStream());
                    }));
            List<long[]> results = new ArrayList<>(); // per way: requests, then times in ns
            long[] bytesRead = new long[ways.size()];
            for (Way w : ways) results.add(new long[1 + reps]);
            run(url, ways.get(2), boxes); // warm the JIT and S3Proxy once
            for (int rep = 0; rep < reps; rep++) {
                for (int k = 0; k < ways.size(); k++) {
                    long[] rt = run(url, ways.get(k), boxes);
                    results.get(k)[0] = rt[0];
                    results.get(k)[1 + rep] = rt[1];
                    bytesRead[k] = rt[2];
                }
            }
            long base = median(results.get(0));
            System.out.printf(Locale.ROOT, "%n| way | store requests | vs minimum | MB read | wall time (median of %d) | vs one by one |%n|---|---:|---:|---:|---:|---:|%n", reps);
            System.out.printf(Locale.ROOT, "| one read per distinct chunk, shard index and minishard index (%d + %d + %d) | %d | 1.00x | | | |%n",
                    min.chunks, min.shards, min.minishards, min.total());
            for (int k = 0; k < ways.size(); k++) {
                long[] res = results.get(k);
                long t = median(res);
                System.out.printf(Locale.ROOT, "| %s | %d | %.2fx | %.1f | %.2f s | %.2fx |%n", ways.get(k).name, res[0], (double) res[0] / min.total(),
                        bytesRead[k] / 1e6, t / 1e9, (double) base / t);
            }
            System.out.printf(Locale.ROOT, "%ncores: %d, load average: %s%n", Runtime.getRuntime().availableProcessors(),
                    Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        }
    }

    private record Minimum(long references, long chunks, long shards, long minishards) {
        long total() {
            return chunks + shards + minishards;
        }
    }

    /** Distinct chunks, shards and minishards the patches touch (each needs one read at least). */
    private static Minimum minimum(String url, List<Box> boxes) {
        try (BigArray a = BigArray.open(url)) {
            org.bigarrays.sharding.ShardingSpec spec = a.sharding();
            int[] bits = org.bigarrays.sharding.CompressedMorton.bits(a.grid().gridShape());
            Set<List<Long>> cells = new HashSet<>();
            long[] refs = {0};
            for (Box b : boxes) a.grid().cellRange(b).forEach(c -> {
                refs[0]++;
                cells.add(List.of(c[0], c[1], c[2]));
            });
            Set<Long> sh = new HashSet<>();
            Set<List<Long>> mini = new HashSet<>();
            for (List<Long> c : cells) {
                long[] cell = {c.get(0), c.get(1), c.get(2)};
                long id = org.bigarrays.sharding.CompressedMorton.encodeBits(cell, bits);
                sh.add(spec.shardOf(id));
                mini.add(List.of(spec.shardOf(id), (long) spec.minishardOf(id)));
            }
            return new Minimum(refs[0], cells.size(), sh.size(), mini.size());
        }
    }

    @FunctionalInterface
    private interface Reader {
        void read(BigArray a, List<Box> boxes) throws Exception;
    }

    private record Way(String name, long cacheBytes, Reader reader) {}

    /** One run of {@code w} in a fresh context: {store requests, nanoseconds}. */
    private static long[] run(String url, Way w, List<Box> boxes) throws Exception {
        AtomicLong reads = new AtomicLong();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(uri -> counting(uri, reads), w.cacheBytes)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            reads.set(0);
            BYTES.set(0);
            long t0 = System.nanoTime();
            w.reader.read(a, boxes);
            long t = System.nanoTime() - t0;
            return new long[] {reads.get(), t, BYTES.get()};
        }
    }

    private static long median(long[] res) {
        long[] t = java.util.Arrays.copyOfRange(res, 1, res.length);
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }

    private static KeyValueStore counting(URI uri, AtomicLong reads) {
        KeyValueStore base = KeyValueStores.open(uri);
        return new ForwardingStore(base) {
            @Override
            public ReadResult read(String key, ReadOptions options) {
                reads.incrementAndGet();
                ReadResult r = super.read(key, options);
                if (r.found()) BYTES.addAndGet(r.bytes().byteSize());
                return r;
            }
        };
    }
}
