package org.bigarrays.chunk;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.precomputed.ChunkNames;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15.2: a chunk has one name at rest whatever the compression (the plain key in memory;
 * on local disk CloudFiles' {@code <key>.gz} for gzip, the plain key for raw), writers with
 * different compression replace each other's chunks in one atomic step per name, and readers
 * during raw ↔ gzip rewrites see, for each chunk, one whole written version: never the fill value
 * for a chunk that always existed, never a mix. A layer that starts with CloudVolume's
 * {@code <key>.gz} names is rewritten under the same guarantees, and no second name is left behind.
 */
class OneNamePerChunkTest {
    private static final AtomicInteger N = new AtomicInteger();
    private static final long[] SIZE = {32, 32, 8};
    private static final long[] CHUNK = {8, 8, 8};

    @TempDir
    static Path tmp;

    static Stream<String> layers() {
        return Stream.of("mem://names-" + N.incrementAndGet() + "/layer", tmp.resolve("names-" + N.incrementAndGet()).toString());
    }

    private static NdView filled(long value) {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {SIZE[0], SIZE[1], SIZE[2], 1});
        v.fill(value);
        return v;
    }

    @ParameterizedTest
    @MethodSource("layers")
    void mixedCompressionWritersAndReaders(String url) throws Exception {
        check(url, false);
    }

    @ParameterizedTest
    @MethodSource("layers")
    void legacyDotGzLayerRewrittenUnderReaders(String url) throws Exception {
        check(url, true);
    }

    private void check(String url, boolean legacy) throws Exception {
        Info info = Info.builder(DataType.UINT16, SIZE, CHUNK).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withThreads(2, 4))) {
            KeyValueStore s = ArrayInternals.chunks(a).store();
            if (legacy) {
                // CloudVolume on local disk: every chunk as <key>.gz holding value 1.
                try (BigArray scratch = BigArray.create("mem://names-scratch-" + N.incrementAndGet() + "/l", info, Options.defaults().withCompression(Compression.GZIP))) {
                    scratch.write(filled(1));
                    for (String k : ArrayInternals.chunks(scratch).store().list("")) s.write(k + ".gz", MemorySegment.ofArray(ArrayInternals.chunks(scratch).store().read(k).toByteArray()));
                }
                assertTrue(s.list("").stream().allMatch(k -> k.endsWith(".gz")));
            } else {
                a.write(filled(1));
            }
            int chunks = 16;
            Set<Long> written = ConcurrentHashMap.newKeySet();
            written.add(1L);
            AtomicBoolean stop = new AtomicBoolean();
            List<String> bad = new CopyOnWriteArrayList<>();
            AtomicInteger reads = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get() && bad.isEmpty()) {
                        NdView v = a.read(a.bounds());
                        reads.incrementAndGet();
                        for (long cz = 0; cz < SIZE[2]; cz += CHUNK[2]) for (long cy = 0; cy < SIZE[1]; cy += CHUNK[1]) for (long cx = 0; cx < SIZE[0]; cx += CHUNK[0]) {
                            long first = v.getAsLong(cx, cy, cz, 0);
                            if (first == 0) bad.add("fill in chunk at " + cx + "," + cy + "," + cz);
                            else if (!written.contains(first)) bad.add("value " + first + " never written, chunk at " + cx + "," + cy + "," + cz);
                            long last = v.getAsLong(cx + CHUNK[0] - 1, cy + CHUNK[1] - 1, cz + CHUNK[2] - 1, 0);
                            if (last != first) bad.add("chunk at " + cx + "," + cy + "," + cz + " mixes " + first + " and " + last);
                        }
                    }
                }));
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int round = 0; round < 15; round++) {
                        long value = 2 + id * 100 + round;
                        written.add(value);
                        Compression c = (id + round) % 2 == 0 ? Compression.GZIP : Compression.NONE;
                        a.withOptions(Options.defaults().withThreads(2, 4).withCompression(c)).write(filled(value));
                    }
                }));
            }
            for (Thread t : writers) t.join();
            stop.set(true);
            for (Thread t : threads) t.join();
            assertEquals(List.of(), bad.stream().limit(5).toList(), "after " + reads + " reads");
            assertTrue(reads.get() > 0);
            List<String> keys = s.list("");
            assertEquals(chunks, keys.size(), "one name per chunk: " + keys);
            assertEquals(chunks, keys.stream().map(ChunkNames::chunkKey).distinct().count(), "one name per chunk: " + keys);
            boolean onDisk = s instanceof FileStore;
            for (String k : keys) {
                // The name says the compression on disk (CloudFiles reads by extension); in memory it is always plain.
                boolean gzipBytes = Compression.detect(MemorySegment.ofArray(s.read(k).toByteArray())) == Compression.GZIP;
                assertEquals(onDisk && gzipBytes, k.endsWith(".gz"), k + (gzipBytes ? " holds gzip" : " holds raw"));
            }
        }
    }
}
