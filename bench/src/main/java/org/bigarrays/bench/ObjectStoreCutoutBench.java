package org.bigarrays.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.gcs.FakeGcsServer;
import org.bigarrays.kvstore.gcs.GcsStore;
import org.bigarrays.kvstore.remote.Retrier;
import org.bigarrays.kvstore.s3.S3Store;
import org.bigarrays.nativ.LibDeflate;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.CompressedMorton;
import org.bigarrays.sharding.ShardingSpec;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Cutouts from object stores on 127.0.0.1 (S3Proxy, and the GCS fake of the test suite) side by
 * side, interleaved in one run, with the bare client fetching exactly what the cutout needs at
 * the same concurrency: the same objects, or on a sharded layer the same byte ranges (shard index
 * entries, then minishard indexes, then the runs of adjacent chunks, in that dependency order;
 * ranges known in advance, so the bare side parses nothing). The bare S3 side uses the very
 * {@link S3Client} BigArrays' store sends with; the bare GCS side a JDK HTTP/1.1 client like the
 * store's. Rows: raw chunks (bare: fetch only) and gzip chunks (bare: fetch + libdeflate decode
 * of each chunk into a reused buffer; BigArrays also gathers into the output); sharded layers
 * warm (minishard indexes cached: data runs only) and cold (a freshly opened array). Prints
 * medians, MB/s of cutout, the ratio bare time / BigArrays time, and requests per cutout of each
 * side beside the minimum (distinct chunks; shard index reads + minishard indexes + runs).
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * org.bigarrays.bench.ObjectStoreCutoutBench [--reps 7] [--concurrency 32] [--stores s3,gcs] [--cases "sharded raw"] [--timeline]}:
 * {@code --timeline} adds each side's request timeline (mean in flight, mean request time, idle head and tail, process CPU).
 */
public final class ObjectStoreCutoutBench {
    static final long[] SIZE = {512, 512, 128};
    static final long[] CHUNK = {64, 64, 64};
    static final Box BOX = Box.of(new long[] {64, 64, 0}, new long[] {448, 448, 128}); // 6x6x2 = 72 chunks, not shard-aligned
    static final ShardingSpec SHARDING_RAW = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 2, 2, Compression.NONE, Compression.NONE);
    static final ShardingSpec SHARDING_GZIP = new ShardingSpec(3, ShardingSpec.Hash.IDENTITY, 2, 2, Compression.GZIP, Compression.GZIP);

    private ObjectStoreCutoutBench() {}

    /**
     * One request of the bare side: a whole object (start < 0) or the byte range [start, end);
     * {@code chunkEnds}: where each chunk of a run ends in the body (null: the body is one chunk).
     */
    record Get(String key, long start, long end, long[] chunkEnds) {
        Get(String key, long start, long end) {
            this(key, start, end, null);
        }
    }

    /** What the bare side fetches for one cutout, in dependency phases (each phase's requests at once, per shard in parallel). */
    record Plan(List<List<List<Get>>> perShardPhases, int requests) {}

    /** The bare client of one store: a GET of an object or a range, returning the body bytes. */
    interface Bare {
        byte[] get(Get g) throws Exception;
    }

    record Case(String store, String layer, boolean sharded, boolean gzip, boolean cold, String url, Plan plan, Bare bare) {
        String name() {
            return store + " " + (sharded ? "sharded" : "unsharded") + " " + (gzip ? "gzip" : "raw") + (sharded ? (cold ? " cold" : " warm") : "");
        }
    }

    public static void main(String[] args) throws Exception {
        int reps = 7;
        int concurrency = 32;
        List<String> stores = List.of("s3", "gcs");
        String only = null; // run only the cases whose name contains this
        boolean timeline = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--stores" -> stores = List.of(args[++i].split(","));
                case "--cases" -> only = args[++i];
                case "--timeline" -> timeline = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        byte[] data = volume();
        List<Case> cases = new ArrayList<>();
        List<AutoCloseable> servers = new ArrayList<>();
        Options options = Options.defaults().withThreads(Runtime.getRuntime().availableProcessors(), concurrency);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (String store : stores) {
                String root;
                Bare bare;
                if (store.equals("s3")) {
                    S3ProxyServer s3proxy = S3ProxyServer.start("1g");
                    servers.add(s3proxy);
                    root = "s3://bench/";
                    String q = "?endpoint=" + s3proxy.endpoint;
                    try (S3Client admin = s3proxy.client(4)) {
                        admin.createBucket(b -> b.bucket("bench"));
                    }
                    writeLayers(root, q, data, options);
                    // The very client BigArrays' store uses (same pool, timeouts, settings).
                    S3Client client = ((S3Store) scaleStore(BigArray.open(root + "unsharded-raw" + q, options))).client();
                    bare = g -> {
                        var req = software.amazon.awssdk.services.s3.model.GetObjectRequest.builder().bucket("bench").key(g.key())
                                .range(g.start() < 0 ? null : "bytes=" + g.start() + "-" + (g.end() - 1)).build();
                        try (ResponseInputStream<GetObjectResponse> in = client.getObject(req)) {
                            return in.readNBytes(Math.toIntExact(in.response().contentLength()));
                        }
                    };
                    for (Case c : layerCases("s3", root, q, bare)) cases.add(c);
                } else {
                    FakeGcsServer gcs = new FakeGcsServer("bench");
                    servers.add(gcs);
                    root = "gs://bench/";
                    String q = "?endpoint=" + gcs.endpoint();
                    writeLayers(root, q, data, options);
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
                    String endpoint = gcs.endpoint();
                    bare = g -> {
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/storage/v1/b/bench/o/"
                                + java.net.URLEncoder.encode(g.key(), java.nio.charset.StandardCharsets.UTF_8) + "?alt=media"))
                                .header("Accept-Encoding", "identity").GET();
                        if (g.start() >= 0) b.header("Range", "bytes=" + g.start() + "-" + (g.end() - 1));
                        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200 && r.statusCode() != 206) throw new IllegalStateException("HTTP " + r.statusCode() + " for " + g);
                        return r.body();
                    };
                    for (Case c : layerCases("gcs", root, q, bare)) cases.add(c);
                }
            }
            String filter = only;
            if (filter != null) cases.removeIf(c -> !c.name().contains(filter));
            run(cases, reps, concurrency, options, virtual, data, timeline);
        } finally {
            virtual.shutdownNow();
            for (AutoCloseable s : servers) s.close();
        }
    }

    /** Smooth, mildly compressible uint8 data (as {@link ShardedCutoutBench} writes). */
    static byte[] volume() {
        byte[] v = new byte[(int) (SIZE[0] * SIZE[1] * SIZE[2])];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) v[i] = (byte) ((i % 512) / 4 + r.nextInt(8));
        return v;
    }

    static void writeLayers(String root, String q, byte[] data, Options options) {
        NdView v = NdView.wrap(MemorySegment.ofArray(data), DataType.UINT8, new long[] {0, 0, 0}, SIZE);
        for (String layer : List.of("unsharded-raw", "unsharded-gzip", "sharded-raw", "sharded-gzip")) {
            var b = Info.builder(DataType.UINT8, SIZE, CHUNK);
            if (layer.startsWith("sharded")) b.sharding(layer.endsWith("gzip") ? SHARDING_GZIP : SHARDING_RAW);
            Options o = layer.equals("unsharded-gzip") ? options.withCompression(Compression.GZIP) : options;
            try (BigArray w = BigArray.create(root + layer + q, b.build(), o)) {
                w.write(v);
            }
        }
    }

    static List<Case> layerCases(String store, String root, String q, Bare bare) throws Exception {
        List<Case> out = new ArrayList<>();
        for (String layer : List.of("unsharded-raw", "unsharded-gzip", "sharded-raw", "sharded-gzip")) {
            boolean sharded = layer.startsWith("sharded");
            boolean gzip = layer.endsWith("gzip");
            String url = root + layer + q;
            Info info;
            try (BigArray a = BigArray.open(url)) {
                info = a.info();
            }
            String scaleKey = layer + "/" + info.scale(0).key() + "/";
            ChunkGrid grid = new ChunkGrid(new long[3], SIZE, CHUNK);
            CellRange cells = grid.cellRange(BOX);
            if (!sharded) {
                List<Get> gets = new ArrayList<>();
                cells.forEach(c -> gets.add(new Get(scaleKey + ChunkKeys.of(grid.cellBox(c)), -1, -1)));
                out.add(new Case(store, layer, false, gzip, false, url, new Plan(List.of(List.of(gets)), gets.size()), bare));
            } else {
                ShardingSpec spec = gzip ? SHARDING_GZIP : SHARDING_RAW;
                out.add(new Case(store, layer, true, gzip, false, url, shardedPlan(spec, grid, cells, scaleKey, bare, false), bare));
                out.add(new Case(store, layer, true, gzip, true, url, shardedPlan(spec, grid, cells, scaleKey, bare, true), bare));
            }
        }
        return out;
    }

    /**
     * The minimum requests of a sharded cutout, from the shard files themselves (read whole, once,
     * here): per shard, the index entries of the needed minishards (one range; cold only), each
     * needed minishard index (cold only), and each run of needed chunks adjacent in the file.
     */
    static Plan shardedPlan(ShardingSpec spec, ChunkGrid grid, CellRange cells, String scaleKey, Bare bare, boolean cold) throws Exception {
        int[] bits = CompressedMorton.bits(grid.gridShape());
        Map<Long, TreeMap<Integer, List<Long>>> need = new TreeMap<>(); // shard -> minishard -> ids
        cells.forEach(c -> {
            long id = CompressedMorton.encodeBits(c, bits);
            need.computeIfAbsent(spec.shardOf(id), s -> new TreeMap<>()).computeIfAbsent(spec.minishardOf(id), m -> new ArrayList<>()).add(id);
        });
        List<List<List<Get>>> perShard = new ArrayList<>();
        int requests = 0;
        long indexSize = spec.shardIndexSize();
        for (var e : need.entrySet()) {
            String key = scaleKey + spec.shardFileName(e.getKey());
            ByteBuffer file = ByteBuffer.wrap(bare.get(new Get(key, -1, -1))).order(ByteOrder.LITTLE_ENDIAN);
            List<Get> index = List.of(new Get(key, 16L * e.getValue().firstKey(), 16L * (e.getValue().lastKey() + 1)));
            List<Get> minishards = new ArrayList<>();
            TreeMap<Long, Long> chunks = new TreeMap<>(); // start -> end of each needed chunk in the file
            for (var m : e.getValue().entrySet()) {
                long ms = file.getLong(16 * m.getKey()) + indexSize;
                long me = file.getLong(16 * m.getKey() + 8) + indexSize;
                if (ms == me) continue;
                minishards.add(new Get(key, ms, me));
                long[] triples = minishard(Arrays.copyOfRange(file.array(), (int) ms, (int) me), spec.minishardIndexEncoding() == Compression.GZIP);
                int n = triples.length / 3;
                long id = 0;
                long pos = indexSize;
                TreeSet<Long> wanted = new TreeSet<>(m.getValue());
                for (int i = 0; i < n; i++) {
                    id += triples[i];
                    long start = pos + triples[n + i];
                    long end = start + triples[2 * n + i];
                    pos = end;
                    if (wanted.contains(id)) chunks.put(start, end);
                }
            }
            List<Get> runs = new ArrayList<>();
            long rs = -1;
            long re = -1;
            List<Long> ends = new ArrayList<>();
            for (var c : chunks.entrySet()) {
                if (c.getKey() != re) {
                    if (rs >= 0) runs.add(run(key, rs, re, ends));
                    rs = c.getKey();
                    ends.clear();
                }
                re = c.getValue();
                ends.add(re);
            }
            if (rs >= 0) runs.add(run(key, rs, re, ends));
            List<List<Get>> phases = cold ? List.of(index, minishards, runs) : List.of(runs);
            for (List<Get> p : phases) requests += p.size();
            perShard.add(phases);
        }
        return new Plan(perShard, requests);
    }

    private static Get run(String key, long start, long end, List<Long> ends) {
        long[] rel = new long[ends.size()];
        for (int i = 0; i < rel.length; i++) rel[i] = ends.get(i) - start;
        return new Get(key, start, end, rel);
    }

    /** A minishard index: 3n little-endian uint64 (id deltas, offset deltas, sizes). */
    static long[] minishard(byte[] bytes, boolean gzip) throws Exception {
        if (gzip) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[bytes.length / 8];
        for (int i = 0; i < out.length; i++) out[i] = b.getLong();
        return out;
    }

    /** One bare cutout: per shard (in parallel) the phases in order, each phase's requests at once, at most {@code concurrency} in flight. */
    static long bareCutout(Case c, Semaphore cap, ExecutorService virtual, boolean decode, AtomicLong requests) throws Exception {
        AtomicLong bytes = new AtomicLong();
        List<Future<?>> shards = new ArrayList<>();
        for (List<List<Get>> phases : c.plan().perShardPhases()) {
            shards.add(virtual.submit(() -> {
                for (List<Get> phase : phases) {
                    List<Future<byte[]>> fs = new ArrayList<>();
                    boolean last = phase == phases.getLast();
                    for (Get g : phase) {
                        fs.add(virtual.submit((Callable<byte[]>) () -> {
                            cap.acquire();
                            try {
                                requests.incrementAndGet();
                                long t0 = System.nanoTime();
                                try {
                                    return c.bare().get(g);
                                } finally {
                                    SPANS.add(new long[] {t0, System.nanoTime()});
                                }
                            } finally {
                                cap.release();
                            }
                        }));
                    }
                    for (int i = 0; i < fs.size(); i++) {
                        byte[] body = fs.get(i).get();
                        bytes.addAndGet(body.length);
                        if (decode && last) decodeChunks(c, body, phase.get(i).chunkEnds());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : shards) f.get();
        return bytes.get();
    }

    private static final long CHUNK_BYTES = CHUNK[0] * CHUNK[1] * CHUNK[2];
    private static final ThreadLocal<MemorySegment> DECODED = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CHUNK_BYTES, 64));

    /** Gzip-decode the chunks of a body (one chunk, or a run of a shard's chunks back to back) into a reused buffer. */
    static void decodeChunks(Case c, byte[] body, long[] chunkEnds) {
        if (!LibDeflate.available()) throw new IllegalStateException("libdeflate is not available: the bare decode needs it");
        MemorySegment in = MemorySegment.ofArray(body);
        long[] ends = chunkEnds == null ? new long[] {body.length} : chunkEnds;
        long pos = 0;
        for (long end : ends) {
            LibDeflate.decompress(in.asSlice(pos, end - pos), DECODED.get(), c.name());
            pos = end;
        }
    }

    static void run(List<Case> cases, int reps, int concurrency, Options options, ExecutorService virtual, byte[] data, boolean timeline) throws Exception {
        Semaphore cap = new Semaphore(concurrency);
        long cutoutBytes = BOX.volume();
        Map<String, BigArray> warmArrays = new LinkedHashMap<>();
        Arena arena = Arena.ofShared();
        NdView into = NdView.allocate(arena, DataType.UINT8, new long[] {BOX.min(0), BOX.min(1), BOX.min(2), 0},
                new long[] {BOX.shape()[0], BOX.shape()[1], BOX.shape()[2], 1});
        Map<String, long[]> bareNs = new LinkedHashMap<>();
        Map<String, long[]> baNs = new LinkedHashMap<>();
        Map<String, Double> bareReq = new LinkedHashMap<>();
        Map<String, Double> baReq = new LinkedHashMap<>();
        Map<String, long[]> maxInFlight = new LinkedHashMap<>();
        Map<String, double[][]> bareTl = new LinkedHashMap<>();
        Map<String, double[][]> baTl = new LinkedHashMap<>();
        for (Case c : cases) {
            bareTl.put(c.name(), new double[reps][]);
            baTl.put(c.name(), new double[reps][]);
            bareNs.put(c.name(), new long[reps]);
            baNs.put(c.name(), new long[reps]);
            maxInFlight.put(c.name(), new long[reps]);
            if (!c.cold()) warmArrays.put(c.name(), open(c.url(), options));
        }
        // Warm up both sides (JIT, connections), and check BigArrays' voxels once per case.
        for (Case c : cases) {
            bareCutout(c, cap, virtual, c.gzip(), new AtomicLong());
            BigArray a = c.cold() ? open(c.url(), options) : warmArrays.get(c.name());
            a.read(BOX, into);
            check(into, data, c);
            if (c.cold()) close(a);
        }
        for (int r = 0; r < reps; r++) {
            for (Case c : cases) {
                boolean bareFirst = (r & 1) == 0;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == bareFirst) {
                        AtomicLong n = new AtomicLong();
                        SPANS.clear();
                        long cpu0 = OS.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        bareCutout(c, cap, virtual, c.gzip(), n);
                        long t1 = System.nanoTime();
                        bareNs.get(c.name())[r] = t1 - t0;
                        bareTl.get(c.name())[r] = timeline(t0, t1, OS.getProcessCpuTime() - cpu0);
                        bareReq.put(c.name(), (double) n.get());
                    } else {
                        BigArray a = c.cold() ? open(c.url(), options) : warmArrays.get(c.name());
                        Retrier retrier = retrier(scaleStore(a));
                        long before = retrier.attempts();
                        MAX_IN_FLIGHT.set(0);
                        SPANS.clear();
                        long cpu0 = OS.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        a.read(BOX, into);
                        long t1 = System.nanoTime();
                        baNs.get(c.name())[r] = t1 - t0;
                        baTl.get(c.name())[r] = timeline(t0, t1, OS.getProcessCpuTime() - cpu0);
                        maxInFlight.get(c.name())[r] = MAX_IN_FLIGHT.get();
                        baReq.put(c.name(), (double) (retrier.attempts() - before));
                        if (c.cold()) close(a);
                    }
                }
            }
        }
        check(into, data, cases.getLast());
        System.out.printf(Locale.ROOT, "%nCutout %s of 512x512x128 uint8, 64^3 chunks (%d chunks, %.1f MB); concurrency %d, %d CPU threads; median of %d%n",
                BOX, BOX.volume() / CHUNK_BYTES, cutoutBytes / 1e6, concurrency, Runtime.getRuntime().availableProcessors(), reps);
        System.out.printf(Locale.ROOT, "| case | bare ms | bare MB/s | BigArrays ms | BigArrays MB/s | ratio (bare/BA time) | requests bare | requests BigArrays | minimum | BigArrays' most in flight |%n");
        System.out.printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
        for (Case c : cases) {
            double b = median(bareNs.get(c.name())) / 1e6;
            double a = median(baNs.get(c.name())) / 1e6;
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.0f | %.1f | %.0f | %.2f | %.0f | %.0f | %d | %.0f |%n", c.name(), b, cutoutBytes / 1e3 / b, a,
                    cutoutBytes / 1e3 / a, b / a, bareReq.get(c.name()), baReq.get(c.name()), c.plan().requests(), median(maxInFlight.get(c.name())));
        }
        if (timeline) {
            System.out.printf(Locale.ROOT, "%nRequest timelines (medians over reps, CPU a mean; mean in flight = sum of request times / cutout time; BigArrays' requests timed at its store)%n");
            System.out.printf("| case | side | cutout ms | mean in flight | mean request ms | first request starts after ms | ends after last request ms | process CPU ms (mean) |%n");
            System.out.printf("|---|---|---:|---:|---:|---:|---:|---:|%n");
            for (Case c : cases) {
                for (String side : List.of("bare", "BigArrays")) {
                    double[][] t = (side.equals("bare") ? bareTl : baTl).get(c.name());
                    double[] m = new double[6];
                    for (int k = 0; k < 6; k++) {
                        double[] col = new double[t.length];
                        for (int i = 0; i < t.length; i++) col[i] = t[i][k];
                        Arrays.sort(col);
                        m[k] = k == 5 ? Arrays.stream(col).average().orElse(0) : col[col.length / 2]; // CPU: the OS counts in ticks, so a mean
                    }
                    System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f |%n", c.name(), side, m[0], m[1], m[2], m[3], m[4], m[5]);
                }
            }
        }
        for (BigArray a : warmArrays.values()) close(a);
        arena.close();
    }

    static void check(NdView into, byte[] data, Case c) {
        MemorySegment s = into.segment();
        long[] sh = BOX.shape();
        for (long z = 0; z < sh[2]; z++) {
            for (long y = 0; y < sh[1]; y++) {
                long src = ((z + BOX.min(2)) * SIZE[1] + (y + BOX.min(1))) * SIZE[0] + BOX.min(0);
                long dst = (z * sh[1] + y) * sh[0];
                if (MemorySegment.mismatch(s, dst, dst + sh[0], MemorySegment.ofArray(data), src, src + sh[0]) >= 0) {
                    throw new IllegalStateException(c.name() + ": wrong voxels in row y=" + y + " z=" + z);
                }
            }
        }
    }

    /** An array whose context's stores are {@link #gauged}. */
    static BigArray open(String url, Options options) {
        BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> gauged(KeyValueStores.open(u)));
        BigArray a = BigArray.open(url, options, ctx);
        CONTEXTS.put(a, ctx);
        return a;
    }

    private static final Map<BigArray, BigArraysContext> CONTEXTS = new java.util.IdentityHashMap<>();

    /** Close {@code a} and the context {@link #open} made for it. */
    static void close(BigArray a) {
        a.close();
        BigArraysContext ctx = CONTEXTS.remove(a);
        if (ctx != null) ctx.close();
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    /** Requests in flight through BigArrays' stores now, and the most seen (reset per cutout). */
    static final AtomicLong IN_FLIGHT = new AtomicLong();
    static final AtomicLong MAX_IN_FLIGHT = new AtomicLong();
    /** Each request's [start, end) nanoTime in the cutout being timed, both sides (for --timeline). */
    static final java.util.concurrent.ConcurrentLinkedQueue<long[]> SPANS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * One timed cutout's request timeline: {wall, mean in flight (sum of request times / wall),
     * mean request ms, first request's start after t0, cutout end after the last request's end,
     * process CPU ms} in ms (mean in flight as is).
     */
    static double[] timeline(long t0, long t1, long cpu) {
        double sum = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int n = 0;
        for (long[] sp : SPANS) {
            sum += sp[1] - sp[0];
            first = Math.min(first, sp[0]);
            last = Math.max(last, sp[1]);
            n++;
        }
        SPANS.clear();
        double wall = t1 - t0;
        return new double[] {wall / 1e6, sum / wall, n == 0 ? 0 : sum / n / 1e6, (first - t0) / 1e6, (t1 - last) / 1e6, cpu / 1e6};
    }

    /** {@code base} with its reads counted in {@link #IN_FLIGHT}: how many requests BigArrays really has outstanding. */
    static KeyValueStore gauged(KeyValueStore base) {
        return new ForwardingStore(base) {
            @Override
            public org.bigarrays.kvstore.ReadResult read(String key, org.bigarrays.kvstore.ReadOptions options) {
                MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
                long t0 = System.nanoTime();
                try {
                    return super.read(key, options);
                } finally {
                    SPANS.add(new long[] {t0, System.nanoTime()});
                    IN_FLIGHT.decrementAndGet();
                }
            }

            @Override
            public org.bigarrays.kvstore.ReadResult read(String key, org.bigarrays.kvstore.ReadOptions options, org.bigarrays.kvstore.BodySink sink) {
                MAX_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
                long t0 = System.nanoTime();
                try {
                    return base.read(key, options, sink); // the store's own delivery, as BigArrays gets it unwrapped
                } finally {
                    SPANS.add(new long[] {t0, System.nanoTime()});
                    IN_FLIGHT.decrementAndGet();
                }
            }
        };
    }

    static KeyValueStore scaleStore(BigArray a) {
        return a.context().store(KeyValueStores.resolve(a.uri(), a.info().scale(a.mip()).key() + "/"));
    }

    static Retrier retrier(KeyValueStore s) {
        if (s instanceof ForwardingStore f) s = f.base();
        if (s instanceof S3Store s3) return s3.retrier();
        if (s instanceof GcsStore g) return g.retrier();
        throw new IllegalStateException("not a remote store: " + s.uri());
    }
}
