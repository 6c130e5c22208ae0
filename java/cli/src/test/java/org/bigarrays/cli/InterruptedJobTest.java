package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bigarrays.TempTrees;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long jobs killed at random points (kill -9, SIGTERM, SIGINT) in a real subprocess: before the
 * rerun nothing unfinished opens as finished, the rerun resumes, and its result equals an
 * uninterrupted run's file for file, byte for byte, with no job record left.
 */
class InterruptedJobTest {
    @TempDir
    Path tmp;

    private String src;
    private final Random random = new Random(20261207);

    /** A source layer of 256 x 256 x 64 uint8 in 16^3 chunks (1,024 chunks), with structure a codec works on. */
    @BeforeEach
    void source() {
        src = tmp.resolve("src").toString();
        Info info = Info.builder(DataType.UINT8, new long[] {256, 256, 64}, new long[] {16, 16, 16}).build();
        try (BigArray a = BigArray.create(src, info)) {
            NdView v = NdView.allocate(java.lang.foreign.Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {256, 256, 64, 1});
            MemorySegment s = v.segment();
            Random r = new Random(7);
            for (long i = 0; i < s.byteSize(); i++) s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) ((i / 300) + r.nextInt(4)));
            a.write(v);
        }
    }

    @Test
    void transcodeKilledAnywhereResumesToTheSameLayer() throws Exception {
        newLayerJobResumes(new String[] {"transcode", src, "", "--compress", "gzip"}, "TERM");
    }

    /** Run {@code args} (DST at index 2) into a reference layer, then twice more, interrupted: SIGKILL, then {@code signal}. */
    private void newLayerJobResumes(String[] args, String signal) throws Exception {
        String ref = tmp.resolve(args[0] + "-ref").toString();
        args[2] = ref;
        assertEquals(0, run(args, -1, null));
        for (int attempt = 0; attempt < 2; attempt++) {
            String dst = tmp.resolve(args[0] + attempt).toString();
            args[2] = dst;
            interruptAndResume(args, dst, ref, attempt == 0 ? "KILL" : signal);
        }
    }

    @Test
    void downsampleKilledAnywhereResumesToTheSameLayer() throws Exception {
        Path ref = tmp.resolve("dref");
        copyTree(Path.of(src), ref);
        assertEquals(0, run(new String[] {"downsample", ref.toString(), "--mips", "3", "--task-mb", "1"}, -1, null));
        assertEquals(4, scales(ref), "reference pyramid");
        for (int attempt = 0; attempt < 2; attempt++) {
            Path dst = tmp.resolve("d" + attempt);
            copyTree(Path.of(src), dst);
            String[] args = {"downsample", dst.toString(), "--mips", "3", "--task-mb", "1"};
            interruptAndResume(args, dst.toString(), ref.toString(), attempt % 2 == 0 ? "KILL" : "INT");
        }
    }

    @Test
    void ingestKilledAnywhereResumesToTheSameLayer() throws Exception {
        Path slices = tmp.resolve("slices");
        org.bigarrays.ingest.Stacks.writeSlices(slices, "z", "tif", DataType.UINT8, 200, 180, 48, 1);
        newLayerJobResumes(new String[] {"ingest", slices.toString(), "", "--chunk", "16,16,16", "--compress", "gzip", "--box-mb", "1"}, "INT");
    }

    @Test
    void largeWriteKilledAnywhereResumes() throws Exception {
        // 64 x 64 x 256 uint8 in 16^3 chunks, written in slabs of one chunk row (64 KiB): 16 slabs.
        String layer = tmp.resolve("w").toString();
        InProcess.run("create", layer, "--dtype", "uint8", "--size", "64,64,256", "--chunk", "16,16,16").ok();
        byte[] data = new byte[64 * 64 * 256];
        new Random(3).nextBytes(data);
        Path in = tmp.resolve("in.raw");
        Files.write(in, data);
        String[] args = {"write", layer, "--at", "0,0,0", "--shape", "64,64,256", in.toString()};
        int code = run(args, 200 + random.nextInt(800), "KILL", "-Dbigarrays.write.slabBytes=65536");
        if (code != 0) {
            assertEquals(137, code);
            assertEquals(0, run(args, -1, null, "-Dbigarrays.write.slabBytes=65536"), "the rerun resumes");
        }
        CliTest.Run r = CliTest.cli("cutout", layer, "--box", "0,0,0:64,64,256", "-o", "-");
        assertEquals(0, r.code(), r.stderr());
        assertArrayEquals(data, r.stdout(), "every voxel written");
        assertNoJobFiles(Path.of(layer));
        org.bigarrays.kvstore.LayerFiles.assertOnlyFormatFiles(Path.of(layer));
    }

    @Test
    void otherSettingsAreRefusedNamingTheFieldAndRestartStartsOver() throws Exception {
        String dst = tmp.resolve("o").toString();
        // Kill a gzip transcode once it has recorded itself (a kill before the record leaves nothing to resume: try later).
        for (long after = 300; !Files.exists(Path.of(dst, JobRecord.RECORD_KEY)); after += 200) {
            assertTrue(after < 5000, "a transcode was never caught with its record in place");
            TempTrees.deleteTree(Path.of(dst));
            run(new String[] {"transcode", src, dst, "--compress", "gzip"}, after, "KILL");
        }
        InProcess.run("transcode", src, dst, "--compress", "none").failsWith(2, "compression: recorded 'gzip', now 'none'", "--restart");
        InProcess.run("transcode", src, dst, "--compress", "none", "--restart").ok();
        assertNoJobFiles(Path.of(dst));
        // A finished layer is never written into.
        InProcess.run("transcode", src, dst, "--compress", "none").failsWith(2, "already exists");
    }

    @Test
    void refusedEncodingWritesNothing() throws Exception {
        String dst = tmp.resolve("bad").toString();
        InProcess.run("transcode", src, dst, "--encoding", "compressed_segmentation").failsWith(2, "compressed_segmentation");
        assertFalse(Files.exists(Path.of(dst)) && Files.list(Path.of(dst)).findAny().isPresent(), "nothing written to " + dst);
    }

    /** Start {@code args}, send {@code signal} at a random point, check the layer, rerun, compare with {@code ref}. */
    private void interruptAndResume(String[] args, String dst, String ref, String signal) throws Exception {
        int code = run(args, 150 + random.nextInt(1500), signal);
        Path dir = Path.of(dst);
        boolean newLayer = !args[0].equals("downsample");
        boolean published = newLayer ? Files.exists(dir.resolve("info")) : scales(dir) == 4;
        boolean finished = published && !Files.exists(dir.resolve(JobRecord.RECORD_KEY));
        if (code != 0) {
            int expected = switch (signal) {
                case "KILL" -> 137;
                case "TERM" -> 143;
                default -> 130;
            };
            assertEquals(expected, code, "exit code after SIG" + signal);
        }
        if (!finished) {
            // Unfinished: whatever a reader opens must not show the job's unwritten data (published
            // with its record still there is the moment between the last two steps: all data is written).
            if (!published && newLayer && Files.exists(dir)) {
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> BigArray.open(dst).close());
                assertTrue(e.getMessage().contains("unfinished '" + args[0] + "' job") || !Files.exists(dir.resolve(JobRecord.RECORD_KEY)),
                        e.getMessage());
            } else if (!published && !newLayer) {
                assertEquals(1, scales(dir), "no new scale is published before its chunks are written");
            }
            assertEquals(0, run(args, -1, null), "the rerun resumes");
        }
        assertSameFiles(Path.of(ref), dir);
        assertNoJobFiles(dir);
        org.bigarrays.kvstore.LayerFiles.assertOnlyFormatFiles(dir); // no record, temp or lock file left, even after kill -9
    }

    private static int scales(Path layer) throws IOException {
        return Info.parse(Files.readAllBytes(layer.resolve("info")), "info").scales().size();
    }

    private static void assertNoJobFiles(Path layer) throws IOException {
        if (!Files.exists(layer)) return;
        try (Stream<Path> s = Files.walk(layer)) {
            List<Path> stray = s.filter(p -> layer.relativize(p).toString().startsWith(".bigarrays-job")).toList();
            assertEquals(List.of(), stray, "the job record is removed when the job completes");
        }
    }

    /** Every chunk and info file of {@code a} is in {@code b} with the same bytes, and no other (temp and lock files aside). */
    private static void assertSameFiles(Path a, Path b) throws IOException {
        Map<String, byte[]> fa = files(a), fb = files(b);
        java.util.Set<String> missing = new java.util.TreeSet<>(fa.keySet()), extra = new java.util.TreeSet<>(fb.keySet());
        missing.removeAll(fb.keySet());
        extra.removeAll(fa.keySet());
        assertEquals(List.of(), List.copyOf(missing), "files of the uninterrupted run missing in " + b);
        assertEquals(List.of(), List.copyOf(extra), "files not in the uninterrupted run, in " + b);
        for (String k : fa.keySet()) assertArrayEquals(fa.get(k), fb.get(k), k);
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.exists(root)) return out;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) continue; // the file store's own (temp, lock) files: another test's subject
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }


    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else if (!p.getFileName().toString().startsWith(".")) Files.copy(p, t);
            }
        }
    }

    /**
     * Run the CLI in a subprocess; after {@code afterMs} (negative: never) send {@code signal}.
     * @return its exit code
     */
    private static int run(String[] args, long afterMs, String signal, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (afterMs >= 0 && !p.waitFor(afterMs, TimeUnit.MILLISECONDS)) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bigarrays did not finish");
        return p.exitValue();
    }
}
