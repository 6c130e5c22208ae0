package org.bigarrays.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.LibDeflate;
import org.bigarrays.precomputed.Info;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * In-process latency of one cutout, warm JVM, chunks in the page cache (file) or in S3Proxy's
 * memory on 127.0.0.1 (s3): p50/p99 from SampleTime of {@code read(box, into)} with a reused
 * buffer, against the bare path for the same chunks — read each chunk file into a reused direct
 * buffer (or GET it with the SDK, one client, same credentials) and, for gzip, inflate it with
 * libdeflate into a reused buffer: no planning, no gather, no pipeline. Boxes: one 64³ chunk
 * ({@code 64}) and a 256×256×16 slab across 16 chunks ({@code slab}); EM-like uint8, 64³ chunks,
 * one thread ({@code withThreads(1, 1)}) so both sides do the same work on one core.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar CutoutLatencyBenchmark -rf json}
 * (S3Proxy from {@code -Dbench.s3proxy.jar}, default {@code bench/target/s3proxy/s3proxy.jar}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CutoutLatencyBenchmark {
    private static final long[] SIZE = {256, 256, 64};
    private static final long CHUNK = 64;

    @Param({"file", "s3"})
    public String source;

    @Param({"raw", "gzip"})
    public String encoding;

    @Param({"64", "slab"})
    public String box;

    private Path dir;
    private S3ProxyServer s3proxy;
    private S3Client direct;
    private BigArray array;
    private Arena arena;
    private NdView out;
    private Box cut;
    private List<Path> files;
    private List<String> keys;
    private ByteBuffer readBuf;
    private MemorySegment storedBuf;
    private MemorySegment decodedBuf;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bigarrays-latency");
        cut = box.equals("64") ? Box.of(new long[] {0, 0, 0}, new long[] {64, 64, 64}) : Box.of(new long[] {0, 0, 0}, new long[] {256, 256, 16});
        String url;
        if (source.equals("s3")) {
            s3proxy = S3ProxyServer.start(dir, "512m");
            String endpoint = s3proxy.endpoint;
            direct = s3proxy.client(16);
            direct.createBucket(b -> b.bucket("bench"));
            url = "s3://bench/em?endpoint=" + endpoint;
        } else {
            url = dir.resolve("em").toUri().toString();
        }
        Options options = Options.defaults().withThreads(1, 1)
                .withCompression(encoding.equals("gzip") ? Compression.GZIP : Compression.NONE);
        Info info = Info.builder(DataType.UINT8, SIZE, new long[] {CHUNK, CHUNK, CHUNK}).build();
        try (Arena a = Arena.ofConfined(); BigArray w = BigArray.create(url, info, options)) {
            NdView v = NdView.allocate(a, DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
            emLike(v.segment());
            w.write(v);
        }
        array = BigArray.open(url, options);
        arena = Arena.ofShared();
        out = NdView.allocate(arena, DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {cut.max(0), cut.max(1), cut.max(2), 1});
        String scale = info.scale(0).key();
        keys = new ArrayList<>();
        files = new ArrayList<>();
        for (long z = 0; z < cut.max(2); z += CHUNK)
            for (long y = 0; y < cut.max(1); y += CHUNK)
                for (long x = 0; x < cut.max(0); x += CHUNK) {
                    String name = x + "-" + (x + CHUNK) + "_" + y + "-" + (y + CHUNK) + "_" + z + "-" + (z + CHUNK);
                    String suffix = exists("em/" + scale + "/" + name) ? "" : ".gz"; // gzip chunks may be stored as KEY.gz
                    keys.add("em/" + scale + "/" + name + suffix);
                    files.add(dir.resolve("em").resolve(scale).resolve(name + suffix));
                }
        int chunkBytes = (int) (CHUNK * CHUNK * CHUNK);
        readBuf = ByteBuffer.allocateDirect(chunkBytes + (1 << 20));
        storedBuf = MemorySegment.ofBuffer(readBuf);
        decodedBuf = arena.allocate(chunkBytes, 64);
        if (encoding.equals("gzip") && !LibDeflate.available()) throw new IllegalStateException("libdeflate is not loaded");
        bare(); // fails here, not in the measurement, if a chunk is missing
    }

    private boolean exists(String key) {
        if (direct == null) return Files.isRegularFile(dir.resolve(key));
        try {
            direct.headObject(r -> r.bucket("bench").key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            return false;
        }
    }

    /** Smooth structure plus noise, as EM is: compresses ~2x with gzip, like real EM chunks. */
    private static void emLike(MemorySegment s) {
        java.util.Random r = new java.util.Random(7);
        long i = 0;
        for (long z = 0; z < SIZE[2]; z++)
            for (long y = 0; y < SIZE[1]; y++)
                for (long x = 0; x < SIZE[0]; x++) {
                    double v = 128 + 60 * Math.sin(x * 0.07 + z * 0.03) * Math.cos(y * 0.05) + r.nextGaussian() * 12;
                    s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i++, (byte) Math.max(0, Math.min(255, (int) v)));
                }
    }

    /** BigArrays: plan, fetch, decode and gather the box into a reused buffer. */
    @Benchmark
    public NdView cutout() {
        array.read(cut, out);
        return out;
    }

    /** The bare path: the same chunks read (or GET) into a reused buffer and, for gzip, inflated by libdeflate. */
    @Benchmark
    public long bare() throws IOException {
        long total = 0;
        boolean gzip = encoding.equals("gzip");
        for (int i = 0; i < keys.size(); i++) {
            MemorySegment stored;
            if (direct != null) {
                String k = keys.get(i);
                ResponseBytes<GetObjectResponse> b = direct.getObjectAsBytes(r -> r.bucket("bench").key(k));
                stored = MemorySegment.ofArray(b.asByteArrayUnsafe());
            } else {
                readBuf.clear();
                try (FileChannel ch = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
                    while (ch.read(readBuf) > 0) { /* to the end */ }
                }
                stored = storedBuf.asSlice(0, readBuf.position());
            }
            total += gzip ? LibDeflate.decompress(stored, decodedBuf, "bench") : stored.byteSize();
        }
        return total;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (array != null) array.close();
        if (arena != null) arena.close();
        if (direct != null) direct.close();
        if (s3proxy != null) s3proxy.close();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
