package org.bigarrays.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.s3.S3Store;
import org.bigarrays.precomputed.Info;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A 512³ uint8 cutout (64³ raw chunks: 512 GETs of 256 KiB) from a local S3 server (S3Proxy,
 * in-memory, SigV4), against the transport limit: the same 512 GETs issued directly with the
 * SDK at the same concurrency, bytes discarded. The S3Proxy jar comes from
 * {@code -Dbench.s3proxy.jar} (default {@code bench/target/s3proxy/s3proxy.jar}, copied there by
 * Maven). Each iteration also records requests per cutout, printed at teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class S3CutoutBenchmark {
    private static final long N = 512;
    private static final long CHUNK = 64;

    @Param({"32"})
    public int concurrency;

    private S3ProxyServer s3proxy;
    private S3Client direct;
    private BigArray array;
    private Arena arena;
    private NdView out;
    private List<String> chunkKeys;
    private ExecutorService virtual;
    private long cutouts;
    private long attemptsAtStart;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        s3proxy = S3ProxyServer.start("1g");
        String endpoint = s3proxy.endpoint;
        direct = s3proxy.client(Math.max(concurrency, 64));
        direct.createBucket(b -> b.bucket("bench"));
        String url = "s3://bench/em?endpoint=" + endpoint;
        Options options = Options.defaults().withThreads(Runtime.getRuntime().availableProcessors(), concurrency);
        Info info = Info.builder(DataType.UINT8, new long[] {N, N, N}, new long[] {CHUNK, CHUNK, CHUNK}).build();
        byte[] data = new byte[(int) (N * N * N)];
        new Random(1).nextBytes(data);
        try (BigArray w = BigArray.create(url, info, options)) {
            w.write(NdView.wrap(MemorySegment.ofArray(data), DataType.UINT8, new long[] {0, 0, 0}, new long[] {N, N, N}));
        }
        array = BigArray.open(url, options);
        arena = Arena.ofShared();
        out = NdView.allocate(arena, DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {N, N, N, 1});
        String scale = info.scale(0).key();
        chunkKeys = new ArrayList<>();
        for (long z = 0; z < N; z += CHUNK)
            for (long y = 0; y < N; y += CHUNK)
                for (long x = 0; x < N; x += CHUNK)
                    chunkKeys.add("em/" + scale + "/" + x + "-" + (x + CHUNK) + "_" + y + "-" + (y + CHUNK) + "_" + z + "-" + (z + CHUNK));
        virtual = Executors.newVirtualThreadPerTaskExecutor();
        attemptsAtStart = scaleStore(array).retrier().attempts();
    }

    /** BigArrays: plan, fetch, decode and gather a 512³ cutout into a reused buffer. */
    @Benchmark
    public void bigArraysCutout() {
        array.read(Box.of(new long[] {0, 0, 0}, new long[] {N, N, N}), out);
        cutouts++;
    }

    /** The transport limit: the same 512 chunk GETs with the SDK, same concurrency, bytes discarded. */
    @Benchmark
    public void sdkDirectGets(Blackhole bh) throws Exception {
        Semaphore cap = new Semaphore(concurrency);
        List<Future<?>> fs = new ArrayList<>(chunkKeys.size());
        for (String k : chunkKeys) {
            cap.acquire();
            fs.add(virtual.submit(() -> {
                try {
                    bh.consume(direct.getObjectAsBytes(b -> b.bucket("bench").key(k)).asByteArrayUnsafe().length);
                } finally {
                    cap.release();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long attempts = scaleStore(array).retrier().attempts() - attemptsAtStart;
        if (cutouts > 0) {
            System.out.printf("%n[S3CutoutBenchmark] %d cutouts, %d S3 requests from the scale store: %.1f requests per cutout (%d chunks)%n",
                    cutouts, attempts, (double) attempts / cutouts, chunkKeys.size());
        }
        arena.close();
        direct.close();
        virtual.shutdownNow();
        s3proxy.close();
    }

    /** The store the array's scale reads through (the context keeps one per URL). */
    private static S3Store scaleStore(BigArray a) {
        return (S3Store) a.context().store(org.bigarrays.kvstore.KeyValueStores.resolve(a.uri(), a.info().scale(a.mip()).key() + "/"));
    }
}
