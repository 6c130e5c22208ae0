package org.bigarrays.chunk;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that alternate raw and gzip writes of the same chunk on local disk, so that its name
 * switches between {@code <key>} and {@code <key>.gz} on every write (one thread also writes zstd,
 * {@code <key>.zstd}): two threads of this JVM and a second process ({@link NameSwitchWriter}) at once. Readers meanwhile always see one whole
 * written version (never the fill value, never a mix, never a value nobody wrote), and at rest
 * exactly one name exists, the one that says how its bytes are compressed.
 */
class NameSwitchTest {
    private static final long[] SIZE = {16, 16, 8}; // one chunk
    private static final int WRITES = 150;
    private static final int PROCESS_FIRST = 10_000;

    @TempDir
    Path dir;

    private static NdView filled(long value) {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
        v.fill(value);
        return v;
    }

    /** Whether {@code v} is a value some writer wrote: 1 (setup), thread t's 1000(t+1)+i, the process's 10000+i. */
    private static boolean written(long v) {
        return v == 1 || (v >= 1000 && v < 1000 + WRITES) || (v >= 2000 && v < 2000 + WRITES) || (v >= PROCESS_FIRST && v < PROCESS_FIRST + WRITES);
    }

    @Test
    void threadsAndAProcessSwitchingOneChunkBetweenRawAndGzip() throws Exception {
        Path layer = dir.resolve("layer");
        String url = layer.toUri().toString();
        String key;
        try (BigArray a = BigArray.create(url, Info.builder(DataType.UINT16, SIZE, SIZE).build())) {
            a.write(filled(1));
            key = ArrayInternals.chunks(a).key(new long[3]);
        }
        Path scale;
        try (BigArray a = BigArray.open(url)) {
            scale = layer.resolve(ArrayInternals.chunks(a).scale().key());
            List<String> bad = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get() && bad.size() < 5) {
                        NdView v = a.read(a.bounds());
                        reads.incrementAndGet();
                        long first = v.getAsLong(0, 0, 0, 0);
                        if (first == 0) bad.add("read the fill value: the chunk looked missing");
                        else if (!written(first)) bad.add("value " + first + " was never written");
                        for (long[] p : new long[][] {{15, 15, 7}, {7, 9, 3}, {15, 0, 0}, {0, 15, 7}}) {
                            long got = v.getAsLong(p[0], p[1], p[2], 0);
                            if (got != first) bad.add("a mix: " + first + " at 0,0,0 and " + got + " at " + p[0] + "," + p[1] + "," + p[2]);
                        }
                    }
                }));
            }
            Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), NameSwitchWriter.class.getName(), url,
                    Integer.toString(PROCESS_FIRST), Integer.toString(WRITES), "1").redirectErrorStream(true).start();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int id = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < WRITES && bad.size() < 5; i++) {
                        // thread 0: gzip, raw, ...; thread 1: raw, zstd, gzip, ... (so that .gz also replaces .zstd)
                        Compression c = id == 0 ? (i % 2 == 0 ? Compression.GZIP : Compression.NONE)
                                : List.of(Compression.NONE, Compression.ZSTD, Compression.GZIP).get(i % 3);
                        a.withOptions(Options.defaults().withCompression(c)).write(filled(1000L * (id + 1) + i));
                    }
                }));
            }
            for (Thread w : writers) w.join();
            String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(other.waitFor(120, TimeUnit.SECONDS), "the writer process did not end");
            assertEquals(0, other.exitValue(), "writer process: " + out);
            assertTrue(out.contains("done"), out);
            stop.set(true);
            for (Thread r : readers) r.join();
            assertEquals(List.of(), bad.stream().limit(5).toList(), "after " + reads + " reads");
            assertTrue(reads.get() > 0);

            // At rest: one name, the one its bytes' compression gives, and no temp or lock file.
            List<String> names;
            try (Stream<Path> s = Files.list(scale)) {
                names = s.map(p -> p.getFileName().toString()).toList();
            }
            assertEquals(1, names.size(), "exactly one name at rest: " + names);
            String name = names.getFirst();
            byte[] stored = Files.readAllBytes(scale.resolve(name));
            Compression c = Compression.detect(MemorySegment.ofArray(stored));
            assertEquals(c == Compression.GZIP ? key + ".gz" : c == Compression.ZSTD ? key + ".zstd" : key, name);
            long last = a.read(a.bounds()).getAsLong(0, 0, 0, 0);
            assertTrue(last == 1000 + WRITES - 1 || last == 2000 + WRITES - 1 || last == PROCESS_FIRST + WRITES - 1, "the last write of one writer: " + last);
            System.out.printf("NameSwitchTest: %d reads during %d writes from 2 threads and a process; at rest %s%n", reads.get(), 3 * WRITES, name);
        }
    }

    /**
     * The file store alone, every transition between {@code <key>}, {@code <key>.gz} and
     * {@code <key>.zstd} (up and down in precedence), one writer with increasing values so that
     * order can be checked, and a loser left beside the key by a "dead writer" at the start:
     * readers always find the key, never return the loser, and never return a value older than one
     * a read that finished before theirs started returned.
     */
    @Test
    void readersOfAKeySwitchingNamesNeverSeeItMissingOrGoBack() throws Exception {
        Path root = dir.resolve("store");
        org.bigarrays.kvstore.FileStore s = new org.bigarrays.kvstore.FileStore(root, false);
        Files.createDirectories(root);
        Files.write(root.resolve("k"), value(1));
        Files.write(root.resolve("k.zstd"), value(0)); // a dead writer's loser: never read
        String[] cycle = {".gz", "", ".zstd", ".gz", ".zstd", ""};
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong(1);
        List<String> bad = new CopyOnWriteArrayList<>();
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get() && bad.size() < 5) {
                    long floor = finished.get();
                    long v;
                    try (org.bigarrays.kvstore.ReadResult got = s.readAnyName("k", org.bigarrays.kvstore.ReadOptions.ALL)) {
                        if (!got.found()) {
                            bad.add("read k as missing (" + got.state() + ")");
                            continue;
                        }
                        v = java.nio.ByteBuffer.wrap(got.toByteArray()).getLong();
                    }
                    reads.incrementAndGet();
                    if (v == 0) bad.add("read the loser");
                    else if (v < floor) bad.add("read " + v + " after a finished read had returned " + floor);
                    finished.accumulateAndGet(v, Math::max);
                }
            }));
        }
        long written = 1;
        while (written < 1 + 20 * cycle.length && bad.size() < 5) { // every transition 20 times
            written++;
            s.writeName("k", cycle[(int) (written % cycle.length)], MemorySegment.ofArray(value(written)), org.bigarrays.kvstore.WriteOptions.UNCONDITIONAL);
        }
        stop.set(true);
        for (Thread r : readers) r.join();
        assertEquals(List.of(), bad.stream().limit(5).toList(), "after " + reads + " reads during " + written + " writes");
        assertTrue(reads.get() > 0);
        try (Stream<Path> files = Files.list(root)) {
            assertEquals(List.of("k" + cycle[(int) (written % cycle.length)]), files.map(p -> p.getFileName().toString()).toList(), "one name at rest");
        }
        System.out.printf("NameSwitchTest (store): %d reads during %d writes%n", reads.get(), written);
    }

    private static byte[] value(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }
}
