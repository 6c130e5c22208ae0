package org.bigarrays.precomputed;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.LayerFiles;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CloudFiles' names on local disk ({@code <key>.gz}, {@code <key>.zstd}; raw and lz4 plain), each
 * holding what its name says (decoded by java.util.zip and the zstd CLI), the plain key in memory;
 * a chunk has one name at rest, a conditional write checks the winning name's generation, recovery
 * removes the loser a crash inside a switch left, and layers written with those names by an
 * independent writer (Python's gzip module, the zstd CLI) read back voxel for voxel.
 */
class ChunkNamesTest {
    private static final long[] SIZE = {20, 12, 6};
    private static final long[] CHUNK = {8, 8, 4};
    private static final String KEY = "0-8_0-8_0-4";

    @TempDir
    Path dir;

    private static Info info() {
        return Info.builder(DataType.UINT16, SIZE, CHUNK).build();
    }

    /** Every voxel distinct: x + 20 y + 240 z + 1. */
    private static NdView volume() {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
        for (long z = 0; z < SIZE[2]; z++) for (long y = 0; y < SIZE[1]; y++) for (long x = 0; x < SIZE[0]; x++) v.set(new long[] {x, y, z, 0}, x + 20 * y + 240 * z + 1);
        return v;
    }

    private static void assertEveryVoxel(BigArray a) {
        NdView back = a.read(a.bounds());
        for (long z = 0; z < SIZE[2]; z++) for (long y = 0; y < SIZE[1]; y++) for (long x = 0; x < SIZE[0]; x++) {
            assertEquals(x + 20 * y + 240 * z + 1, back.getAsLong(x, y, z, 0), "voxel " + x + "," + y + "," + z);
        }
    }

    private static List<String> files(Path scale) throws IOException {
        try (Stream<Path> s = Files.list(scale)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachCompressionGetsCloudFilesNameOnDiskAndASwitchLeavesOneName() throws IOException {
        Path layer = dir.resolve("layer");
        try (BigArray a = BigArray.create(layer.toString(), info())) {
            Path scale = layer.resolve(ArrayInternals.chunks(a).scale().key());
            String[][] cases = {{"gzip", ".gz"}, {"zstd", ".zstd"}, {"lz4", ""}, {"none", ""}, {"gzip", ".gz"}, {"none", ""}, {"zstd", ".zstd"}};
            for (String[] c : cases) {
                a.withOptions(Options.defaults().withCompression(Compression.of(c[0]))).write(volume());
                List<String> names = files(scale);
                assertEquals(12, names.size(), c[0] + ": one name per chunk: " + names);
                for (String n : names) {
                    assertEquals(c[1], n.substring(ChunkNames.chunkKey(n).length()), c[0] + ": " + n);
                    // lz4 has no CloudFiles name: its frames stay under the plain key, which CloudFiles reads as raw
                    if (!c[0].equals("lz4")) assertDecodesOutsideBigArrays(scale.resolve(n), ChunkKeys.parse(n).volume() * 2);
                }
                assertEveryVoxel(a);
                LayerFiles.assertOnlyFormatFiles(layer);
            }
            // Deleting removes every name (here through the chunk layer's naming).
            FileStore store = (FileStore) ArrayInternals.chunks(a).store();
            assertTrue(ChunkNames.of(store).delete(KEY));
            assertFalse(Files.exists(scale.resolve(KEY + ".zstd")));
            assertFalse(ChunkNames.of(store).read(KEY, ReadOptions.ALL).found());
            assertEquals(11, files(scale).size());
        }
    }

    /**
     * What CloudFiles does with a stored name, done by other code than ours: {@code .gz} inflated by
     * java.util.zip, {@code .zstd} by the zstd command-line tool (where installed), anything else
     * taken as raw; each must give the chunk's raw bytes ({@code rawBytes} of them).
     */
    private static void assertDecodesOutsideBigArrays(Path file, long rawBytes) throws IOException {
        String n = file.getFileName().toString();
        byte[] raw;
        if (n.endsWith(".gz")) {
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
                raw = in.readAllBytes();
            }
        } else if (n.endsWith(".zstd")) {
            if (!zstdCli()) return;
            Process p = new ProcessBuilder("zstd", "-d", "-c", "-q", file.toString()).start();
            raw = p.getInputStream().readAllBytes();
            try {
                assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "zstd -d " + n + ": " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        } else {
            raw = Files.readAllBytes(file);
        }
        assertEquals(rawBytes, raw.length, n + ": the bytes its name says, decoded, are the chunk");
    }

    @Test
    void inMemoryEveryCompressionKeepsThePlainKey() {
        String name = "names-" + System.nanoTime();
        try (BigArray a = BigArray.create("mem://" + name + "/layer", info(), Options.defaults().withCompression(Compression.ZSTD))) {
            a.write(volume());
            a.withOptions(Options.defaults().withCompression(Compression.GZIP)).write(volume());
            assertTrue(ArrayInternals.chunks(a).store().list("").stream().noneMatch(k -> k.contains(".")), ArrayInternals.chunks(a).store().list("").toString());
            assertEveryVoxel(a);
        } finally {
            KeyValueStores.dropMemory(name);
        }
    }

    @Test
    void conditionalWritesCheckTheGenerationOfTheNameThatResolves() throws IOException {
        FileStore s = new FileStore(dir.resolve("s"), false);
        MemorySegment v1 = MemorySegment.ofArray("one".getBytes(StandardCharsets.UTF_8));
        MemorySegment v2 = MemorySegment.ofArray("two".getBytes(StandardCharsets.UTF_8));
        MemorySegment v3 = MemorySegment.ofArray("three".getBytes(StandardCharsets.UTF_8));
        WriteResult w1 = s.writeName("k", ".gz", v1, WriteOptions.ifMissing());
        assertTrue(w1.written());
        // Only <k>.gz exists: the key is not missing, and reads report that name's generation.
        assertFalse(s.writeName("k", "", v2, WriteOptions.ifMissing()).written());
        try (ReadResult r = s.readAnyName("k", ReadOptions.ALL)) {
            assertEquals(w1.generation(), r.generation());
            assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), r.toByteArray());
        }
        WriteResult w2 = s.writeName("k", "", v2, WriteOptions.ifEqual(w1.generation()));
        assertTrue(w2.written(), "the resolving name's generation matches");
        assertNotEquals(w1.generation(), w2.generation());
        assertEquals(List.of("k"), s.list(""));
        // The old generation (of the removed <k>.gz) no longer matches anything.
        WriteResult stale = s.writeName("k", ".zstd", v3, WriteOptions.ifEqual(w1.generation()));
        assertFalse(stale.written());
        assertEquals(w2.generation(), stale.generation());
        assertTrue(s.writeName("k", ".zstd", v3, WriteOptions.ifEqual(w2.generation())).written());
        assertEquals(List.of("k.zstd"), s.list(""));
        // A conditional read against the resolving name: not met for the old generation.
        try (ReadResult r = s.readAnyName("k", ReadOptions.ALL.withIfNotEqual(s.readAnyName("k", ReadOptions.ALL).generation()))) {
            assertEquals(ReadResult.State.CONDITION_NOT_MET, r.state());
        }
        assertTrue(s.deleteAllNames("k"));
        assertEquals(List.of(), s.list(""));
        try (ReadResult r = s.readAnyName("k", ReadOptions.ALL)) {
            assertEquals(ReadResult.State.MISSING, r.state());
            assertEquals(Generation.NO_VALUE, r.generation());
        }
    }

    /** What a writer killed inside a switch leaves in the key's lock file (FileStore.SWITCH_MARK). */
    private static final String SWITCH_MARK = "bigarrays: key switching names v2\n";

    private static byte[] read(FileStore s, String key) {
        try (ReadResult r = s.readAnyName(key, ReadOptions.ALL)) {
            return r.found() ? r.toByteArray() : null;
        }
    }

    @Test
    void twoNamesAtRestReadTheFirstInPrecedenceAndRecoveryRemovesTheOther() throws IOException {
        Path root = dir.resolve("crash");
        FileStore s = new FileStore(root, false);
        // k: a writer of k killed after its rename, before removing k.gz (k is above k.gz: the new value shows).
        s.writeName("k", ".gz", MemorySegment.ofArray(new byte[] {1}), WriteOptions.UNCONDITIONAL);
        Files.write(root.resolve("k"), new byte[] {2});
        Files.writeString(root.resolve(".k.__lock"), SWITCH_MARK);
        // m: a writer of m.gz killed after its rename, before removing m (m is above: the old value shows).
        s.writeName("m", "", MemorySegment.ofArray(new byte[] {3}), WriteOptions.UNCONDITIONAL);
        Files.write(root.resolve("m.gz"), new byte[] {4});
        Files.writeString(root.resolve(".m.__lock"), SWITCH_MARK);
        Files.write(root.resolve(".m.gz.__data.__lock"), new byte[] {4}); // its data temp, had it not been renamed yet
        // n: two names and a plain writer's partial value in the lock file (no mark): left as they are.
        Files.write(root.resolve("n"), new byte[] {5});
        Files.write(root.resolve("n.zstd"), new byte[] {6});
        Files.writeString(root.resolve(".n.__lock"), "partial bytes of a value");
        assertArrayEquals(new byte[] {2}, read(s, "k"), "the first name in precedence wins");
        assertArrayEquals(new byte[] {3}, read(s, "m"));
        assertArrayEquals(new byte[] {5}, read(s, "n"));
        // A conditional write compares the winner's generation.
        String mGeneration;
        try (ReadResult r = s.readAnyName("m", ReadOptions.ALL)) {
            mGeneration = r.generation();
        }
        assertEquals(4, s.removeStaleTemporaries("", Duration.ZERO));
        assertEquals(List.of("k", "m", "n", "n.zstd"), files(root), "recovery removed the losers of the marked keys only");
        assertArrayEquals(new byte[] {2}, read(s, "k"), "recovery keeps what readers saw");
        assertArrayEquals(new byte[] {3}, read(s, "m"));
        // The next write of n removes its loser; one that lands on the loser's own name too.
        assertTrue(s.writeName("n", ".zstd", MemorySegment.ofArray(new byte[] {7}), WriteOptions.UNCONDITIONAL).written());
        assertEquals(List.of("k", "m", "n.zstd"), files(root));
        assertArrayEquals(new byte[] {7}, read(s, "n"));
        assertTrue(s.writeName("m", ".gz", MemorySegment.ofArray(new byte[] {8}), WriteOptions.ifEqual(mGeneration)).written());
        assertArrayEquals(new byte[] {8}, read(s, "m"));
        assertEquals(List.of("k", "m.gz", "n.zstd"), files(root), "no temp or lock file after a switch");
    }

    @Test
    void aWriteFirstRemovesLosersSoAReaderNeverFallsBackToOne() throws IOException {
        Path root = dir.resolve("losers");
        FileStore s = new FileStore(root, false);
        // A dead writer left k (winner) and k.zstd (loser, an older value) with no mark.
        Files.createDirectories(root);
        Files.write(root.resolve("k"), new byte[] {1});
        Files.write(root.resolve("k.zstd"), new byte[] {0});
        // A gzip write: losers first (k.zstd), then k.gz renamed, then the winner k removed.
        assertTrue(s.writeName("k", ".gz", MemorySegment.ofArray(new byte[] {2}), WriteOptions.UNCONDITIONAL).written());
        assertEquals(List.of("k.gz"), files(root));
        assertArrayEquals(new byte[] {2}, read(s, "k"));
        assertTrue(s.deleteAllNames("k"));
        assertEquals(null, read(s, "k"));
    }

    @Test
    void aLayerWrittenWithDotGzAndDotZstdNamesByAnIndependentWriterReadsBack() throws Exception {
        Path layer = dir.resolve("independent");
        boolean zstd = zstdCli();
        try (BigArray a = BigArray.create(layer.toString(), info())) {
            a.write(volume()); // raw, plain names: the bytes to re-store under the other names
        }
        Path scale;
        try (BigArray a = BigArray.open(layer.toString())) {
            scale = layer.resolve(ArrayInternals.chunks(a).scale().key());
        }
        int i = 0;
        for (String name : files(scale)) {
            Path raw = scale.resolve(name);
            if (i++ % 2 == 0 || !zstd) {
                if (!gzipWithPython(raw, scale.resolve(name + ".gz"))) {
                    ByteArrayOutputStream gz = new ByteArrayOutputStream();
                    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                        out.write(Files.readAllBytes(raw));
                    }
                    Files.write(scale.resolve(name + ".gz"), gz.toByteArray());
                }
            } else {
                // named with -o: the CLI would write .zst, CloudFiles names it .zstd
                Process p = new ProcessBuilder("zstd", "-q", "-f", raw.toString(), "-o", scale.resolve(name + ".zstd").toString()).redirectErrorStream(true).start();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "zstd: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            Files.delete(raw);
        }
        List<String> names = files(scale);
        assertTrue(names.stream().allMatch(n -> n.endsWith(".gz") || n.endsWith(".zstd")), names.toString());
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEveryVoxel(a);
            assertEveryVoxel(a.withOptions(Options.defaults().withThreads(1, 1)));
            // A read-modify-write of part of a .zstd (or .gz) chunk keeps the rest and leaves one name.
            NdView one = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {8, 0, 0, 0}, new long[] {1, 1, 1, 1});
            one.fill(8 + 1);
            a.withOptions(Options.defaults().withCompression(Compression.GZIP).withReadModifyWrite(true)).write(one);
            assertEveryVoxel(a);
            assertEquals(12, files(scale).size(), files(scale).toString());
            assertTrue(Files.exists(scale.resolve("8-16_0-8_0-4.gz")));
        }
        if (!zstd) Assumptions.abort("zstd CLI not installed: the .zstd case was not run (the .gz case was)");
    }

    /** Python's gzip module (as CloudFiles compresses), where python3 is installed; false if it is not. */
    private static boolean gzipWithPython(Path in, Path out) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", "import gzip,sys; open(sys.argv[2],'wb').write(gzip.compress(open(sys.argv[1],'rb').read()))",
                    in.toString(), out.toString()).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return false;
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 gzip: " + said);
        return true;
    }

    private static boolean zstdCli() {
        try {
            Process p = new ProcessBuilder("zstd", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void chunkKeysOfStoredNames() {
        assertEquals(KEY, ChunkNames.chunkKey(KEY + ".gz"));
        assertEquals(KEY, ChunkNames.chunkKey(KEY + ".zstd"));
        assertEquals(KEY, ChunkNames.chunkKey(KEY));
        assertEquals(Box.parse("0,0,0:8,8,4"), ChunkKeys.parse(KEY + ".zstd"));
        assertEquals(".gz", ChunkNames.localSuffix(Compression.GZIP));
        assertEquals(".zstd", ChunkNames.localSuffix(Compression.ZSTD));
        assertEquals("", ChunkNames.localSuffix(Compression.LZ4));
        assertEquals("", ChunkNames.localSuffix(Compression.NONE));
    }
}
