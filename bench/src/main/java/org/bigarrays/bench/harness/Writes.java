package org.bigarrays.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Write comparison in one JVM per case: BigArrays without fsync, BigArrays durable (fsync per
 * chunk file, and of the scale directory once per write; the default), TileDB and jHDF write the same seeded volume in turn,
 * round after round (the order rotates each round), each into a fresh directory deleted after.
 * On a shared machine the load then hits every system alike, which separate processes (as in
 * {@link SideBySide}) do not guarantee. Prints a Markdown table: median [min–max] MB/s of voxels
 * over the rounds, after one untimed warm-up write each, and BigArrays' ratio to each peer.
 *
 * The stored bytes of each system's layer (files on disk after the write) are reported beside the
 * speeds: like for like means a comparable compression ratio (raw voxels ÷ stored bytes).
 *
 * <p>Usage: {@code Writes [--box8 N] [--box64 N] [--rounds N] [--cases REGEX] [--threads 1,2]
 * [--zstd-level N] [--tiledb-zstd-level N] [--io N]}: the zstd levels BigArrays and TileDB write at (default 3 both), and
 * BigArrays' I/O concurrency (default 4 per thread; the library's own default is 16 or more).
 */
public final class Writes {
    private Writes() {}

    public static void main(String[] args) throws Exception {
        long b8 = 256, b64 = 128;
        int rounds = 5;
        Pattern only = null;
        int[] threads = {1, 2};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--box8" -> b8 = Long.parseLong(args[++i]);
                case "--box64" -> b64 = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--cases" -> only = Pattern.compile(args[++i]);
                case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--zstd-level" -> System.setProperty(BigArraysPeer.ZSTD_LEVEL, Integer.toString(Integer.parseInt(args[++i])));
                case "--tiledb-zstd-level" -> System.setProperty(TileDbPeer.ZSTD_LEVEL, Integer.toString(Integer.parseInt(args[++i])));
                case "--io" -> System.setProperty(BigArraysPeer.IO_CONCURRENCY, Integer.toString(Integer.parseInt(args[++i])));
                default -> {
                    System.err.println("unknown option " + args[i] + "; usage: Writes [--box8 N] [--box64 N] [--rounds N] [--cases REGEX] [--threads 1,2] [--zstd-level N] [--tiledb-zstd-level N] [--io N]");
                    System.exit(2);
                }
            }
        }
        StringBuilder md = new StringBuilder("Writes, one JVM per case, systems in rotating turns; MB/s of voxels, median [min–max] of " + rounds
                + " rounds after a warm-up write each; " + Runtime.getRuntime().availableProcessors() + " cores, JDK " + Runtime.version()
                + "; zstd level BigArrays " + Integer.getInteger(BigArraysPeer.ZSTD_LEVEL, 3) + ", TileDB " + TileDbPeer.zstdLevel()
                + "; BigArrays I/O concurrency " + (Integer.getInteger(BigArraysPeer.IO_CONCURRENCY) == null ? "4 per thread" : Integer.getInteger(BigArraysPeer.IO_CONCURRENCY))
                + "; stored: bytes on disk after the write, ratio = raw voxels ÷ stored\n\n"
                + "| case | BigArrays no fsync | BigArrays durable | TileDB | jHDF | no-fsync ÷ TileDB | no-fsync ÷ jHDF | durable ÷ TileDB | durable ÷ jHDF | stored MB (ratio) BigArrays | TileDB | jHDF |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (DataType t : List.of(DataType.UINT8, DataType.UINT64)) {
            for (long chunk : new long[] {64, 128}) {
                for (String enc : List.of("raw", "gzip", "zstd")) {
                    for (int th : threads) {
                        SideBySide.Case c = new SideBySide.Case(t, t == DataType.UINT8 ? b8 : b64, chunk, enc, th);
                        if (only != null && !only.matcher(c.id()).find()) continue;
                        md.append(run(c, rounds));
                        System.err.println(md);
                    }
                }
            }
        }
        System.out.println(md);
    }

    /** One row: every system's writes of {@code c}'s volume. */
    static String run(SideBySide.Case c, int rounds) throws Exception {
        long off = c.chunk() / 2 + 3, edge = c.box() + 2 * off; // the volume SideBySide writes
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) { // writers read it from their threads
            return row(c, rounds, SideBySide.volume(arena, c.type(), new long[] {edge, edge, edge}));
        }
    }

    private static String row(SideBySide.Case c, int rounds, NdView vol) throws Exception {
        Map<String, Peer> systems = new LinkedHashMap<>();
        systems.put("nofsync", new BigArraysPeer());
        systems.put("durable", new BigArraysPeer());
        systems.put("tiledb", new TileDbPeer());
        JhdfPeer jhdf = new JhdfPeer();
        if (jhdf.supports(c)) systems.put("jhdf", jhdf);
        List<String> names = new ArrayList<>(systems.keySet());
        Map<String, double[]> mbs = new LinkedHashMap<>();
        Map<String, Long> stored = new LinkedHashMap<>();
        for (String n : names) mbs.put(n, new double[rounds]);
        for (int r = -1; r < rounds; r++) { // round -1: warm-up, untimed
            for (int k = 0; k < names.size(); k++) {
                String n = names.get(Math.floorMod(k + r, names.size()));
                System.setProperty(SideBySide.NO_FSYNC, Boolean.toString(!n.equals("durable")));
                Path d = Files.createTempDirectory("bigarrays-writes");
                try {
                    long t0 = System.nanoTime();
                    systems.get(n).write(d, vol, c);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r >= 0) mbs.get(n)[r] = vol.byteSize() / 1e6 / s;
                    else stored.put(n, bytesOnDisk(d));
                } finally {
                    SideBySide.delete(d);
                }
            }
        }
        StringBuilder row = new StringBuilder("| ").append(c.id()).append(" | ");
        Map<String, Double> med = new LinkedHashMap<>();
        for (String n : List.of("nofsync", "durable", "tiledb", "jhdf")) {
            double[] v = mbs.get(n);
            if (v == null) {
                row.append("— | ");
                continue;
            }
            Arrays.sort(v);
            med.put(n, SideBySide.median(v));
            row.append(SideBySide.fmt(SideBySide.median(v))).append(" [").append(SideBySide.fmt(v[0])).append("–").append(SideBySide.fmt(v[v.length - 1])).append("] | ");
        }
        for (String ours : List.of("nofsync", "durable")) {
            for (String peer : List.of("tiledb", "jhdf")) {
                Double p = med.get(peer);
                row.append(p == null ? "—" : String.format(Locale.ROOT, "%.2f×", med.get(ours) / p)).append(" | ");
            }
        }
        for (String n : List.of("nofsync", "tiledb", "jhdf")) {
            Long b = stored.get(n);
            row.append(b == null ? "—" : String.format(Locale.ROOT, "%.2f (%.3f)", b / 1e6, (double) vol.byteSize() / b)).append(" | ");
        }
        return row.append("\n").toString();
    }

    /** The bytes of the files under {@code d}. */
    static long bytesOnDisk(Path d) throws java.io.IOException {
        try (var files = Files.walk(d)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
