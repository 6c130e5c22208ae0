package org.bigarrays.bench.serveload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bigarrays.TempTrees;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.bench.S3ProxyServer;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The load test of the HTTP service (issue 21): closed-loop clients mixing cutouts of 64³, 128³
 * and 256³, chunk GETs and batch cutouts against servers run as their own processes, on one
 * layer on local disk and the same layer on S3Proxy; per request class p50/p99 latency,
 * throughput (req/s, MB/s), 503s and errors, and each server's peak RSS (VmHWM). Limits in the
 * same run: nginx serving the layer's files (chunk GETs) and files the size of each cutout (the
 * HTTP ceiling for cutouts), and in-process {@link BigArray#read} of the same boxes on as many
 * threads (cutouts, no bytes moved).
 *
 * <p>Targets: {@code current} is {@code <root>/bigarrays serve} with its defaults (the product,
 * whatever main has); {@code jdk}, {@code jetty}, {@code helidon} are the prototypes
 * ({@link JdkServerPrototype}, {@link JettyPrototype}, {@link HelidonPrototype}), one handler
 * on three servers. Phases per target and store: {@code mixed} (all classes by weight),
 * {@code chunks} (chunk GETs only, compared with nginx), {@code cutouts} (cutouts only, compared
 * with nginx's files and in-process reads). Results are printed and written as a markdown table. Exits 1 when a
 * request failed (not 503) or none was answered, after writing the table.
 *
 * <p>Usage (bench/serve-load/run passes --root and --commit): {@code ServeLoad [--quick]
 * [--duration S] [--warmup S] [--clients N] [--targets current,jdk,jetty,helidon]
 * [--stores local,s3] [--phases cutouts,chunks,mixed] [--limits nginx,inprocess]
 * [--size X,Y,Z] [--serve-args "ARGS"] [--out DIR] [--label NAME] [--dir WORKDIR]}
 */
public final class ServeLoad {
    private static final String LAYER = "em";
    private static final long CHUNK = 64;
    private static final long CACHE = 512L << 20;

    private ServeLoad() {}

    /** One line of the table. */
    private record Row(String target, String store, String phase, RequestClass cls, ClassStats stats, double seconds, long rssBytes, String load,
            String vsNginx, String vsInProcess) {
        double reqPerSec() {
            return stats.ok / seconds;
        }

        double mbPerSec() {
            return stats.bytes / seconds / 1e6;
        }
    }

    private static final class Settings {
        boolean quick;
        double duration = Double.NaN;
        double warmup = Double.NaN;
        int clients = 16;
        List<String> targets;
        List<String> stores;
        List<String> phases;
        List<String> limits;
        long[] size;
        List<String> serveArgs = List.of();
        Path out;
        String label;
        Path dir;
        Path root = Path.of(".");
        String commit = "?";
        String command = "";
    }

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("serve-load: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new ServeLoad().run(s));
    }

    private static Settings parse(String[] args) {
        Settings s = new Settings();
        StringBuilder cmd = new StringBuilder("bench/serve-load/run");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--root") || args[i].equals("--commit")) i++; // the script's own
            else cmd.append(' ').append(args[i].contains(" ") || args[i].isEmpty() ? "\"" + args[i] + "\"" : args[i]);
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.equals("--quick") && a.startsWith("--") && i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            switch (a) {
                case "--quick" -> s.quick = true;
                case "--duration" -> s.duration = positive(a, args[++i]);
                case "--warmup" -> s.warmup = positive(a, args[++i]);
                case "--clients" -> s.clients = (int) positive(a, args[++i]);
                case "--targets" -> s.targets = List.of(args[++i].split(","));
                case "--stores" -> s.stores = List.of(args[++i].split(","));
                case "--phases" -> s.phases = List.of(args[++i].split(","));
                case "--limits" -> s.limits = args[++i].isEmpty() ? List.of() : List.of(args[i].split(","));
                case "--size" -> {
                    String v = args[++i];
                    s.size = Arrays.stream(v.split(",")).mapToLong(x -> (long) positive(a, x)).toArray();
                    if (s.size.length != 3 || Arrays.stream(s.size).anyMatch(x -> x < CHUNK)) {
                        throw new IllegalArgumentException("--size '" + v + "': expected X,Y,Z, each at least " + CHUNK + " (one chunk)");
                    }
                }
                case "--serve-args" -> s.serveArgs = args[++i].isBlank() ? List.of() : List.of(args[i].trim().split("\\s+"));
                case "--out" -> s.out = Path.of(args[++i]);
                case "--label" -> s.label = args[++i];
                case "--dir" -> s.dir = Path.of(args[++i]);
                case "--root" -> s.root = Path.of(args[++i]);
                case "--commit" -> s.commit = args[++i];
                default -> throw new IllegalArgumentException("unknown option '" + a + "'; see bench/serve-load/run --help");
            }
        }
        s.command = cmd.toString();
        if (Double.isNaN(s.duration)) s.duration = s.quick ? 1.5 : 10;
        if (Double.isNaN(s.warmup)) s.warmup = s.quick ? 0.5 : 5;
        if (s.targets == null) s.targets = s.quick ? List.of("current") : List.of("current", "jdk", "jetty", "helidon");
        if (s.stores == null) s.stores = s.quick ? List.of("local") : List.of("local", "s3");
        if (s.phases == null) s.phases = s.quick ? List.of("mixed") : List.of("cutouts", "chunks", "mixed");
        if (s.limits == null) s.limits = s.quick ? List.of("inprocess") : List.of("nginx", "inprocess");
        if (s.size == null) s.size = s.quick ? new long[] {256, 256, 256} : new long[] {512, 512, 512};
        if (s.label == null) s.label = s.quick ? "quick" : "run";
        if (s.out == null) s.out = s.root.resolve(s.quick ? "bench/target/serve-load" : "bench/results/serve-load");
        for (String t : s.targets) {
            if (!List.of("current", "jdk", "jetty", "helidon").contains(t)) throw new IllegalArgumentException("target '" + t + "': expected current, jdk, jetty or helidon");
        }
        for (String t : s.stores) {
            if (!List.of("local", "s3").contains(t)) throw new IllegalArgumentException("store '" + t + "': expected local or s3");
        }
        for (String t : s.phases) {
            if (!List.of("mixed", "chunks", "cutouts").contains(t)) throw new IllegalArgumentException("phase '" + t + "': expected mixed, chunks or cutouts");
        }
        for (String t : s.limits) {
            if (!List.of("nginx", "inprocess").contains(t)) throw new IllegalArgumentException("limit '" + t + "': expected nginx or inprocess");
        }
        return s;
    }

    private static double positive(String option, String value) {
        try {
            double v = Double.parseDouble(value);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(option + " '" + value + "': expected a number > 0");
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> peaks = new LinkedHashMap<>();
    /** Limit figures by "store|class": MB/s of in-process reads, req/s of nginx. */
    private final Map<String, Double> limitFigures = new HashMap<>();

    private int run(Settings s) throws Exception {
        Path dir = s.dir != null ? Files.createDirectories(s.dir)
                : Files.createTempDirectory("bigarrays-serve-load", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        String loadAtStart = loadAverage();
        Instant started = Instant.now();
        S3ProxyServer s3 = null;
        java.util.concurrent.atomic.AtomicReference<S3ProxyServer> s3ToStop = new java.util.concurrent.atomic.AtomicReference<>();
        // Ctrl-C: S3Proxy stopped and no layer copy left in the temp folder (servers: ServerProcess's own hook).
        Thread cleanup = new Thread(() -> {
            S3ProxyServer running = s3ToStop.get();
            if (running != null) running.close();
            try {
                if (s.dir == null) TempTrees.deleteTree(dir);
            } catch (IOException e) {
                System.err.println("serve-load: could not remove " + dir + ": " + e);
            }
        }, "serve-load-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Path layerDir = dir.resolve("layer");
            Info info = makeLayer(layerDir, s.size);
            Map<String, String> urls = new LinkedHashMap<>();
            urls.put("local", layerDir.toAbsolutePath().toString());
            Map<String, String> env = new HashMap<>();
            if (s.stores.contains("s3")) {
                s3 = S3ProxyServer.start(dir, "1g");
                s3ToStop.set(s3);
                upload(s3, layerDir);
                urls.put("s3", "s3://bench/" + LAYER + "?endpoint=" + s3.endpoint);
                env.putAll(s3.sdkEnvironment());
            }
            if (s.quick) env.put("BIGARRAYS_AOT", "0"); // the launcher would train its start-up cache first (once per build)
            String scaleKey = info.scale(0).key();
            Duration warmup = Duration.ofMillis((long) (s.warmup * 1000));
            Duration window = Duration.ofMillis((long) (s.duration * 1000));

            // The limits first (they also warm the page cache with the layer's files).
            if (s.limits.contains("inprocess")) {
                for (String store : s.stores) {
                    try (BigArraysContext ctx = BigArraysContext.create(CACHE); BigArray a = BigArray.open(urls.get(store), Options.defaults(), ctx)) {
                        Workload w = new Workload(s.size, new long[] {CHUNK, CHUNK, CHUNK}, scaleKey, cutoutClasses());
                        LoadRun.Result r = LoadRun.inProcess(a, w, s.clients, warmup, window, 1);
                        addRows("in-process BigArray.read", store, "cutouts", r, -1, null);
                        r.byClass().forEach((c, st) -> limitFigures.put("inprocess|" + store + "|" + c, st.bytes / r.seconds() / 1e6));
                    }
                }
            }
            if (s.limits.contains("nginx") && (s.phases.contains("chunks") || s.phases.contains("cutouts"))) {
                Path nginx = Nginx.binary();
                if (nginx == null) {
                    notes.add("nginx limit skipped: no nginx installed (bench/serve-load/run installs nginx-light when run as root, outside --quick)");
                } else {
                    Workload files = new Workload(s.size, new long[] {CHUNK, CHUNK, CHUNK}, scaleKey, cutoutClasses(), "../static");
                    Path staticDir = Files.createDirectories(dir.resolve("nginx-static"));
                    Random random = new Random(3);
                    for (RequestClass c : cutoutClasses()) {
                        byte[] b = new byte[Math.toIntExact(files.cutoutBytes(c))];
                        random.nextBytes(b);
                        Files.write(staticDir.resolve(Workload.fileName(c)), b);
                    }
                    try (ServerProcess n = Nginx.start(nginx, dir.resolve("nginx"), LAYER, layerDir, staticDir)) {
                        URI layer = URI.create("http://127.0.0.1:" + n.port + "/" + LAYER + "/");
                        if (s.phases.contains("chunks")) {
                            Workload w = new Workload(s.size, new long[] {CHUNK, CHUNK, CHUNK}, scaleKey, List.of(RequestClass.CHUNK));
                            LoadRun.Result r = LoadRun.http(layer, w, s.clients, warmup, window, timeout(), 2);
                            addRows("nginx (static files)", "local", "chunks", r, -1, null);
                            limitFigures.put("nginx|" + RequestClass.CHUNK, r.byClass().get(RequestClass.CHUNK).ok / r.seconds());
                        }
                        if (s.phases.contains("cutouts")) {
                            LoadRun.Result r = LoadRun.http(layer, files, s.clients, warmup, window, timeout(), 1);
                            addRows("nginx (files of cutout size)", "local", "cutouts", r, -1, null);
                            r.byClass().forEach((c, st) -> limitFigures.put("nginx|" + c, st.bytes / r.seconds() / 1e6));
                        }
                    }
                }
            } else if (s.limits.contains("nginx")) {
                notes.add("nginx limit skipped: it is compared with the chunks and cutouts phases, which this run has not");
            }

            for (String target : s.targets) {
                for (String store : s.stores) {
                    runTarget(s, target, store, urls.get(store), env, dir, scaleKey, warmup, window);
                }
            }
        } finally {
            if (s3 != null) s3.close();
            if (s.dir == null) TempTrees.deleteTree(dir);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        String md = markdown(s, started, loadAtStart, loadAverage());
        System.out.println(md);
        Files.createDirectories(s.out);
        Path file = s.out.resolve(s.label + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started) + ".md");
        Files.writeString(file, md);
        System.out.println("written to " + file);
        // Exit 1 when nothing was answered, or anything failed (503s are the servers' own policy): the smoke's signal.
        int errors = rows.stream().mapToInt(r -> r.stats.errors()).sum();
        if (errors > 0) System.err.println("serve-load: " + errors + " requests failed (timeouts, broken connections, statuses other than 200/503, wrong lengths); see the errors column");
        if (rows.stream().noneMatch(r -> r.stats.ok > 0)) System.err.println("serve-load: no request was answered");
        return errors == 0 && rows.stream().anyMatch(r -> r.stats.ok > 0) ? 0 : 1;
    }

    private void runTarget(Settings s, String target, String store, String url, Map<String, String> env, Path dir, String scaleKey, Duration warmup,
            Duration window) throws Exception {
        int port = ServerProcess.freePort();
        List<String> cmd = new ArrayList<>();
        String name;
        if (target.equals("current")) {
            name = "current: bigarrays serve" + (s.serveArgs.isEmpty() ? "" : " " + String.join(" ", s.serveArgs));
            cmd.addAll(List.of(s.root.resolve("bigarrays").toString(), "serve", "--port", Integer.toString(port)));
            cmd.addAll(s.serveArgs);
        } else {
            String cls = switch (target) {
                case "jdk" -> JdkServerPrototype.class.getName();
                case "jetty" -> JettyPrototype.class.getName();
                default -> HelidonPrototype.class.getName();
            };
            name = target + " prototype";
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), cls, "--port", Integer.toString(port), "--cache", Long.toString(CACHE)));
        }
        cmd.add(LAYER + "=" + url);
        Path log = dir.resolve(target + "-" + store + ".log");
        System.err.printf("serve-load: %s on %s (%s) ...%n", name, store, String.join(" ", cmd).replace(System.getProperty("java.class.path"), "<bench class path>"));
        try (ServerProcess p = ServerProcess.start(cmd, env, port, "/", log, Duration.ofSeconds(600))) {
            URI layer = URI.create("http://127.0.0.1:" + port + "/" + LAYER + "/");
            int batchStatus = probeBatch(layer);
            if (batchStatus != 200) notes.add(name + " (" + store + "): batch cutouts skipped: POST /" + LAYER + "/cutouts answered " + batchStatus);
            for (String phase : s.phases) {
                List<RequestClass> classes = switch (phase) {
                    case "chunks" -> List.of(RequestClass.CHUNK);
                    case "cutouts" -> cutoutClasses();
                    default -> Arrays.stream(RequestClass.values()).filter(c -> c != RequestClass.BATCH || batchStatus == 200).toList();
                };
                Workload w = new Workload(s.size, new long[] {CHUNK, CHUNK, CHUNK}, scaleKey, classes);
                LoadRun.Result r = LoadRun.http(layer, w, s.clients, warmup, window, timeout(), 3);
                if (!p.isAlive()) notes.add(name + " (" + store + ") exited during the " + phase + " phase; its log: " + ServerProcess.tail(log).replace('\n', ' '));
                long rss = p.peakRssBytes();
                addRows(name, store, phase, r, rss, phase);
                peaks.merge(name + " | " + store, rss, Math::max);
            }
        } catch (IllegalStateException e) {
            notes.add(name + " (" + store + "): " + e.getMessage().replace('\n', ' '));
            System.err.println("serve-load: " + e.getMessage());
        }
    }

    private static List<RequestClass> cutoutClasses() {
        return List.of(RequestClass.CUTOUT_64, RequestClass.CUTOUT_128, RequestClass.CUTOUT_256);
    }

    private static Duration timeout() {
        return Duration.ofSeconds(60);
    }

    private void addRows(String target, String store, String phase, LoadRun.Result r, long rss, String comparedPhase) {
        String load = loadAverage();
        r.byClass().forEach((c, st) -> {
            String vsNginx = "";
            String vsInProcess = "";
            if (comparedPhase != null && comparedPhase.equals("chunks") && c == RequestClass.CHUNK) {
                vsNginx = ratio(st.ok / r.seconds(), limitFigures.get("nginx|" + c));
            } else if (comparedPhase != null && comparedPhase.equals("cutouts") && c.isCutout()) {
                double mbs = st.bytes / r.seconds() / 1e6;
                vsNginx = ratio(mbs, limitFigures.get("nginx|" + c));
                vsInProcess = ratio(mbs, limitFigures.get("inprocess|" + store + "|" + c));
            }
            rows.add(new Row(target, store, phase, c, st, r.seconds(), rss, load, vsNginx, vsInProcess));
            System.err.printf(Locale.ROOT, "serve-load: %-32s %-5s %-7s %-13s ok %5d 503 %4d err %3d p50 %8.1f ms p99 %8.1f ms %7.1f req/s %7.1f MB/s %s %s%n",
                    target, store, phase, c.label, st.ok, st.busy, st.errors(), st.percentileMillis(0.5), st.percentileMillis(0.99), st.ok / r.seconds(),
                    st.bytes / r.seconds() / 1e6, vsNginx.isEmpty() ? "" : "vs nginx " + vsNginx, vsInProcess.isEmpty() ? "" : "vs in-process " + vsInProcess);
        });
    }

    private static String ratio(double mine, Double limit) {
        return limit == null || !(limit > 0) ? "" : String.format(Locale.ROOT, "%.2f×", mine / limit);
    }

    /** The status of a one-box batch request (200 when the server answers batch cutouts). */
    private static int probeBatch(URI layer) {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpRequest req = HttpRequest.newBuilder(layer.resolve("cutouts")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"mip\":0,\"boxes\":[\"0,0,0:8,8,8\"]}")).build();
            return c.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** A gzip uint8 layer of {@code size} (64³ chunks), compressible position-dependent noise. */
    private static Info makeLayer(Path dir, long[] size) {
        Info info = Info.builder(DataType.UINT8, size, new long[] {CHUNK, CHUNK, CHUNK}).build();
        try (BigArray a = BigArray.create(dir.toAbsolutePath().toString(), info, Options.defaults().withCompression(Compression.GZIP))) {
            Random r = new Random(7);
            for (long z = 0; z < size[2]; z += CHUNK) {
                long dz = Math.min(CHUNK, size[2] - z);
                byte[] b = new byte[Math.toIntExact(size[0] * size[1] * dz)];
                r.nextBytes(b);
                for (int i = 0; i < b.length; i++) b[i] = (byte) ((b[i] & 0x0f) + (i >> 14));
                a.write(NdView.wrap(MemorySegment.ofArray(b), DataType.UINT8, new long[] {0, 0, z, 0}, new long[] {size[0], size[1], dz, 1}));
            }
        }
        return info;
    }

    /** Every file of the layer to S3Proxy under bucket "bench", prefix "em/". */
    private static void upload(S3ProxyServer s3, Path layerDir) throws IOException {
        try (S3Client c = s3.client(8); Stream<Path> files = Files.walk(layerDir)) {
            c.createBucket(b -> b.bucket("bench"));
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String key = LAYER + "/" + layerDir.relativize(f).toString().replace('\\', '/');
                c.putObject(b -> b.bucket("bench").key(key), RequestBody.fromFile(f));
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private String markdown(Settings s, Instant started, String loadStart, String loadEnd) {
        StringBuilder sb = new StringBuilder();
        Map<RequestClass, String> weights = new EnumMap<>(RequestClass.class);
        for (RequestClass c : RequestClass.values()) weights.put(c, c.label + " " + c.weight);
        sb.append("# bench/serve-load: ").append(s.label).append("\n\n");
        sb.append("- ").append(DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS))).append(", commit ")
                .append(s.commit).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ").append(Runtime.version())
                .append("\n");
        sb.append("- load average (1, 5, 15 min) at start ").append(loadStart).append(", at end ").append(loadEnd)
                .append("; the `load` column is the 1-minute figure after each phase. Clients, server")
                .append(s.stores.contains("s3") ? ", S3Proxy" : "").append(" and any other work share these cores.\n");
        sb.append("- command: `").append(s.command).append("`\n");
        sb.append("- layer: ").append(s.size[0]).append('×').append(s.size[1]).append('×').append(s.size[2])
                .append(" uint8, 64³ gzip chunks, mip 0; `local` = files on disk, `s3` = the same files on S3Proxy 4.1.0 (in memory, 127.0.0.1, SigV4)\n");
        sb.append("- ").append(s.clients).append(" closed-loop clients (java.net.http, HTTP/1.1, keep-alive), warm-up ").append(s.warmup)
                .append(" s then ").append(s.duration).append(" s measured per phase, phases in the order listed on one server process ")
                .append("(its chunk cache cold at start); a request counts when it completes inside the window, a cutout whose body is not its box's size ")
                .append("counts as an error; ")
                .append("after a 503 a client pauses ").append(LoadRun.BUSY_PAUSE.toMillis()).append(" ms\n");
        sb.append("- phases: `mixed` draws classes by weight (").append(String.join(", ", weights.values()))
                .append("; batch only where the server answers it), `chunks` only chunk GETs, `cutouts` only cutouts (64/128/256³ by weight 25/20/10); ")
                .append("cutouts are raw uint8 at random positions inside the volume\n");
        sb.append("- servers: `current` is `bigarrays serve` with its defaults (cache 512M, launcher's JVM options); prototypes (bench module, ")
                .append("org.bigarrays.bench.serveload) run one shared handler (streamed cutouts in 8 MiB slabs, batches through java/server's BatchCutouts, ")
                .append("no admission limit) with cache 512M, ")
                .append("`java --enable-native-access=ALL-UNNAMED` and default JVM options; peak RSS = VmHWM of the server process\n");
        sb.append("- limits: `nginx` serves the layer's files (chunks phase: `vs nginx` = req/s ratio) and files of each cutout's size ")
                .append("(cutouts phase: `vs nginx` = MB/s ratio, the HTTP ceiling of this machine and client); `in-process BigArray.read` reads the same ")
                .append("boxes on ").append(s.clients).append(" threads into reused buffers through a 512M cache, no bytes moved ")
                .append("(cutouts phase: `vs in-process` = MB/s ratio, same store)\n");
        for (String n : notes) sb.append("- ").append(n).append('\n');
        sb.append('\n');
        sb.append("| server | store | phase | class | ok | 503 | errors | p50 ms | p99 ms | req/s | MB/s | vs nginx | vs in-process | peak RSS MiB | load |\n");
        sb.append("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %d | %s | %s | %.1f | %.1f | %s | %s | %s | %s |%n", r.target, r.store, r.phase,
                    r.cls.label, r.stats.ok, r.stats.busy, r.stats.errors(), ms(r.stats.percentileMillis(0.5)), ms(r.stats.percentileMillis(0.99)),
                    r.reqPerSec(), r.mbPerSec(), r.vsNginx, r.vsInProcess, r.rssBytes < 0 ? "" : Long.toString(r.rssBytes >> 20), r.load.split(" ")[0]));
        }
        if (!peaks.isEmpty()) {
            sb.append("\n| server | store | peak RSS MiB (all phases) |\n|---|---|--:|\n");
            peaks.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v < 0 ? "?" : Long.toString(v >> 20)).append(" |\n"));
        }
        return sb.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

}
