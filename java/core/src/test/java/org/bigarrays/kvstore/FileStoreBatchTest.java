package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileStore#batch}: a durable store syncs each directory once per batch (at its close)
 * instead of once per rename, from whichever threads run writes through it; every write is
 * visible as soon as it returns, and a batch cut short by a failure still syncs what it renamed.
 * The count of directory syncs is {@link FileStore#DIRECTORY_SYNCS} (tests here run one at a time).
 */
class FileStoreBatchTest {
    @TempDir
    Path dir;

    private static MemorySegment bytes(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ReadResult r) {
        try (r) {
            return new String(r.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aDurableBatchSyncsEachDirectoryOnceAtClose() throws Exception {
        FileStore store = new FileStore(dir.resolve("root"), true);
        long before = FileStore.DIRECTORY_SYNCS.sum();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (WriteBatch batch = store.batch()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                done.add(pool.submit(() -> batch.run(() -> {
                    for (int i = 0; i < 10; i++) {
                        store.write((i % 2 == 0 ? "a/" : "b/") + thread + "-" + i, bytes("v" + thread + i));
                        store.writeName("c/k" + thread + "-" + i, ".zstd", bytes("z" + thread + i), WriteOptions.UNCONDITIONAL);
                    }
                    store.delete("a/" + thread + "-0");
                })));
            }
            for (Future<?> f : done) f.get();
            // Every write is whole and visible before the batch closes; only the syncs wait.
            assertEquals("v15", text(store.read("b/1-5")));
            assertEquals("z29", text(store.readAnyName("c/k2-9", ReadOptions.ALL)));
            assertEquals(ReadResult.State.MISSING, store.read("a/0-0").state());
            assertEquals(before, FileStore.DIRECTORY_SYNCS.sum(), "no directory synced inside the batch");
        } finally {
            pool.shutdown();
        }
        assertEquals(before + 3, FileStore.DIRECTORY_SYNCS.sum(), "one sync per directory (a, b, c) at close");
    }

    @Test
    void writesOutsideABatchSyncTheirDirectoryEachTime() {
        FileStore store = new FileStore(dir.resolve("root"), true);
        long before = FileStore.DIRECTORY_SYNCS.sum();
        for (int i = 0; i < 4; i++) store.write("s/k" + i, bytes("x"));
        assertEquals(before + 4, FileStore.DIRECTORY_SYNCS.sum());
    }

    @Test
    void aStoreWithoutFsyncHasNothingToDefer() {
        FileStore store = new FileStore(dir.resolve("root"), false);
        long before = FileStore.DIRECTORY_SYNCS.sum();
        try (WriteBatch batch = store.batch()) {
            batch.run(() -> store.write("s/k", bytes("x")));
        }
        assertEquals("x", text(store.read("s/k")));
        assertEquals(before, FileStore.DIRECTORY_SYNCS.sum());
    }

    @Test
    void aBatchCutShortStillSyncsWhatItRenamed() {
        FileStore store = new FileStore(dir.resolve("root"), true);
        long before = FileStore.DIRECTORY_SYNCS.sum();
        WriteBatch batch = store.batch();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (batch) {
                batch.run(() -> {
                    store.write("s/first", bytes("kept"));
                    throw new IllegalStateException("the next chunk failed");
                });
            }
        });
        assertEquals("the next chunk failed", e.getMessage());
        assertEquals("kept", text(store.read("s/first")));
        assertEquals(before + 1, FileStore.DIRECTORY_SYNCS.sum());
    }

    /** A durable write of many chunks syncs the scale directory once, and every voxel reads back. */
    @Test
    void aDurableArrayWriteSyncsTheScaleDirectoryOnce() throws Exception {
        Info info = Info.builder(DataType.UINT8, new long[] {64, 48, 32}, new long[] {16, 16, 16}).build(); // 4 x 3 x 2 = 24 chunks
        for (Compression c : List.of(Compression.NONE, Compression.ZSTD)) {
            Path layer = dir.resolve("layer-" + c);
            try (Arena arena = Arena.ofShared();
                 BigArray a = BigArray.create(layer.toUri().toString(), info, Options.defaults().withCompression(c).withThreads(2, 4))) {
                NdView v = NdView.allocate(arena, DataType.UINT8, new long[4], new long[] {64, 48, 32, 1});
                for (long i = 0; i < v.byteSize(); i++) v.segment().set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + i / 64));
                long before = FileStore.DIRECTORY_SYNCS.sum();
                a.write(v);
                assertEquals(before + 1, FileStore.DIRECTORY_SYNCS.sum(), c + ": one sync of the scale directory for 24 chunks");
                NdView back = a.read(Box.of(new long[] {0, 0, 0}, new long[] {64, 48, 32}));
                assertArrayEquals(v.segment().toArray(ValueLayout.JAVA_BYTE), back.segment().toArray(ValueLayout.JAVA_BYTE));
            }
            try (Stream<Path> files = Files.list(layer.resolve(info.scales().getFirst().key()))) {
                assertEquals(24, files.filter(p -> !FileStore.isReserved(p.getFileName().toString())).count(), "24 chunk files, no temp files");
            }
            assertTrue(Files.isRegularFile(layer.resolve("info")));
        }
    }
}
