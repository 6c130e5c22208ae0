package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional writes on a {@link FileStore} are atomic across processes: two JVMs (and a thread
 * here) add 1 to one counter by read, compare-and-set, retry; the counter ends at the sum.
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
            ps.add(new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
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
            conflicts += Long.parseLong(log.substring(log.lastIndexOf('\n') + 1).trim());
        }
        assertEquals(Long.toString(3L * PER_WORKER), new String(store.read("scale/counter").toByteArray(), StandardCharsets.US_ASCII));
        assertTrue(conflicts > 0, "the three writers never raced, so the test proved nothing");
    }
}
