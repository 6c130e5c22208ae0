package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded load on loopback: {@value #CLIENTS} clients each ask for {@value #PER_CLIENT} random
 * cutouts (random mip, boxes partly outside the volume, npy or raw) within a time limit; every
 * answer is compared with an uncached {@link BigArray#read} of the same box; no errors allowed.
 * Latencies (p50/p99) and the process's RSS are printed, not asserted.
 */
class ServerLoadTest {
    static final int CLIENTS = 8;
    static final int PER_CLIENT = 40;
    static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void concurrentRandomCutoutsAllMatchTheSource() throws Exception {
        String url = dir.resolve("load").toUri().toString();
        Info info = Info.builder(DataType.UINT8, new long[] {256, 256, 128}, new long[] {64, 64, 32}).mips(2).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withCompression(Compression.GZIP))) {
            for (int m = 0; m < 2; m++) {
                BigArray am = a.mip(m);
                NdView v = am.read(am.bounds());
                Random r = new Random(m);
                byte[] noise = new byte[(int) v.byteSize()];
                r.nextBytes(noise);
                for (int i = 0; i < noise.length; i++) noise[i] = (byte) ((noise[i] & 0x0f) + (i >> 14)); // compressible, position-dependent
                v.segment().asSlice(v.byteOffset(), v.byteSize()).copyFrom(java.lang.foreign.MemorySegment.ofArray(noise));
                am.write(v);
            }
        }
        long cacheBytes = 16L << 20;
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(url)).cacheBytes(cacheBytes).maxConcurrentCutouts(CLIENTS).start();
             BigArray source = BigArray.open(url)) {
            HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            URI base = s.layerUrl("load");
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger errors = new AtomicInteger();
            long deadline = System.nanoTime() + LIMIT.toNanos();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int seed = c;
                done.add(clients.submit(() -> {
                    Random r = new Random(1000 + seed);
                    int n = 0;
                    for (; n < PER_CLIENT && System.nanoTime() < deadline; n++) {
                        int mip = r.nextInt(2);
                        long[] lo = new long[3];
                        long[] hi = new long[3];
                        long[] size = source.mip(mip).bounds().max();
                        for (int d = 0; d < 3; d++) {
                            lo[d] = r.nextLong(size[d] + 8) - 8;
                            hi[d] = lo[d] + 1 + r.nextLong(Math.min(96, size[d]));
                        }
                        Box box = Box.of(lo, hi);
                        boolean npy = r.nextBoolean();
                        String q = "cutout?box=" + box + "&mip=" + mip + "&format=" + (npy ? "npy" : "raw");
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(base.resolve(q)).build(), HttpResponse.BodyHandlers.ofByteArray());
                        latencies.add(System.nanoTime() - t0);
                        if (resp.statusCode() != 200) {
                            errors.incrementAndGet();
                            System.err.println(q + " -> " + resp.statusCode() + " " + new String(resp.body()));
                            continue;
                        }
                        NdView expected = source.mip(mip).read(box);
                        byte[] want = expected.segment().asSlice(expected.byteOffset(), expected.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                        byte[] body = resp.body();
                        byte[] got = npy ? Arrays.copyOfRange(body, body.length - want.length, body.length) : body;
                        if (body.length < want.length || !Arrays.equals(want, got)) {
                            errors.incrementAndGet();
                            System.err.println(q + ": body differs from BigArray.read");
                        }
                    }
                    return n;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) total += f.get();
            clients.shutdown();
            assertEquals(0, errors.get(), "errors or wrong answers under load");
            assertTrue(total >= CLIENTS, "cutouts done: " + total);
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            var stats = s.context().chunkCache().stats();
            assertTrue(stats.bytes() <= cacheBytes, "cache over its bytes: " + stats);
            System.out.printf("load: %d clients, %d cutouts, p50 %.1f ms, p99 %.1f ms, max %.1f ms; cache %s; RSS %s%n", CLIENTS, total,
                    sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                    sorted[sorted.length - 1] / 1e6, stats, rss());
        }
    }

    static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                    .map(l -> l.replaceAll("\\s+", " ")).reduce((a, b) -> a + ", " + b).orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }
}
