package org.bigarrays.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
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
    private static final String ID = "bench-identity";
    private static final String SECRET = "bench-credential";
    private static final long N = 512;
    private static final long CHUNK = 64;

    @Param({"32"})
    public int concurrency;

    private Process s3proxy;
    private String endpoint;
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
        startS3Proxy();
        System.setProperty("aws.accessKeyId", ID);
        System.setProperty("aws.secretAccessKey", SECRET);
        System.setProperty("aws.region", "us-east-1");
        direct = S3Client.builder()
                .endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ID, SECRET)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(Math.max(concurrency, 64)))
                .build();
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
        attemptsAtStart = ((S3Store) array.chunks().store()).retrier().attempts();
    }

    private void startS3Proxy() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("bench.s3proxy.jar", "bench/target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("S3Proxy jar not found at " + jar.toAbsolutePath() + "; set -Dbench.s3proxy.jar");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        endpoint = "http://127.0.0.1:" + port;
        Path props = Files.createTempFile("s3proxy", ".properties");
        Files.writeString(props, "s3proxy.endpoint=" + endpoint + "\ns3proxy.authorization=aws-v2-or-v4\ns3proxy.identity=" + ID
                + "\ns3proxy.credential=" + SECRET + "\njclouds.provider=transient-nio2\njclouds.identity=" + ID + "\njclouds.credential=" + SECRET + "\n");
        s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar", jar.toString(),
                "--properties", props.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 600; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("S3Proxy did not start");
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
        long attempts = ((S3Store) array.chunks().store()).retrier().attempts() - attemptsAtStart;
        if (cutouts > 0) {
            System.out.printf("%n[S3CutoutBenchmark] %d cutouts, %d S3 requests from the scale store: %.1f requests per cutout (%d chunks)%n",
                    cutouts, attempts, (double) attempts / cutouts, chunkKeys.size());
        }
        arena.close();
        direct.close();
        virtual.shutdownNow();
        s3proxy.destroyForcibly();
    }
}
