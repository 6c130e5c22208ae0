package org.bigarrays.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.precomputed.Info;

/**
 * Whole-cutout benchmark: for each case (data type, chunk edge, encoding, threads) and each
 * system (BigArrays and the baselines memcpy, read-the-files, decompressor-alone) a child JVM
 * prepares the same seeded volume, measures chunk-aligned write and unaligned cutout read
 * throughput (median and spread over repetitions after warm-up), checksums the voxels read and
 * reports its peak RSS (VmHWM). The parent prints and stores a Markdown table and JSON.
 *
 * <p>Encodings: raw, gzip, zstd, lz4 (transport compressions) and jpeg, png, cseg (compressed_segmentation), blosc (blosclz) as
 * the layer's data encoding; the {@code decompress} system times each codec's bare decoder on the same chunk files
 * (for lz4, jpeg, png, cseg and blosc also, in the same process and interleaved, BigArrays' cutout and two more limits on
 * the case's threads: bare decode + place into the output, and read the file + decode + place: {@link BarePlacement});
 * for raw chunks it times, the same way, read + place and read only beside BigArrays' cutout (the raw limit of goal 1).
 * <p>Usage: {@code SideBySide [--quick] [--out DIR] [--reps N] [--write-reps N] [--warmup-s S] [--box8 N] [--box64 N] [--systems a,b] [--encodings raw,gzip] [--cases REGEX, matched against ids such as 'uint8 256³ c64 zstd t1'] [--no-fsync] [--child-jvm-flags 'FLAGS']}; child mode is internal.
 * {@code --child-jvm-flags} hands the same JVM flags to every child (e.g. {@code -Xmx1g}: a bounded heap, under which
 * {@code read(box)}'s new results reuse the memory of dropped ones instead of new heap; see the README's "the simple API's result memory").
 * Encodings {@code zarr3-gzip}, {@code zarr3-zstd} and their {@code -sharded} forms write the same volume as a Zarr v3 array
 * (sharded: {@code sharding_indexed}); they run with BigArrays' systems and {@code decompress} only.
 */
public final class SideBySide {
    private SideBySide() {}

    /** One measured configuration. */
    record Case(DataType type, long box, long chunk, String encoding, int threads) {
        String id() {
            return type.name().toLowerCase(Locale.ROOT) + " " + box + "³ c" + chunk + " " + encoding + " t" + threads;
        }
    }

    /** Systems: the library, then baselines (limits). Peers plug in here by name. */
    static final List<String> SYSTEMS = List.of("bigarrays", "bigarrays-simple", "bigarrays-arena", "bigarrays-cli", "tiledb", "jhdf", "memcpy", "readfiles", "decompress");

    /** The systems that run the Zarr cases (the peers and file baselines know precomputed chunk files only). */
    static final List<String> ZARR_SYSTEMS = List.of("bigarrays", "bigarrays-simple", "bigarrays-arena", "decompress");

    /** The system named {@code sys}, or null for a baseline. */
    static Peer peer(String sys) {
        return switch (sys) {
            case "bigarrays" -> new BigArraysPeer();
            case "bigarrays-simple" -> new BigArraysPeer(BigArraysPeer.Api.SIMPLE);
            case "bigarrays-arena" -> new BigArraysPeer(BigArraysPeer.Api.ARENA);
            case "bigarrays-cli" -> new CliPeer();
            case "tiledb" -> new TileDbPeer();
            case "jhdf" -> new JhdfPeer();
            default -> null;
        };
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args);
            return;
        }
        boolean quick = false;
        Path out = Path.of("bench/results");
        int reps = 5;
        int writeReps = 3;
        long b8 = -1, b64 = -1;
        String only = null;
        String onlyEncodings = null;
        java.util.regex.Pattern casesMatching = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup-s" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--write-reps" -> writeReps = Integer.parseInt(args[++i]);
                case "--box8" -> b8 = Long.parseLong(args[++i]);
                case "--box64" -> b64 = Long.parseLong(args[++i]);
                case "--systems" -> only = args[++i];
                case "--encodings" -> onlyEncodings = args[++i];
                case "--cases" -> casesMatching = java.util.regex.Pattern.compile(args[++i]);
                case "--no-fsync" -> System.setProperty(NO_FSYNC, "true");
                case "--child-jvm-flags" -> childJvmFlags = List.of(args[++i].trim().split("\\s+"));
                default -> {
                    System.err.println("unknown option " + args[i] + "; usage: SideBySide [--quick] [--out DIR] [--reps N] [--write-reps N] [--warmup-s S] [--box8 N] [--box64 N] [--systems a,b,...] [--encodings raw,gzip,...] [--cases REGEX] [--no-fsync] [--child-jvm-flags 'FLAGS']");
                    System.exit(2);
                }
            }
        }
        List<Case> cases = new ArrayList<>();
        if (b8 < 0) b8 = quick ? 48 : 512;
        if (b64 < 0) b64 = quick ? 24 : 256;
        if (quick) {
            writeReps = Math.min(writeReps, 1);
            warmupSeconds = Math.min(warmupSeconds, 0.2);
        }
        List<String> systems = only == null ? SYSTEMS : List.of(only.split(","));
        long[] chunks = quick ? new long[] {32} : new long[] {64, 128};
        List<String> encodings = new ArrayList<>(List.of("raw", "gzip"));
        if (hasZstd()) encodings.add("zstd");
        // The other codecs, each beside its bare decoder (full run; jpeg is uint8 only, cseg uint64 only).
        if (!quick) encodings.addAll(List.of("lz4", "jpeg", "png", "cseg", "blosc"));
        // Zarr v3 layers of the same volume, beside the precomputed rows (the smoke run: one sharded case).
        for (String z : quick ? List.of("gzip-sharded") : List.of("gzip", "zstd", "gzip-sharded", "zstd-sharded")) {
            if (!z.startsWith("zstd") || hasZstd()) encodings.add(BigArraysPeer.ZARR + z);
        }
        if (onlyEncodings != null) encodings.retainAll(List.of(onlyEncodings.split(",")));
        for (DataType t : List.of(DataType.UINT8, DataType.UINT64)) {
            for (long c : chunks) {
                for (String e : encodings) {
                    if ((e.equals("jpeg") || e.equals("png")) && t != DataType.UINT8 || e.equals("cseg") && t != DataType.UINT64) continue;
                    for (int th : quick ? new int[] {1} : new int[] {1, 2}) cases.add(new Case(t, t == DataType.UINT8 ? b8 : b64, c, e, th));
                }
            }
        }
        if (casesMatching != null) {
            java.util.regex.Pattern m = casesMatching;
            cases.removeIf(c -> !m.matcher(c.id()).find());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean failed = false;
        for (Case c : cases) {
            Long reference = null;
            for (String sys : systems) {
                // Zarr layers: BigArrays' own APIs and the bare decoder's limit on the same stored chunks.
                if (BigArraysPeer.zarr(c) && !ZARR_SYSTEMS.contains(sys)) continue;
                if (quick && BigArraysPeer.zarr(c) && !sys.equals("bigarrays") && !sys.equals("decompress")) continue; // keeps the smoke short
                // One process per cutout is slow to time: the smoke run does it for the first case only.
                if (quick && sys.equals("bigarrays-cli") && c != cases.getFirst()) continue;
                Map<String, Object> r = runChild(sys, c, reps, writeReps);
                if (r.containsKey("unsupported")) continue;
                r.put("case", c.id());
                r.put("system", sys);
                rows.add(r);
                System.err.println(c.id() + " " + sys + " " + r);
                Object cs = r.get("checksum");
                if (r.containsKey("mismatch")) {
                    r.put("error", "VOXEL MISMATCH vs source volume");
                    failed = true;
                } else if (cs != null && sys.equals("bigarrays")) {
                    reference = (Long) cs;
                } else if (cs != null && reference != null && !cs.equals(reference)) {
                    r.put("error", "VOXEL MISMATCH vs bigarrays");
                    failed = true;
                } else if (r.containsKey("error") && peer(sys) != null && !sys.startsWith("bigarrays")) {
                    // A peer that cannot run here (e.g. no native library) is reported, not fatal.
                    System.err.println("warning: peer " + sys + " failed on " + c.id() + ": " + r.get("error"));
                } else if (r.containsKey("error")) {
                    failed = true;
                }
            }
        }
        String md = table(rows, quick, reps);
        System.out.println(md);
        Files.createDirectories(out);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Files.writeString(out.resolve(stamp + ".md"), md);
        Files.writeString(out.resolve(stamp + ".json"), json(rows));
        System.exit(failed ? 1 : 0);
    }

    /** JVM flags for every child ({@code --child-jvm-flags}); none by default. */
    static List<String> childJvmFlags = List.of();

    /** Set (to "true") when writes skip fsync; handed to the children as a system property. */
    static final String NO_FSYNC = "bigarrays.bench.noFsync";

    static boolean durableWrites() {
        return !Boolean.getBoolean(NO_FSYNC);
    }

    static boolean hasZstd() {
        return Arrays.stream(Compression.values()).anyMatch(v -> v.name().equals("ZSTD"));
    }

    static Map<String, Object> runChild(String sys, Case c, int reps, int writeReps) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        for (String f : childJvmFlags) if (!f.isEmpty()) cmd.add(f);
        cmd.addAll(List.of("-D" + NO_FSYNC + "=" + !durableWrites(), "-cp", cp, SideBySide.class.getName(), "--child",
                sys, c.type.name(), Long.toString(c.box), Long.toString(c.chunk), c.encoding, Integer.toString(c.threads), Integer.toString(reps), Integer.toString(writeReps), Double.toString(warmupSeconds)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, Object> result = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("RESULT ")) continue;
                for (String kv : line.substring(7).split(" ")) {
                    String[] p2 = kv.split("=", 2);
                    result.put(p2[0], p2[0].equals("checksum") && p2[1].matches("-?[0-9]+") ? (Object) Long.parseLong(p2[1]) : p2[1].matches("-?[0-9.]+(E-?[0-9]+)?") ? (Object) Double.parseDouble(p2[1]) : p2[1]);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) result.put("error", "child exit " + rc);
        return result;
    }

    // ---------------------------------------------------------------- child

    static void child(String[] a) throws Exception {
        String sys = a[1];
        Case c = new Case(DataType.valueOf(a[2]), Long.parseLong(a[3]), Long.parseLong(a[4]), a[5], Integer.parseInt(a[6]));
        int reps = Integer.parseInt(a[7]);
        int writeReps = Integer.parseInt(a[8]);
        warmupSeconds = Double.parseDouble(a[9]);
        int es = c.type.size();
        // Volume: the box plus an unaligned margin on each side, so the box starts mid-chunk.
        long off = c.chunk / 2 + 3;
        long edge = c.box + 2 * off;
        long[] size = {edge, edge, edge};
        Box box = Box.of(new long[] {off, off + 1, off + 2}, new long[] {off + c.box, off + 1 + c.box, off + 2 + c.box});
        long boxBytes = c.box * c.box * c.box * es;
        Path dir = Files.createTempDirectory("bigarrays-sbs");
        try {
            Arena volumeArena = Arena.ofShared();
            NdView vol = volume(volumeArena, c.type, size);
            Peer peer = peer(sys);
            if (peer != null && !peer.supports(c)) {
                System.out.println("RESULT unsupported=" + c.encoding);
                return;
            }
            long expect;
            try (Arena scratch = Arena.ofConfined()) {
                expect = checksum(expectedBox(scratch, vol, box, c.box, es));
            }
            // Peak RSS per phase: the write's (volume included), then the read's after the volume is freed.
            resetPeakRss();
            // Chunk-aligned write of the whole volume (peers and BigArrays); the first write
            // prepares the data read below. Baselines read BigArrays' chunk files.
            double[] w = new double[peer == null ? 1 : writeReps];
            for (int i = 0; i < w.length; i++) {
                Path d = i == 0 ? dir : Files.createTempDirectory("bigarrays-sbs-w");
                long t0 = System.nanoTime();
                (peer == null ? new BigArraysPeer() : peer).write(d, vol, c);
                w[i] = vol.byteSize() / 1e6 / ((System.nanoTime() - t0) / 1e9);
                if (i > 0) delete(d);
            }
            long writeRssKb = vmHwmKb();
            volumeArena.close();
            // The read phase measures the read, not what the write left behind in this JVM: without a
            // collection here the write's garbage (~135 MiB of heap in use, 384 MiB committed, all
            // resident) counted against the read (issue 25 goal 8). A full GC lets G1 shrink the heap.
            System.gc();
            resetPeakRss();
            double[] rd;
            String extra = "";
            Long checksum = null;
            NdView into = NdView.allocate(Arena.ofAuto(), c.type, new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {c.box, c.box, c.box, 1});
            switch (sys) {
                case "memcpy" -> {
                    MemorySegment src = Arena.ofAuto().allocate(boxBytes, 64);
                    rd = time(reps, boxBytes, () -> MemorySegment.copy(src, 0, into.segment(), 0, boxBytes));
                }
                case "readfiles" -> {
                    List<Path> files = chunkFiles(dir, box);
                    ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, c.chunk * c.chunk * c.chunk * es + 4096));
                    rd = time(reps, boxBytes, () -> {
                        for (Path f : files) {
                            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                                buf.clear();
                                while (ch.read(buf) > 0) { /* to end */ }
                            }
                        }
                    });
                }
                case "decompress" -> {
                    // The bare codec libraries on the same chunk files, no pipeline (BareCodecs: libdeflate
                    // and libzstd through FFM, one context, reused off-heap buffers): the limit a cutout of
                    // compressed chunks can reach per thread. Also the encoders' limit at the level BigArrays
                    // writes (gzip 6, zstd 3 + checksum), beside BigArrays' own chunk encoder on the same
                    // chunks (the codec the write path calls): encode_bare and encode_ours, MB/s of voxels.
                    // Zarr: the stored (inner) chunks' bytes, read out of the chunk or shard files (ZarrChunks).
                    boolean zarr = BigArraysPeer.zarr(c);
                    if (c.encoding.equals("raw")) {
                        // Raw chunks have no decoder: the limits are reading the chunk files into one buffer per
                        // thread ("read only", what the readfiles child times on one thread in its own process)
                        // and reading each file into its row's buffer + placing the row ("read + place",
                        // BarePlacement), on the case's threads, round after round with BigArrays' cutout.
                        List<Path> files = chunkFiles(dir, box);
                        long chunkBytes = c.chunk * c.chunk * c.chunk * es;
                        try (Peer.Reader cutout = new BigArraysPeer().open(dir, c);
                             BarePlacement place = new BarePlacement(files, null, null, c.type, box, into, chunkBytes, chunkBytes, c.threads)) {
                            double[][] d3 = timeAll(reps, boxBytes, place::readOnly, () -> cutout.read(box, into), place::readDecodeAndPlace);
                            rd = d3[2];
                            extra = rawLimits(median(sorted(d3[1])), median(sorted(d3[2])), median(sorted(d3[0])));
                        }
                        checkPlaced(dir, c, box, into);
                        break;
                    }
                    String codecName = zarr ? c.encoding.substring(BigArraysPeer.ZARR.length()).replace(BigArraysPeer.SHARDED, "") : c.encoding;
                    if (!codecName.equals("gzip") && !codecName.equals("zstd")) {
                        BareDecoders.Decoder bd = zarr ? null : BareDecoders.of(codecName);
                        if (bd == null) {
                            System.out.println("RESULT unsupported=" + c.encoding);
                            return;
                        }
                        // lz4, jpeg, cseg, blosc: the bare decoder alone on the same chunk files (no encode pair).
                        List<MemorySegment> in = new ArrayList<>();
                        List<long[]> shapes = new ArrayList<>();
                        List<Path> files = chunkFiles(dir, box);
                        long maxFile = 0;
                        for (Path f : files) {
                            byte[] b = Files.readAllBytes(f);
                            in.add(Arena.ofAuto().allocate(b.length, 64).copyFrom(MemorySegment.ofArray(b)));
                            shapes.add(chunkShape(f));
                            maxFile = Math.max(maxFile, b.length);
                        }
                        MemorySegment o = Arena.ofAuto().allocate(c.chunk * c.chunk * c.chunk * es, 64);
                        for (int i = 0; i < in.size(); i++) { // a decoder that skips work would look fast: each chunk must fill its shape
                            long[] sh = shapes.get(i);
                            long n = bd.decode(in.get(i), sh, o);
                            if (n != sh[0] * sh[1] * sh[2] * es) throw new IllegalStateException("bare " + codecName + " decoded " + n + " bytes of a " + Arrays.toString(sh) + " chunk");
                        }
                        // BigArrays' own codec stage on the same bytes into the same buffer, interleaved with
                        // the bare decoder: decode_ours / read_median is the codec stage's share of the limit,
                        // the rest of a cutout's gap is the pipeline (file reads, hand-offs, the gather).
                        // And BigArrays' whole cutout of the box (read(box, into), the "bigarrays" system) in
                        // the same process, round after round with the two: on a loaded machine separate
                        // children see different load, so cutout_ours / read_median is the ratio to quote.
                        BareDecoders.Decoder ours = BareDecoders.bigArrays(codecName, c.type);
                        // Two more limits on c.threads threads (BarePlacement): the bare decode of each chunk
                        // followed by placing its rows into the output while hot ("decode + place", the least
                        // a cutout that writes its output must do once the bytes are in memory), and the same
                        // after reading each chunk's file ("read + decode + place").
                        long chunkBytes = c.chunk * c.chunk * c.chunk * es;
                        try (Peer.Reader cutout = new BigArraysPeer().open(dir, c);
                             BarePlacement place = new BarePlacement(files, in, () -> BareDecoders.of(codecName), c.type, box, into, chunkBytes, maxFile, c.threads)) {
                            double[][] d3 = timeAll(reps, boxBytes, () -> {
                                for (int i = 0; i < in.size(); i++) bd.decode(in.get(i), shapes.get(i), o);
                            }, () -> {
                                for (int i = 0; i < in.size(); i++) ours.decode(in.get(i), shapes.get(i), o);
                            }, () -> cutout.read(box, into), place::decodeAndPlace, place::readDecodeAndPlace);
                            rd = d3[0];
                            for (int k = 1; k < d3.length; k++) Arrays.sort(d3[k]);
                            extra = " versions=" + BareDecoders.versions(codecName) + " decode_ours=" + fmt(median(d3[1]))
                                    + limitsWithCpu(median(d3[2]), median(d3[3]), median(d3[4]), median(sorted(d3[0])) * c.threads);
                        }
                        checkPlaced(dir, c, box, into);
                        break;
                    }
                    BareCodecs bare;
                    try {
                        bare = BareCodecs.of(codecName);
                    } catch (RuntimeException | LinkageError e) { // the system library is missing
                        System.out.println("RESULT unsupported=bare-" + c.encoding + "-library-missing");
                        return;
                    }
                    long chunkBytes = c.chunk * c.chunk * c.chunk * es;
                    List<MemorySegment> stored = new ArrayList<>(), plain = new ArrayList<>();
                    List<MemorySegment> inputs = new ArrayList<>();
                    if (zarr) inputs.addAll(ZarrChunks.overlapping(dir, box));
                    else for (Path f : chunkFiles(dir, box)) {
                        byte[] b = Files.readAllBytes(f);
                        inputs.add(Arena.ofAuto().allocate(b.length, 64).copyFrom(MemorySegment.ofArray(b)));
                    }
                    for (MemorySegment s : inputs) {
                        stored.add(s);
                        MemorySegment p = Arena.ofAuto().allocate(chunkBytes, 64);
                        plain.add(p.asSlice(0, bare.decode(s, p)));
                    }
                    MemorySegment outBuf = Arena.ofAuto().allocate(chunkBytes, 64);
                    // The bare decoder, interleaved with BigArrays' codec on the same bytes (into the same
                    // off-heap buffer): decode_ours / read_median is the codec's share of the limit.
                    org.bigarrays.codec.BytesCodec codec = compression(c.encoding).codec();
                    double[][] d2 = timePair(reps, boxBytes, () -> {
                        for (MemorySegment b : stored) bare.decode(b, outBuf);
                    }, () -> {
                        for (MemorySegment b : stored) codec.decode(b, outBuf, "bench");
                    });
                    rd = d2[0];
                    double[] dOurs = d2[1];
                    Arrays.sort(dOurs);
                    long plainBytes = plain.stream().mapToLong(MemorySegment::byteSize).sum();
                    MemorySegment encBuf = Arena.ofAuto().allocate(2 * chunkBytes + 65536, 64);
                    Compression ours = compression(c.encoding); // what CodecPipeline.encode calls for a raw chunk
                    // Interleaved (bare, ours, bare, ours ...) so that load from neighbours hits both alike.
                    double[][] e2 = timePair(reps, plainBytes, () -> {
                        for (MemorySegment p : plain) bare.encode(p, encBuf);
                    }, () -> {
                        for (MemorySegment p : plain) ours.compress(p);
                    });
                    double[] eb = e2[0], eo = e2[1];
                    Arrays.sort(eb);
                    Arrays.sort(eo);
                    extra = " versions=" + BareDecoders.versions(codecName) + " decode_ours=" + fmt(median(dOurs)) + " encode_bare=" + fmt(median(eb)) + " encode_ours=" + fmt(median(eo)) + " encode_ratio=" + String.format(Locale.ROOT, "%.2f", median(eo) / median(eb));
                    if (!zarr) { // the cutout beside the two placement limits (BarePlacement), interleaved; Zarr's chunks are no files of their own
                        List<Path> files = chunkFiles(dir, box);
                        long maxFile = inputs.stream().mapToLong(MemorySegment::byteSize).max().orElse(0);
                        try (Peer.Reader cutout = new BigArraysPeer().open(dir, c);
                             BarePlacement place = new BarePlacement(files, inputs, () -> bareDecoder(codecName), c.type, box, into, chunkBytes, maxFile, c.threads)) {
                            double[][] d3 = timeAll(reps, boxBytes, () -> cutout.read(box, into), place::decodeAndPlace, place::readDecodeAndPlace);
                            extra += limitsWithCpu(median(sorted(d3[0])), median(sorted(d3[1])), median(sorted(d3[2])), median(sorted(rd)) * c.threads);
                        }
                        checkPlaced(dir, c, box, into);
                    }
                }
                default -> {
                    try (Peer.Reader r = peer.open(dir, c)) {
                        rd = time(reps, boxBytes, () -> r.read(box, into));
                    }
                    checksum = checksum(into.segment());
                    if (checksum != expect && !c.encoding.equals("jpeg")) { // jpeg is lossy: checked against BigArrays' voxels only
                        System.out.println("RESULT mismatch=source checksum=" + checksum);
                        System.exit(3);
                    }
                }
            }
            if (sys.equals("bigarrays") && BigArraysPeer.sharded(c) && !BigArraysPeer.zarr(c)) extra += shardedJobs(dir, c, writeReps, vol.byteSize());
            Arrays.sort(rd);
            Arrays.sort(w);
            StringBuilder sb = new StringBuilder("RESULT");
            sb.append(" box_mb=").append(boxBytes / 1e6);
            sb.append(" read_median=").append(fmt(median(rd))).append(" read_min=").append(fmt(rd[0])).append(" read_max=").append(fmt(rd[rd.length - 1]));
            if (peer != null) {
                sb.append(" write_median=").append(fmt(median(w))).append(" write_min=").append(fmt(w[0])).append(" write_max=").append(fmt(w[w.length - 1]));
            }
            if (checksum != null) sb.append(" checksum=").append(checksum);
            sb.append(extra);
            sb.append(" rss_mb=").append(fmt(vmHwmKb() / 1024.0)).append(" rss_write_mb=").append(fmt(writeRssKb / 1024.0));
            System.out.println(sb);
        } finally {
            delete(dir);
        }
    }

    /**
     * The RESULT fields of BigArrays' cutout against the bare decoder × threads and the two
     * placement limits (MB/s medians), plus the process CPU ms per run (means) of the cutout and the two limits,
     * the last three bodies of the last {@link #timeAll} call.
     */
    static String limitsWithCpu(double cutout, double decodePlace, double readDecodePlace, double bareTimesThreads) {
        int n = lastCpuMs.length; // means: the process's CPU clock ticks in 10 ms steps, too coarse for a median of one run each
        double cc = mean(lastCpuMs[n - 3]), cp = mean(lastCpuMs[n - 2]), crp = mean(lastCpuMs[n - 1]);
        return limitsWall(cutout, decodePlace, readDecodePlace, bareTimesThreads) + " cutout_cpu_ms=" + fmt(cc) + " decode_place_cpu_ms=" + fmt(cp)
                + " read_decode_place_cpu_ms=" + fmt(crp) + " cutout_cpu_vs_read_decode_place=" + String.format(Locale.ROOT, "%.2f", cc / crp);
    }

    /**
     * The RESULT fields of a raw cutout against its two limits, read + place and read only (MB/s
     * medians of the last {@link #timeAll} call, whose bodies were read only, cutout, read + place),
     * with the process CPU ms per run (means) of each.
     */
    static String rawLimits(double cutout, double readPlace, double readOnly) {
        double cr = mean(lastCpuMs[0]), cc = mean(lastCpuMs[1]), crp = mean(lastCpuMs[2]);
        return " cutout_ours=" + fmt(cutout) + " read_place=" + fmt(readPlace) + " cutout_vs_read_place=" + String.format(Locale.ROOT, "%.2f", cutout / readPlace)
                + " read_only=" + fmt(readOnly) + " cutout_vs_read_only=" + String.format(Locale.ROOT, "%.2f", cutout / readOnly)
                + " cutout_cpu_ms=" + fmt(cc) + " read_place_cpu_ms=" + fmt(crp) + " read_only_cpu_ms=" + fmt(cr)
                + " cutout_cpu_vs_read_place=" + String.format(Locale.ROOT, "%.2f", cc / crp);
    }

    private static String limitsWall(double cutout, double decodePlace, double readDecodePlace, double bareTimesThreads) {
        return " cutout_ours=" + fmt(cutout) + " cutout_ratio=" + String.format(Locale.ROOT, "%.2f", cutout / bareTimesThreads)
                + " decode_place=" + fmt(decodePlace) + " cutout_vs_decode_place=" + String.format(Locale.ROOT, "%.2f", cutout / decodePlace)
                + " read_decode_place=" + fmt(readDecodePlace) + " cutout_vs_read_decode_place=" + String.format(Locale.ROOT, "%.2f", cutout / readDecodePlace);
    }

    /** libdeflate or libzstd (BareCodecs) as a {@link BareDecoders.Decoder}, for the placement limits. */
    static BareDecoders.Decoder bareDecoder(String gzipOrZstd) {
        try {
            BareCodecs b = BareCodecs.of(gzipOrZstd);
            return (in, shape, out) -> b.decode(in, out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Exits with a mismatch RESULT unless {@code placed} (what the placement limits wrote last) holds
     * BigArrays' cutout of {@code box}: a decoder or copy that skipped work would look fast.
     */
    static void checkPlaced(Path dir, Case c, Box box, NdView placed) throws Exception {
        try (Peer.Reader cutout = new BigArraysPeer().open(dir, c)) {
            NdView check = NdView.allocate(Arena.ofAuto(), c.type, new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {c.box, c.box, c.box, 1});
            cutout.read(box, check);
            if (check.segment().mismatch(placed.segment()) >= 0 && !c.encoding.equals("jpeg")) { // jpeg: BigArrays' decoder may differ from the bare call
                System.out.println("RESULT mismatch=decode-place");
                System.exit(3);
            }
        }
    }

    /**
     * The sharded layer's long jobs, MB/s of mip-0 voxels, median of {@code reps}: a transcode to
     * hashed shards (every shard written whole from chunks read one by one) and a pyramid of two
     * sharded mips (each shard of a mip written whole from the mip below).
     */
    static String shardedJobs(Path dir, Case c, int reps, long volumeBytes) throws IOException {
        double[] tr = new double[reps], py = new double[reps];
        for (int i = 0; i < reps; i++) {
            Path t = Files.createTempDirectory("bigarrays-sbs-t");
            Path p = Files.createTempDirectory("bigarrays-sbs-p");
            try {
                org.bigarrays.array.Options o = BigArraysPeer.options(c);
                org.bigarrays.core.ChunkGrid g;
                try (org.bigarrays.array.BigArray a = org.bigarrays.array.BigArray.open(dir.toUri().toString(), o)) {
                    g = a.grid();
                }
                long t0 = System.nanoTime();
                org.bigarrays.array.Transcode.run(dir.toUri().toString(), t.resolve("l").toUri().toString(), null,
                        java.util.Optional.of(BigArraysPeer.shardingOf(c, g.gridShape(), true)), o);
                tr[i] = volumeBytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
                // The pyramid on a copy of the sharded layer (mip 0 only).
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : files.toList()) {
                        Path to = p.resolve(dir.relativize(f).toString());
                        if (Files.isDirectory(f)) Files.createDirectories(to);
                        else Files.copy(f, to);
                    }
                }
                try (org.bigarrays.array.BigArray a = org.bigarrays.array.BigArray.open(p.toUri().toString(), o)) {
                    long t1 = System.nanoTime();
                    org.bigarrays.array.Pyramid.build(a, org.bigarrays.array.PyramidSpec.defaults().withMips(2).withFactor(2, 2, 2));
                    py[i] = volumeBytes / 1e6 / ((System.nanoTime() - t1) / 1e9);
                }
            } finally {
                delete(t);
                delete(p);
            }
        }
        Arrays.sort(tr);
        Arrays.sort(py);
        return " transcode_median=" + fmt(median(tr)) + " pyramid_median=" + fmt(median(py));
    }

    static Compression compression(String enc) {
        if (enc.startsWith(BigArraysPeer.ZARR)) enc = enc.substring(BigArraysPeer.ZARR.length());
        if (enc.endsWith(BigArraysPeer.SHARDED)) enc = enc.substring(0, enc.length() - BigArraysPeer.SHARDED.length());
        return switch (enc) {
            case "raw", "jpeg", "png", "cseg", "blosc" -> Compression.NONE; // data encodings: no transport compression
            default -> Compression.valueOf(enc.toUpperCase(Locale.ROOT));
        };
    }

    /** Seeded volume: EM-like smooth uint8 with noise, or segmentation-like uint64 labels in blobs. */
    static NdView volume(Arena arena, DataType t, long[] size) {
        NdView v = NdView.allocate(arena, t, new long[4], new long[] {size[0], size[1], size[2], 1});
        MemorySegment s = v.segment();
        SplittableRandom r = new SplittableRandom(42);
        long i = 0;
        for (long z = 0; z < size[2]; z++) {
            for (long y = 0; y < size[1]; y++) {
                for (long x = 0; x < size[0]; x++, i++) {
                    if (t == DataType.UINT8) {
                        s.set(ValueLayout.JAVA_BYTE, i, (byte) (((x * 3 + y * 5 + z * 7) >> 3) + r.nextInt(12)));
                    } else {
                        long label = ((x / 19) * 73856093L) ^ ((y / 23) * 19349663L) ^ ((z / 17) * 83492791L);
                        s.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, label & 0xFFFFFFFFFFL);
                    }
                }
            }
        }
        return v;
    }

    static MemorySegment expectedBox(Arena arena, NdView vol, Box box, long n, int es) {
        MemorySegment out = arena.allocate(n * n * n * es);
        long[] sh = vol.shape();
        long o = 0;
        for (long z = box.min(2); z < box.max(2); z++) {
            for (long y = box.min(1); y < box.max(1); y++) {
                long src = ((z * sh[1] + y) * sh[0] + box.min(0)) * es;
                MemorySegment.copy(vol.segment(), src, out, o, n * es);
                o += n * es;
            }
        }
        return out;
    }

    static long checksum(MemorySegment s) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(s.asByteBuffer());
        return crc.getValue();
    }

    /** The chunk files (any scale folder under {@code dir}) whose key range overlaps {@code box}. */
    static List<Path> chunkFiles(Path dir, Box box) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().replaceAll("\\.(gz|zst|zstd)$", "");
                String[] ax = n.split("_");
                if (ax.length != 3) return false;
                for (int k = 0; k < 3; k++) {
                    String[] lo = ax[k].split("-");
                    if (lo.length != 2) return false;
                    try {
                        long a = Long.parseLong(lo[0]), b = Long.parseLong(lo[1]);
                        if (b <= box.min(k) || a >= box.max(k)) return false;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
                return true;
            }).toList();
        }
    }

    /** The [x, y, z] extent of a precomputed chunk file named {@code x0-x1_y0-y1_z0-z1[.ext]}. */
    static long[] chunkShape(Path f) {
        String[] ax = f.getFileName().toString().replaceAll("\\.(gz|zst|zstd)$", "").split("_");
        long[] s = new long[3];
        for (int k = 0; k < 3; k++) {
            String[] lo = ax[k].split("-");
            s[k] = Long.parseLong(lo[1]) - Long.parseLong(lo[0]);
        }
        return s;
    }

    /** zstd-jni's {@code Zstd.decompress(byte[] dst, byte[] src)} when it is on the class path, else null. */
    interface Body {
        void run() throws Exception;
    }

    /** Seconds of warm-up before timing (JIT): set by the parent's --warmup-s. */
    static double warmupSeconds = 2;

    /** Warm-up runs (at least two, and at least {@link #warmupSeconds}), then {@code reps} timed runs; MB/s per run. */
    static double[] time(int reps, long bytes, Body b) throws Exception {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < end; i++) b.run();
        double[] mbs = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            b.run();
            mbs[i] = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        return mbs;
    }

    /** {@link #time} for two bodies, alternating them run by run (warm-up included); MB/s per run of each. */
    static double[][] timePair(int reps, long bytes, Body a, Body b) throws Exception {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < end; i++) {
            a.run();
            b.run();
        }
        double[][] mbs = new double[2][reps];
        for (int i = 0; i < reps; i++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                (k == 0 ? a : b).run();
                mbs[k][i] = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return mbs;
    }

    /** {@link #timePair} for any number of bodies, run in turn round after round (warm-up included). */
    static double[][] timeAll(int reps, long bytes, Body... bodies) throws Exception {
        long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 2 || System.nanoTime() < end; i++) for (Body b : bodies) b.run();
        double[][] mbs = new double[bodies.length][reps];
        double[][] cpu = new double[bodies.length][reps];
        for (int i = 0; i < reps; i++) {
            for (int k = 0; k < bodies.length; k++) {
                long c0 = processCpuNanos(), t0 = System.nanoTime();
                bodies[k].run();
                mbs[k][i] = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
                cpu[k][i] = (processCpuNanos() - c0) / 1e6;
            }
        }
        lastCpuMs = cpu;
        return mbs;
    }

    /**
     * The process's CPU milliseconds per run of each body of the last {@link #timeAll} call
     * ([body][rep]): on a loaded machine wall time says who got the cores, CPU time says what
     * the work costs (all threads: a cutout's I/O threads count, and so do the JIT's and GC's).
     */
    static double[][] lastCpuMs;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double[] sorted(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM to the current RSS). */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak then covers the whole child
        }
    }

    static long vmHwmKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, Math.abs(d) >= 10 || d == 0 ? "%.1f" : "%.3g", d);
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---------------------------------------------------------------- output

    static String table(List<Map<String, Object>> rows, boolean quick, int reps) {
        StringBuilder sb = new StringBuilder();
        sb.append("BigArrays side by side (").append(quick ? "quick" : "full").append(", ").append(reps)
                .append(" reps after ≥ " + warmupSeconds + " s warm-up; MB/s of voxels, median [min–max]; machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(System.getProperty("os.arch"))
                .append(", JDK ").append(Runtime.version()).append("; BigArrays writes ").append(durableWrites() ? "durable (fsync per chunk)" : "without fsync (--no-fsync)").append(")\n\n");
        sb.append("| case | system | read MB/s | ms per cutout | ×BigArrays | BigArrays ÷ this | write MB/s | read peak RSS MB | write peak RSS MB | note |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Double> ours = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            if (r.get("system").equals("bigarrays") && r.get("read_median") instanceof Double d) ours.put((String) r.get("case"), d);
        }
        for (Map<String, Object> r : rows) {
            Double med = r.get("read_median") instanceof Double d ? d : null;
            Double our = ours.get(r.get("case"));
            String ratio = med != null && our != null ? String.format(Locale.ROOT, "%.2f", med / our) : "";
            String toLimit = med != null && our != null && !r.get("system").equals("bigarrays") ? String.format(Locale.ROOT, "%.0f%%", 100 * our / med) : "";
            sb.append("| ").append(r.get("case")).append(" | ").append(r.get("system")).append(" | ")
                    .append(med == null ? "—" : fmt(med) + " [" + r.get("read_min") + "–" + r.get("read_max") + "]").append(" | ")
                    .append(med == null || !(r.get("box_mb") instanceof Double mb) ? "" : fmt(1000 * mb / med)).append(" | ")
                    .append(ratio).append(" | ").append(toLimit).append(" | ")
                    .append(r.containsKey("write_median") ? r.get("write_median") + " [" + r.get("write_min") + "–" + r.get("write_max") + "]" : "")
                    .append(" | ").append(r.getOrDefault("rss_mb", "")).append(" | ").append(r.getOrDefault("rss_write_mb", "")).append(" | ").append(r.getOrDefault("error", ""))
                    .append(r.containsKey("versions") ? "libraries: " + r.get("versions") + "; " : "")
                    .append(r.containsKey("decode_ours") ? "BigArrays' codec alone decodes at " + r.get("decode_ours") + " MB/s; " : "")
                    .append(r.containsKey("cutout_ours") && !r.containsKey("read_place") ? "BigArrays' cutout in this process, interleaved: " + r.get("cutout_ours") + " MB/s (" + r.get("cutout_ratio") + "× bare × threads); " : "")
                    .append(r.containsKey("read_place") ? "BigArrays' cutout in this process, interleaved: " + r.get("cutout_ours") + " MB/s; on the same threads read + place " + r.get("read_place") + " MB/s (cutout " + r.get("cutout_vs_read_place") + "× that), read only " + r.get("read_only") + " MB/s (cutout " + r.get("cutout_vs_read_only") + "×); process CPU ms per run: cutout " + r.get("cutout_cpu_ms") + ", read + place " + r.get("read_place_cpu_ms") + ", read only " + r.get("read_only_cpu_ms") + "; " : "")
                    .append(r.containsKey("decode_place") ? "bare decode + place on the same threads " + r.get("decode_place") + " MB/s (cutout " + r.get("cutout_vs_decode_place") + "× that), read + decode + place " + r.get("read_decode_place") + " MB/s (cutout " + r.get("cutout_vs_read_decode_place") + "×); " : "")
                    .append(r.containsKey("decode_place_cpu_ms") ? "process CPU ms per run: cutout " + r.get("cutout_cpu_ms") + ", decode + place " + r.get("decode_place_cpu_ms") + ", read + decode + place " + r.get("read_decode_place_cpu_ms") + " (cutout " + r.get("cutout_cpu_vs_read_decode_place") + "× that); " : "")
                    .append(r.containsKey("encode_bare") ? "encode MB/s: bare " + r.get("encode_bare") + ", BigArrays' codec " + r.get("encode_ours") + " (" + r.get("encode_ratio") + "×)" : "").append(" |\n");
        }
        return sb.toString();
    }

    static String json(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append("  {");
            int k = 0;
            for (var e : rows.get(i).entrySet()) {
                if (k++ > 0) sb.append(", ");
                sb.append('"').append(e.getKey()).append("\": ");
                Object v = e.getValue();
                if (v instanceof Number) sb.append(v);
                else sb.append('"').append(v.toString().replace("\"", "'")).append('"');
            }
            sb.append(i + 1 < rows.size() ? "},\n" : "}\n");
        }
        return sb.append("]\n").toString();
    }
}
