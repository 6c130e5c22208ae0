package org.bigarrays.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bigarrays.core.DataType;

/**
 * Two builds of BigArrays side by side: every harness case run as separate child processes of
 * each benchmark jar, interleaved (A B, then B A, ...) so drift on a shared machine hits both alike.
 * One process's median hides what differs between processes (JIT decisions, page placement), which
 * on a 2-vCPU VM is the larger part of the noise; so each version gets {@code --rounds} processes
 * and the table shows the median of their medians with the range across processes. A case counts
 * as slower only when the two ranges do not overlap. {@code --sharded} runs the sharded cases
 * instead: layers in spatial shards (written whole), their cutouts, a transcode to hashed shards
 * and a pyramid of sharded mips.
 *
 * <p>Usage: {@code Versions --a JAR --b JAR [--rounds 3] [--box8 256] [--box64 128] [--reps 5]
 * [--write-reps 1] [--warmup-s 4] [--only CASE,CASE...] [--encodings raw,gzip,zstd] [--out DIR] [--sharded]} (a case as the
 * table names it, e.g. "uint8 256³ c64 raw t2"; {@code --encodings} takes any of SideBySide's, e.g. cseg, lz4, blosc)
 */
public final class Versions {
    private record Runs(List<Double> read, List<Double> write, List<Double> rss, List<Double> transcode, List<Double> pyramid) {
        Runs() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    public static void main(String[] args) throws Exception {
        String a = null, b = null, only = null;
        List<String> encodings = List.of("raw", "gzip", "zstd");
        boolean sharded = false;
        int rounds = 3, reps = 5, writeReps = 1;
        long box8 = 256, box64 = 128;
        double warmup = 4;
        Path out = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--a" -> a = args[++i];
                case "--b" -> b = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--box8" -> box8 = Long.parseLong(args[++i]);
                case "--box64" -> box64 = Long.parseLong(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--write-reps" -> writeReps = Integer.parseInt(args[++i]);
                case "--warmup-s" -> warmup = Double.parseDouble(args[++i]);
                case "--only" -> only = args[++i];
                case "--encodings" -> encodings = List.of(args[++i].split(","));
                case "--out" -> out = Path.of(args[++i]);
                case "--sharded" -> sharded = true;
                default -> {
                    System.err.println("unknown option " + args[i] + "; usage: Versions --a JAR --b JAR [--rounds N] [--box8 N] [--box64 N] [--reps N] [--write-reps N] [--warmup-s S] [--only CASE,CASE...] [--encodings E,E...] [--out DIR] [--sharded]");
                    System.exit(2);
                }
            }
        }
        if (a == null || b == null) {
            System.err.println("Versions: --a JAR and --b JAR are required");
            System.exit(2);
        }
        StringBuilder md = new StringBuilder();
        md.append("Read and write MB/s: median of ").append(rounds).append(" processes' medians (each ").append(reps)
                .append(" reads after a ").append(warmup).append("-s warm-up), [min–max across processes].\n")
                .append("A = `").append(a).append("`, B = `").append(b).append("`; box8 ").append(box8).append(", box64 ").append(box64).append(".\n\n")
                .append(sharded ? "Sharded layers (spatial shards of 4³ chunks, written whole; transcode to 4 hashed shards; pyramid of 2 sharded mips), MB/s of mip-0 voxels.\n\n" : "")
                .append("| case | read A | read B | B ÷ A | reads | write A | write B | B ÷ A | writes |"
                        + (sharded ? " transcode A | transcode B | B ÷ A | transcodes | pyramid A | pyramid B | B ÷ A | pyramids |" : "") + " peak RSS MB A → B |\n")
                .append(sharded ? "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" : "|---|---|---|---|---|---|---|---|---|---|\n");
        for (DataType t : List.of(DataType.UINT8, DataType.UINT64)) {
            for (long chunk : sharded ? new long[] {64} : new long[] {64, 128}) {
                for (String enc : sharded ? List.of("raw-sharded", "gzip-sharded") : encodings) {
                    for (int th : sharded ? new int[] {2} : new int[] {1, 2}) {
                        SideBySide.Case c = new SideBySide.Case(t, t == DataType.UINT8 ? box8 : box64, chunk, enc, th);
                        if (only != null && java.util.Arrays.stream(only.split(",")).noneMatch(c.id()::equals)) continue;
                        Runs ra = new Runs(), rb = new Runs();
                        for (int r = 0; r < rounds; r++) {
                            boolean aFirst = r % 2 == 0;
                            run(aFirst ? a : b, c, reps, writeReps, warmup, aFirst ? ra : rb);
                            run(aFirst ? b : a, c, reps, writeReps, warmup, aFirst ? rb : ra);
                        }
                        String row = "| " + c.id() + " | " + cell(ra.read) + " | " + cell(rb.read) + " | " + ratio(ra.read, rb.read) + " | "
                                + verdict(ra.read, rb.read) + " | " + cell(ra.write) + " | " + cell(rb.write) + " | " + ratio(ra.write, rb.write)
                                + " | " + verdict(ra.write, rb.write)
                                + (sharded ? " | " + cell(ra.transcode) + " | " + cell(rb.transcode) + " | " + ratio(ra.transcode, rb.transcode) + " | "
                                        + verdict(ra.transcode, rb.transcode) + " | " + cell(ra.pyramid) + " | " + cell(rb.pyramid) + " | "
                                        + ratio(ra.pyramid, rb.pyramid) + " | " + verdict(ra.pyramid, rb.pyramid) : "")
                                + " | " + fmt(median(ra.rss)) + " → " + fmt(median(rb.rss)) + " |\n";
                        System.err.print(row);
                        md.append(row);
                    }
                }
            }
        }
        System.out.println(md);
        Files.createDirectories(out);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Files.writeString(out.resolve("versions-" + stamp + ".md"), md);
    }

    private static void run(String jar, SideBySide.Case c, int reps, int writeReps, double warmup, Runs into) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", jar, SideBySide.class.getName(), "--child", "bigarrays",
                c.type().name(), Long.toString(c.box()), Long.toString(c.chunk()), c.encoding(), Integer.toString(c.threads()),
                Integer.toString(reps), Integer.toString(writeReps), Double.toString(warmup));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, String> kv = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("RESULT ")) continue;
                for (String pair : line.substring(7).split(" ")) {
                    String[] x = pair.split("=", 2);
                    kv.put(x[0], x[1]);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || !kv.containsKey("read_median")) throw new IllegalStateException(c.id() + " with " + jar + ": child exit " + rc + " " + kv);
        into.read.add(Double.parseDouble(kv.get("read_median")));
        into.write.add(Double.parseDouble(kv.get("write_median")));
        into.rss.add(Double.parseDouble(kv.get("rss_mb")));
        if (kv.containsKey("transcode_median")) into.transcode.add(Double.parseDouble(kv.get("transcode_median")));
        if (kv.containsKey("pyramid_median")) into.pyramid.add(Double.parseDouble(kv.get("pyramid_median")));
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String cell(List<Double> v) {
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return fmt(median(v)) + " [" + fmt(min) + "–" + fmt(max) + "]";
    }

    private static String ratio(List<Double> a, List<Double> b) {
        return String.format(Locale.ROOT, "%.2f", median(b) / median(a));
    }

    /** "B slower" / "B faster" when the process ranges do not overlap, else "overlap" (within noise). */
    private static String verdict(List<Double> a, List<Double> b) {
        double aMin = a.stream().mapToDouble(Double::doubleValue).min().orElse(0), aMax = a.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double bMin = b.stream().mapToDouble(Double::doubleValue).min().orElse(0), bMax = b.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (bMax < aMin) return "B SLOWER";
        if (bMin > aMax) return "B faster";
        return "overlap";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
