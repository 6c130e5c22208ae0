package org.bigarrays.chunk;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.precomputed.ChunkKeys;
import org.bigarrays.precomputed.ChunkNames;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, crash suite: a writer process ({@link KilledWriter}: aligned raw and gzip writes,
 * unaligned read-modify-writes) killed with SIGKILL at a random point, several rounds in a row on
 * one file:// layer. After each kill, from this JVM:
 * <ul>
 *   <li>every chunk decodes, and holds exactly the state before the interrupted write or the
 *       state after it (checked voxel by voxel against a model replayed from the writer's
 *       journal): never torn, never a mix of two writes inside what one write stored;
 *   <li>a chunk that existed before is still there (never read as fill);
 *   <li>the layer holds only chunk keys (plain for raw chunks, CloudFiles' {@code <key>.gz} for
 *       gzip ones), the info and writers' temp files, which {@link FileStore#list} does not show;
 *       each chunk under one name, except chunks of the interrupted write (its threads write
 *       several at once) whose writer was killed inside a switch of names (then their abandoned
 *       key lock {@code .<key>.__lock} holds the switch mark); recovery removes those losers;
 *   <li>recovery ({@link FileStore#removeStaleTemporaries}) removes every temp file and the
 *       layer reads the same afterwards.
 * </ul>
 * At the end, the killed processes together extracted libbigarrays at most once. The same on a
 * sharded layer (spatial shards of 2×2×2 chunks, every write a read-modify-write of the shards it
 * touches, or a whole-shard write where it covers one): no shard file torn, every chunk in every
 * shard old or new, only shard files and the info left after recovery.
 */
class CrashRecoveryTest {
    private static final long[] SIZE = {56, 64, 32}; // x ends in a half chunk
    private static final long[] CHUNK = {16, 16, 16};
    private static final int ROUNDS = 6;
    private static final int MAX_DELAY_MS = 400;
    private static final Pattern TEMP = Pattern.compile("\\..+\\.__lock");
    private static final Pattern SHARD_FILE = Pattern.compile("[0-9a-f]+\\.shard");
    private static final int PATTERN_A = 1;

    @TempDir
    Path dir;

    /** A write of the journal: every voxel of {@code box} set to {@code generation}. */
    record Write(int generation, String kind, Box box) {}

    /** Spatial shards of 2×2×2 chunks (identity hash, 1 preshift bit, 2 minishard bits): 4 shard files for the 4×4×2 grid. */
    private static final ShardingSpec SHARDS = new ShardingSpec(1, ShardingSpec.Hash.IDENTITY, 2, 2, Compression.GZIP, Compression.GZIP);

    @ParameterizedTest(name = "sharded {0}")
    @ValueSource(booleans = {false, true})
    void writersKilledAtRandomPointsLeaveEveryChunkOldOrNew(boolean sharded) throws Exception {
        long seed = Long.getLong("bigarrays.crash.seed", 15_2026L);
        Random rnd = new Random(seed);
        Path layer = dir.resolve("layer");
        String url = layer.toUri().toString();
        Path javaTmp = Files.createDirectories(dir.resolve("java-tmp")); // the writers' java.io.tmpdir: where they extract libbigarrays
        Model model = new Model();
        String scaleKey;
        var infoBuilder = Info.builder(DataType.UINT16, SIZE, CHUNK);
        if (sharded) infoBuilder.sharding(SHARDS);
        // Sharded, the lower half is half of each shard: a read-modify-write of the (missing) shards.
        try (BigArray a = BigArray.create(url, infoBuilder.build(), org.bigarrays.array.Options.defaults().withReadModifyWrite(sharded))) {
            scaleKey = ArrayInternals.chunks(a).scale().key();
            // Pattern A in the lower half (z < 16): these chunks always existed; the upper half starts missing.
            NdView lower = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {SIZE[0], SIZE[1], CHUNK[2], 1});
            lower.fill(PATTERN_A);
            a.write(lower);
            model.apply(new Write(PATTERN_A, "aligned", Box.of(new long[3], new long[] {SIZE[0], SIZE[1], CHUNK[2]})));
        }
        Path scaleDir = layer.resolve(scaleKey);
        checkChunks(url, scaleDir, model, null, "after setup (seed " + seed + ")", sharded);

        int nextGeneration = PATTERN_A + 1;
        int interrupted = 0;
        int newChunksSeen = 0;
        int tempsSeen = 0;
        int doubles = 0;
        boolean nativeLoaded = false;
        for (int round = 0; round < ROUNDS; round++) {
            String when = "round " + round + " (seed " + seed + ")";
            Path journal = dir.resolve("journal-" + round);
            Path log = dir.resolve("writer-" + round + ".log");
            Process p = startWriter(url, journal, log, javaTmp, rnd.nextLong(), nextGeneration, sharded);
            awaitFirstWrite(p, journal, log, when);
            Thread.sleep(rnd.nextInt(MAX_DELAY_MS));
            assertTrue(p.isAlive(), when + ": the writer exited before it was killed: " + tail(log));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), when + ": the killed writer did not end");
            assertEquals(128 + 9, p.exitValue(), when + ": the writer did not end by SIGKILL: " + tail(log));

            List<String> lines = Files.readAllLines(journal);
            nativeLoaded |= lines.contains("native true");
            Write cut = replay(lines, model, when);
            if (cut != null) interrupted++;
            for (String l : lines) if (l.startsWith("start ")) nextGeneration = Math.max(nextGeneration, Integer.parseInt(l.split(" ")[1]) + 1);

            newChunksSeen += checkChunks(url, scaleDir, model, cut, when + ", killed during " + (cut == null ? "no write" : cut), sharded);
            int[] found = checkNames(layer, scaleDir, model, cut, when, sharded);
            int temps = found[0];
            doubles += found[1];
            tempsSeen += temps;

            // Recovery: the killed writer's temp files are all unlocked now.
            int removed = new FileStore(layer, false).removeStaleTemporaries("", Duration.ZERO);
            assertEquals(temps, removed, when + ": temp files removed by recovery");
            int[] after = checkNames(layer, scaleDir, model, null, when + ", after recovery", sharded);
            assertEquals(0, after[0], when + ": temp files left after recovery");
            assertEquals(0, after[1], when + ": chunks under two names after recovery");
            checkChunks(url, scaleDir, model, null, when + ", after recovery", sharded);
        }
        // Nearly every kill lands inside a write (the writer does little else); if none did, the suite proved nothing.
        assertTrue(interrupted > 0, "no kill of " + ROUNDS + " interrupted a write (seed " + seed + ")");
        System.out.printf("CrashRecoveryTest: %d rounds, %d kills inside a write, %d chunks found in their new state, %d temp files recovered,"
                + " %d chunks under two names cleaned by recovery%n",
                ROUNDS, interrupted, newChunksSeen, tempsSeen, doubles);

        // All the killed processes shared one extracted libbigarrays (a partial extraction would be a libbigarrays-*.part).
        Path extracted = javaTmp.resolve("bigarrays-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
        List<String> libs = new ArrayList<>();
        if (Files.isDirectory(extracted)) {
            try (Stream<Path> s = Files.list(extracted)) {
                s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("libbigarrays-")).forEach(libs::add);
            }
        }
        String message = ROUNDS + " killed writers (libbigarrays loaded: " + nativeLoaded + ") left " + libs + " in " + extracted;
        assertTrue(libs.size() <= 1, message);
        // Loaded from the jar's copy (not a -Dbigarrays.native.library file): extracted exactly once.
        if (nativeLoaded && System.getProperty("bigarrays.native.library") == null) assertEquals(1, libs.size(), message);
    }

    private Process startWriter(String url, Path journal, Path log, Path javaTmp, long seed, int generation, boolean sharded) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + javaTmp));
        // The same native settings as this JVM (the native-off rerun passes them as properties or environment).
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bigarrays.native")) cmd.add("-D" + k + "=" + System.getProperty(k));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KilledWriter.class.getName(), url, journal.toString(),
                Long.toString(seed), Integer.toString(generation), Boolean.toString(sharded)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the writer has finished one write: its JVM is up and writing. */
    private static void awaitFirstWrite(Process p, Path journal, Path log, String when) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(journal) && Files.readAllLines(journal).stream().anyMatch(l -> l.startsWith("done "))) return;
            if (!p.isAlive()) fail(when + ": the writer exited (" + p.exitValue() + ") before its first write: " + tail(log));
            Thread.sleep(10);
        }
        p.destroyForcibly();
        fail(when + ": the writer did not finish a write within 60 s: " + tail(log));
    }

    /**
     * Applies the journal's finished writes to {@code model}; returns the write the kill
     * interrupted (started, not done), or null. Writes are sequential: only the last can be unfinished.
     */
    private static Write replay(List<String> lines, Model model, String when) {
        Write open = null;
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "native" -> { }
                case "start" -> {
                    assertEquals(null, open, when + ": journal starts a write before " + open + " was done");
                    open = new Write(Integer.parseInt(f[1]), f[2] + " " + f[3], Box.parse(f[4]));
                }
                case "done" -> {
                    assertTrue(open != null && open.generation() == Integer.parseInt(f[1]), when + ": journal line '" + line + "' ends no open write");
                    model.apply(open);
                    open = null;
                }
                default -> fail(when + ": unexpected journal line '" + line + "'");
            }
        }
        return open;
    }

    /**
     * Every chunk decodes and equals the model before {@code cut} or after it (then the model
     * takes that chunk's new state); a chunk that existed is still stored.
     * @return how many chunks were in their new state
     */
    private static int checkChunks(String url, Path scaleDir, Model model, Write cut, String when, boolean sharded) {
        Model after = cut == null ? null : model.copy();
        if (after != null) after.apply(cut);
        int newer = 0;
        try (BigArray a = BigArray.open(url)) {
            long[] grid = a.grid().gridShape();
            // A sharded chunk is stored if its shard's indexes list it (a torn shard file fails here, naming it).
            var inShards = sharded ? ArrayInternals.chunks(a).stored() : null;
            if (inShards != null) assertEquals(List.of(), inShards.badShards(), when + ": shard files whose indexes do not parse");
            for (long cz = 0; cz < grid[2]; cz++) for (long cy = 0; cy < grid[1]; cy++) for (long cx = 0; cx < grid[0]; cx++) {
                long[] cell = {cx, cy, cz};
                String key = ArrayInternals.chunks(a).key(cell);
                Box box = ArrayInternals.chunks(a).chunkBox(cell);
                boolean stored = sharded ? inShards.contains(cell) : Files.isRegularFile(scaleDir.resolve(key)) || Files.isRegularFile(scaleDir.resolve(key + ".gz"));
                if (model.existed(box) && !stored) fail(when + ": chunk " + key + " existed and is gone: it reads as fill");
                NdView v = null;
                try {
                    v = a.read(box);
                } catch (CorruptChunkException e) {
                    fail(when + ": chunk " + key + " does not decode: " + e.getMessage());
                }
                String vsOld = model.mismatch(v, box);
                if (vsOld == null) {
                    // the old state
                } else if (after != null && after.mismatch(v, box) == null) {
                    model.copyChunk(after, box);
                    newer++;
                } else {
                    fail(when + ": chunk " + key + " is neither its state before the interrupted write nor after it: vs before, " + vsOld
                            + (after == null ? "" : "; vs after, " + after.mismatch(v, box)));
                }
                if (stored) model.markExisted(box);
            }
        }
        return newer;
    }

    /**
     * The layer holds the info, one name per stored chunk (exactly the chunks the model says
     * exist), lock files and temp files only; {@link FileStore#list} shows the keys but no temp.
     * @return the number of temp files
     */
    private static int[] checkNames(Path layer, Path scaleDir, Model model, Write cut, String when, boolean sharded) throws IOException {
        int temps = 0;
        int doubles = 0;
        TreeSet<String> keys = new TreeSet<>(); // chunk keys (names mapped back) and the info
        TreeSet<String> names = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(layer)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            String rel = layer.relativize(f).toString().replace('\\', '/');
            if (TEMP.matcher(name).matches()) {
                temps++;
                continue;
            }
            boolean isInfo = rel.equals("info");
            boolean ours = f.getParent().equals(scaleDir) && (sharded ? SHARD_FILE.matcher(name).matches() : model.isChunkKey(ChunkNames.chunkKey(name)));
            if (!isInfo && !ours) fail(when + ": unexpected file " + rel);
            if (!isInfo && !sharded) {
                // The name says the compression (CloudFiles reads by extension): gzip bytes only as <key>.gz.
                boolean gzip = Compression.detect(MemorySegment.ofArray(Files.readAllBytes(f))) == Compression.GZIP;
                if (gzip != name.endsWith(".gz")) fail(when + ": " + rel + (gzip ? " holds gzip under a name without .gz" : " holds raw bytes as .gz"));
            }
            String chunk = sharded ? rel : ChunkNames.chunkKey(rel);
            if (!isInfo && !keys.add(chunk)) {
                // Two names: only a switch cut between its rename and its removals, of a chunk the cut
                // write touched (its threads write several chunks at once), whose marked key lock is left.
                Path lock = f.resolveSibling("." + ChunkNames.chunkKey(name) + ".__lock");
                if (!Files.exists(lock) || !Files.readString(lock).startsWith("bigarrays: key switching names")) {
                    fail(when + ": chunk " + chunk + " stored under two names with no interrupted switch's marked lock");
                }
                if (cut == null || cut.box().intersect(ChunkKeys.parse(name)).isEmpty()) {
                    fail(when + ": chunk " + chunk + " stored under two names, outside the interrupted write " + cut);
                }
                doubles++;
            }
            if (isInfo) keys.add(rel);
            names.add(rel);
        }
        // Sharded: which chunks are stored is checked through the shard indexes (checkChunks).
        if (!sharded) assertEquals(model.storedKeys(scaleDir.getFileName().toString()), keys, when + ": stored chunks");
        assertEquals(List.copyOf(names), new FileStore(layer, false).list(""), when + ": FileStore.list shows exactly the stored names, no temp file");
        return new int[] {temps, doubles};
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) return "(no output)";
        String s = Files.readString(log).strip();
        return s.isEmpty() ? "(no output)" : s.substring(Math.max(0, s.length() - 2000)).replace('\n', '|');
    }

    /** What the layer should hold: every voxel's last written generation (0 = fill) and which chunks are stored. */
    static final class Model {
        private final int[] voxels;
        private final boolean[] existed;
        private final long[] cells = new long[3];

        Model() {
            voxels = new int[(int) (SIZE[0] * SIZE[1] * SIZE[2])];
            for (int i = 0; i < 3; i++) cells[i] = Math.ceilDiv(SIZE[i], CHUNK[i]);
            existed = new boolean[(int) (cells[0] * cells[1] * cells[2])];
        }

        private Model(Model o) {
            voxels = o.voxels.clone();
            existed = o.existed.clone();
            System.arraycopy(o.cells, 0, cells, 0, 3);
        }

        Model copy() {
            return new Model(this);
        }

        private static int index(long x, long y, long z) {
            return (int) (x + SIZE[0] * (y + SIZE[1] * z));
        }

        private int cellIndex(Box chunk) {
            return (int) (chunk.min(0) / CHUNK[0] + cells[0] * (chunk.min(1) / CHUNK[1] + cells[1] * (chunk.min(2) / CHUNK[2])));
        }

        /** A finished write: its voxels take its generation, and every chunk it touches is stored. */
        void apply(Write w) {
            Box b = w.box();
            for (long z = b.min(2); z < b.max(2); z++) for (long y = b.min(1); y < b.max(1); y++) for (long x = b.min(0); x < b.max(0); x++) {
                voxels[index(x, y, z)] = w.generation();
            }
            for (long cz = b.min(2) / CHUNK[2]; cz * CHUNK[2] < b.max(2); cz++) for (long cy = b.min(1) / CHUNK[1]; cy * CHUNK[1] < b.max(1); cy++) {
                for (long cx = b.min(0) / CHUNK[0]; cx * CHUNK[0] < b.max(0); cx++) existed[(int) (cx + cells[0] * (cy + cells[1] * cz))] = true;
            }
        }

        boolean existed(Box chunk) {
            return existed[cellIndex(chunk)];
        }

        void markExisted(Box chunk) {
            existed[cellIndex(chunk)] = true;
        }

        void copyChunk(Model from, Box chunk) {
            for (long z = chunk.min(2); z < chunk.max(2); z++) for (long y = chunk.min(1); y < chunk.max(1); y++) for (long x = chunk.min(0); x < chunk.max(0); x++) {
                voxels[index(x, y, z)] = from.voxels[index(x, y, z)];
            }
            existed[cellIndex(chunk)] |= from.existed[cellIndex(chunk)];
        }

        /** Null if {@code v} holds this model's voxels in {@code chunk}, else the first difference and how many differ. */
        String mismatch(NdView v, Box chunk) {
            String first = null;
            long differ = 0;
            for (long z = chunk.min(2); z < chunk.max(2); z++) for (long y = chunk.min(1); y < chunk.max(1); y++) for (long x = chunk.min(0); x < chunk.max(0); x++) {
                long found = v.getAsLong(x, y, z, 0);
                int expected = voxels[index(x, y, z)];
                if (found != expected) {
                    if (first == null) first = "voxel " + x + "," + y + "," + z + " is " + found + ", expected " + expected;
                    differ++;
                }
            }
            return first == null ? null : first + " (" + differ + " of " + chunk.volume() + " voxels differ)";
        }

        /** Whether {@code name} is the key of a chunk of this grid ({@code x0-x1_y0-y1_z0-z1}). */
        boolean isChunkKey(String name) {
            return allKeys().contains(name);
        }

        private TreeSet<String> allKeys() {
            TreeSet<String> out = new TreeSet<>();
            for (long cz = 0; cz < cells[2]; cz++) for (long cy = 0; cy < cells[1]; cy++) for (long cx = 0; cx < cells[0]; cx++) out.add(key(cx, cy, cz));
            return out;
        }

        private static String key(long cx, long cy, long cz) {
            long[] c = {cx, cy, cz};
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                if (i > 0) sb.append('_');
                sb.append(c[i] * CHUNK[i]).append('-').append(Math.min((c[i] + 1) * CHUNK[i], SIZE[i]));
            }
            return sb.toString();
        }

        /** The layer-relative keys the layer should hold: the info and every stored chunk under {@code scaleKey}. */
        TreeSet<String> storedKeys(String scaleKey) {
            TreeSet<String> out = new TreeSet<>();
            out.add("info");
            for (long cz = 0; cz < cells[2]; cz++) for (long cy = 0; cy < cells[1]; cy++) for (long cx = 0; cx < cells[0]; cx++) {
                if (existed[(int) (cx + cells[0] * (cy + cells[1] * cz))]) out.add(scaleKey + "/" + key(cx, cy, cz));
            }
            return out;
        }
    }
}
