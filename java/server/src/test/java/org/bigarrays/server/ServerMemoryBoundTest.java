package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory bound the README states: the server process (a JVM of its own, default JVM options,
 * default limits) stays within its cache + 512 MiB of peak RSS (VmHWM) while fast clients take
 * 256 MiB cutouts, slow clients trickle-read others and a 1 GiB value, all at once; the cache is
 * filled (the layer's chunks are twice its size).
 */
class ServerMemoryBoundTest {
    private static final long CACHE = 32L << 20;
    private static final long BOUND = CACHE + (512L << 20);

    @TempDir
    static Path dir;

    /** Status and Content-Length of a response read from {@code in} (headers only). */
    private static long[] headers(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        long status = -1;
        long length = -1;
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String l = line.toString().trim();
                if (l.isEmpty()) break;
                if (status < 0) status = Long.parseLong(l.split(" ")[1]);
                else if (l.toLowerCase().startsWith("content-length:")) length = Long.parseLong(l.substring(15).trim());
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        return new long[] {status, length};
    }

    /** GET {@code path}; read the body at full speed, or slowly for {@code slowMillis} then hang up. @return status */
    private static long fetch(int port, String path, long slowMillis, AtomicLong bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            if (slowMillis > 0) s.setReceiveBufferSize(16 << 10);
            OutputStream o = s.getOutputStream();
            o.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            long[] h = headers(in);
            if (h[0] != 200) return h[0];
            byte[] buf = new byte[slowMillis > 0 ? 16 << 10 : 1 << 20];
            long end = System.nanoTime() + slowMillis * 1_000_000L;
            long got = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                got += n;
                if (slowMillis > 0) {
                    if (System.nanoTime() > end) break;
                    Thread.sleep(5);
                }
            }
            bytes.addAndGet(got);
            if (slowMillis == 0) assertEquals(h[1], got, path);
            return h[0];
        }
    }

    private static long status(long pid, String field) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(field + ":")) return Long.parseLong(l.replaceAll("\\D", "")) << 10;
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    @Test
    void peakRssStaysWithinCachePlus512MiBUnderLargeCutoutsAndSlowClients() throws Exception {
        String url = dir.resolve("em").toUri().toString();
        Info info = Info.builder(DataType.UINT8, new long[] {512, 512, 256}, new long[] {64, 64, 64}).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults())) {
            NdView v = a.read(a.bounds());
            v.segment().fill((byte) 7);
            a.write(v);
        }
        Path big = Files.createDirectories(dir.resolve("em").resolve("shards")).resolve("big");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(), url, Long.toString(CACHE));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("port "), "server start: " + first);
            int port = Integer.parseInt(first.substring(5));
            AtomicLong bytes = new AtomicLong();
            AtomicInteger busy = new AtomicInteger();
            String cutout = "/em/cutout?box=0,0,0:1024,1024,256&format=raw"; // 256 MiB: a quarter real chunks, the rest fill
            List<Future<Long>> jobs = new ArrayList<>();
            for (int i = 0; i < 4; i++) jobs.add(pool.submit(() -> fetch(port, cutout, 3000, bytes)));
            for (int i = 0; i < 8; i++) jobs.add(pool.submit(() -> fetch(port, "/em/shards/big", 3000, bytes)));
            for (int i = 0; i < 4; i++) {
                int k = i;
                jobs.add(pool.submit(() -> {
                    long st = 0;
                    for (int r = 0; r < 2; r++) {
                        do {
                            st = fetch(port, "/em/cutout?box=" + (k * 64) + ",0,0:" + (1024 + k * 64) + ",1024,256&format=raw", 0, bytes);
                            if (st == 503) {
                                busy.incrementAndGet();
                                Thread.sleep(100);
                            }
                        } while (st == 503);
                    }
                    return st;
                }));
            }
            long maxRss = 0;
            while (!jobs.stream().allMatch(Future::isDone)) {
                maxRss = Math.max(maxRss, status(p.pid(), "VmRSS"));
                Thread.sleep(50);
            }
            for (Future<Long> f : jobs) assertEquals(200L, f.get(), "every client got its answer");
            long hwm = status(p.pid(), "VmHWM");
            System.out.printf("server peak RSS %d MiB (sampled max %d MiB), bound %d MiB; %d MiB sent; %d busy answers retried%n",
                    hwm >> 20, maxRss >> 20, BOUND >> 20, bytes.get() >> 20, busy.get());
            assertTrue(bytes.get() > 2L * 4 * (256L << 20) - 1, "the fast clients got all their bytes");
            assertTrue(hwm <= BOUND, "peak RSS " + (hwm >> 20) + " MiB over the bound of " + (BOUND >> 20) + " MiB");
        } finally {
            pool.shutdownNow();
            p.getOutputStream().close();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
