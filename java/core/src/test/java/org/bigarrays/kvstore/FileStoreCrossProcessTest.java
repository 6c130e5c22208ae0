package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes on a {@link FileStore} are atomic across processes: two JVMs (and a thread
 * here) add 1 to one counter by read, compare-and-set, retry; the counter ends at the sum. One
 * of the JVMs may not call native code, so both ways of setting a temp file's mtime are raced.
 */
class FileStoreCrossProcessTest {
    static final int PER_WORKER = 150;

    @TempDir
    Path dir;

    /**
     * The subprocess: {@code <root> <key> <increments> <ready file> <go file>}: says it is ready,
     * waits for the go, then prints the number of conflicts it retried.
     */
    public static void main(String[] args) throws Exception {
        FileStore store = new FileStore(Path.of(args[0]), false);
        store.read(args[1]); // load the classes before the start
        System.out.println("native times " + LockedTempFile.nativeTimes());
        Files.createFile(Path.of(args[3]));
        while (!Files.exists(Path.of(args[4]))) Thread.onSpinWait();
        System.out.println(increment(store, args[1], Integer.parseInt(args[2])));
    }

    static long increment(KeyValueStore store, String key, int n) {
        long conflicts = 0;
        for (int i = 0; i < n; i++) {
            while (true) {
                ReadResult r = store.read(key);
                long v = Long.parseLong(new String(r.toByteArray(), StandardCharsets.US_ASCII));
                byte[] next = Long.toString(v + 1).getBytes(StandardCharsets.US_ASCII);
                if (store.write(key, MemorySegment.ofArray(next), WriteOptions.ifEqual(r.generation())).written()) break;
                conflicts++;
            }
        }
        return conflicts;
    }

    @Test
    void twoProcessesAndAThreadLoseNoUpdate() throws Exception {
        Path root = dir.resolve("layer");
        FileStore store = new FileStore(root, false);
        store.write("scale/counter", MemorySegment.ofArray("0".getBytes(StandardCharsets.US_ASCII)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path go = dir.resolve("go");
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            // Worker 1 may not call native code: it sets mtimes through the JDK and takes the lock again.
            String nativeAccess = i == 0 ? "--enable-native-access=ALL-UNNAMED" : "--illegal-native-access=deny";
            ps.add(new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", nativeAccess, "-cp", System.getProperty("java.class.path"),
                    FileStoreCrossProcessTest.class.getName(), root.toString(), "scale/counter", Integer.toString(PER_WORKER),
                    dir.resolve("ready" + i).toString(), go.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker" + i + ".log").toFile()).start());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(dir.resolve("ready0")) && Files.exists(dir.resolve("ready1"))) && System.nanoTime() < deadline) Thread.sleep(5);
        Files.createFile(go);
        long conflicts = increment(store, "scale/counter", PER_WORKER);
        for (int i = 0; i < ps.size(); i++) {
            Process p = ps.get(i);
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            String log = Files.readString(dir.resolve("worker" + i + ".log")).trim();
            assertEquals(0, p.exitValue(), "worker " + i + " failed: " + log);
            assertTrue(log.contains("native times " + (i == 0)), "worker " + i + ": " + log);
            conflicts += Long.parseLong(log.substring(log.lastIndexOf('\n') + 1).trim());
        }
        assertEquals(Long.toString(3L * PER_WORKER), new String(store.read("scale/counter").toByteArray(), StandardCharsets.US_ASCII));
        assertTrue(conflicts > 0, "the three writers never raced, so the test proved nothing");
    }

    /**
     * A writer of another process in the middle of writing keys {@code s/0-1_0-1_0-1} and
     * {@code s/1-2_0-1_0-1} (temp files written and locked, not yet renamed): {@code <root> <ready file>}.
     */
    public static final class MidWrite {
        public static void main(String[] args) throws Exception {
            Path s = Files.createDirectories(Path.of(args[0], "s"));
            for (String name : new String[] {"0-1_0-1_0-1", "1-2_0-1_0-1"}) {
                LockedTempFile t = LockedTempFile.acquire(s.resolve("." + name + FileStore.TEMP_SUFFIX));
                t.channel().write(java.nio.ByteBuffer.wrap("half a val".getBytes(StandardCharsets.US_ASCII)));
            }
            Files.createFile(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE); // killed with SIGKILL by the test
        }
    }

    /**
     * A live writer's temp file is left alone (and its key waits for it); once the writer is
     * killed with SIGKILL, the next write into the directory removes its temp file at once, and
     * the waiting write takes its own over.
     */
    @Test
    void aKilledWritersTempFilesGoAtTheNextWrite() throws Exception {
        Path root = dir.resolve("layer");
        Path ready = dir.resolve("ready");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), MidWrite.class.getName(), root.toString(), ready.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile()).start();
        CompletableFuture<WriteResult> waiting = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(Files.exists(ready), "the writer did not start: " + Files.readString(dir.resolve("writer.log")));
            Path tempA = root.resolve("s/.0-1_0-1_0-1" + FileStore.TEMP_SUFFIX);
            Path tempB = root.resolve("s/.1-2_0-1_0-1" + FileStore.TEMP_SUFFIX);

            FileStore store = new FileStore(root, false);
            store.write("s/2-3_0-1_0-1", bytes("c")); // the first write into s/ sweeps it
            assertEquals(0, store.removeStaleTemporaries(""));
            assertTrue(Files.exists(tempA) && Files.exists(tempB), "a live writer's temp files are kept");
            waiting = CompletableFuture.supplyAsync(() -> store.write("s/1-2_0-1_0-1", bytes("b")));
            Thread.sleep(300);
            assertFalse(waiting.isDone(), "a write of a key another process is writing waits for it");
            assertEquals(List.of("s/2-3_0-1_0-1"), store.list(""));

            p.destroyForcibly(); // SIGKILL: no chance to clean up
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(128 + 9, p.exitValue());
            assertTrue(waiting.get(30, TimeUnit.SECONDS).written(), "the waiting write goes on once the writer is dead");
            assertEquals("b", new String(store.read("s/1-2_0-1_0-1").toByteArray(), StandardCharsets.US_ASCII));
            assertTrue(Files.exists(tempA), "nothing has swept s/ since the kill");
            new FileStore(root, false).write("s/3-4_0-1_0-1", bytes("d")); // a new store (a new job) writes into s/
            assertFalse(Files.exists(tempA), "the dead writer's temp file is removed at the next write into its directory");
            LayerFiles.assertOnlyFormatFiles(root);
            assertEquals(List.of("s/1-2_0-1_0-1", "s/2-3_0-1_0-1", "s/3-4_0-1_0-1"), store.list(""));
        } finally {
            p.destroyForcibly();
        }
    }

    private static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.US_ASCII));
    }
}
