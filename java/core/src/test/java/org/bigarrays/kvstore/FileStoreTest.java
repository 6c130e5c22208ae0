package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.bigarrays.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on {@link FileStore}, plus what only a file system can get wrong. */
class FileStoreTest extends KeyValueStoreContract {
    @TempDir
    Path dir;

    @Override
    protected KeyValueStore newStore() {
        return new FileStore(dir.resolve("root"), false);
    }

    private List<Path> leftoverTempFiles() throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> FileStore.isReserved(p.getFileName().toString())).toList();
        }
    }

    @Test
    void keysAreFilesUnderTheRoot() throws IOException {
        store.write("1_1_1/0-64_0-64_0-64", bytes("chunk"));
        assertEquals("chunk", Files.readString(dir.resolve("root/1_1_1/0-64_0-64_0-64")));
        Files.writeString(dir.resolve("root/1_1_1/written-by-someone-else"), "hi");
        assertEquals("hi", text(store.read("1_1_1/written-by-someone-else")));
    }

    /** The store remembers directories it made; one removed (or replaced by a file) behind its back is noticed. */
    @Test
    void directoryRemovedBetweenWritesIsMadeAgain() throws IOException {
        store.write("s/a", bytes("one"));
        Files.delete(dir.resolve("root/s/a"));
        Files.delete(dir.resolve("root/s"));
        store.write("s/b", bytes("two"));
        assertEquals("two", text(store.read("s/b")));
        assertEquals(List.of(), leftoverTempFiles());
        Files.delete(dir.resolve("root/s/b"));
        Files.delete(dir.resolve("root/s"));
        Files.writeString(dir.resolve("root/s"), "a file now");
        StorageException e = assertThrows(StorageException.class, () -> store.write("s/c", bytes("three")));
        assertTrue(e.getMessage().contains("'s' is a file, not a directory"), e.getMessage());
    }

    @Test
    void durableWritesWork() throws IOException {
        FileStore durable = new FileStore(dir.resolve("durable"), true);
        durable.write("a/b", bytes("synced"));
        assertEquals("synced", text(durable.read("a/b")));
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void atomicWritesLeaveNoTempFiles() throws Exception {
        for (int i = 0; i < 20; i++) store.write("k/" + (i % 3), bytes("value " + i));
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 25; i++) store.write("shared", bytes("writer " + id + " round " + i));
            });
        }
        for (Thread t : ts) t.join();
        assertTrue(text(store.read("shared")).startsWith("writer "));
        assertEquals(List.of(), leftoverTempFiles());
        assertEquals(List.of("k/0", "k/1", "k/2", "shared"), store.list(""));
    }

    @Test
    void tempFilesOfACrashedWriterAreNotListed() throws IOException {
        store.write("a/real", bytes("r"));
        Files.writeString(dir.resolve("root/a/.real" + FileStore.LEGACY_TEMP_MARK + "1234"), "half a valu");
        Files.writeString(dir.resolve("root/a/.real" + FileStore.TEMP_SUFFIX), "half a valu");
        Files.writeString(dir.resolve("root/a/" + FileStore.LEGACY_LOCK_FILE), "");
        assertEquals(List.of("a/real"), store.list(""));
        assertEquals("r", text(store.read("a/real")));
    }

    @Test
    void writeBlockedByAFileFailsNamingTheKeyAndKeepsTheFile() throws IOException {
        store.write("a", bytes("previous"));
        StorageException e = assertThrows(StorageException.class, () -> store.write("a/b", bytes("new")));
        assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
        assertEquals("a/b", e.key());
        assertEquals("write", e.operation());
        assertEquals("previous", text(store.read("a")));
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void writeOverADirectoryFailsNamingTheKeyAndKeepsItsContents() throws IOException {
        store.write("d/inner", bytes("inner"));
        StorageException e = assertThrows(StorageException.class, () -> store.write("d", bytes("new")));
        assertTrue(e.getMessage().contains("'d'"), e.getMessage());
        assertEquals("inner", text(store.read("d/inner")));
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void listNeverRevealsFilesOutsideTheRoot() throws IOException {
        store.write("inside", bytes("i"));
        Files.writeString(dir.resolve("outside"), "secret");
        Files.createDirectories(dir.resolve("other"));
        Files.writeString(dir.resolve("other/file"), "secret");
        for (String p : new String[] {"../", "..", "../o", "../other/", "/", "x/../../"}) {
            assertEquals(List.of(), store.list(p), "list(\"" + p + "\")");
        }
        assertEquals(List.of("inside"), store.list(""));
    }

    /**
     * Issue 15.7: a regular file where a directory of the key's path should be (a scale directory
     * replaced by a file) used to read as "missing", i.e. all fill with exit 0. It is an error now.
     */
    @Test
    void readUnderAFileIsAnErrorNamingTheFile() {
        store.write("a", bytes("file"));
        for (org.junit.jupiter.api.function.Executable op : List.<org.junit.jupiter.api.function.Executable>of(
                () -> store.read("a/b"), () -> store.read("a/b/c", ByteRange.of(0, 3)), () -> store.exists("a/b"), () -> store.delete("a/b"))) {
            StorageException e = assertThrows(StorageException.class, op);
            assertTrue(e.getMessage().contains("'a' is a file, not a directory") && e.getMessage().contains("'a/"), e.getMessage());
        }
    }

    /**
     * A key's names are looked up without exceptions (issue 25, goal 9): a missing name, or a
     * missing directory on the way to it, is "no value", while a file in the way is still an
     * error naming it, for a chunk written under one of several names too.
     */
    @Test
    void missingNamesAreNoValueAndAFileInTheWayIsAnErrorForEveryName() {
        FileStore fs = (FileStore) store;
        assertFalse(fs.exists("x/y/z"));
        assertEquals(ReadResult.State.MISSING, fs.read("x/y/z").state());
        assertEquals(ReadResult.State.MISSING, fs.readAnyName("x/y/z", ReadOptions.ALL).state());
        assertFalse(fs.deleteAllNames("x/y/z"));
        assertTrue(fs.writeName("x/y/z", ".zstd", bytes("z"), WriteOptions.UNCONDITIONAL).written());
        assertEquals("z", text(fs.readAnyName("x/y/z", ReadOptions.ALL)));
        fs.write("f", bytes("a file"));
        for (String suffix : List.of("", ".gz", ".zstd")) {
            StorageException e = assertThrows(StorageException.class, () -> fs.writeName("f/s/k", suffix, bytes("v"), WriteOptions.UNCONDITIONAL));
            assertTrue(e.getMessage().contains("'f' is a file, not a directory"), e.getMessage());
        }
        StorageException e = assertThrows(StorageException.class, () -> fs.readAnyName("f/k", ReadOptions.ALL));
        assertTrue(e.getMessage().contains("'f' is a file, not a directory"), e.getMessage());
    }

    /** Issue 15.7: a FIFO at a key (or at info) must not block the reader forever. */
    @Test
    void fifoSocketOrDeviceAtAKeyIsRefusedNotOpened() throws Exception {
        Path fifo = dir.resolve("root/1_1_1/0-64_0-64_0-64");
        Files.createDirectories(fifo.getParent());
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0, "mkfifo is not available here");
        java.util.concurrent.Future<?> f = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            StorageException e = assertThrows(StorageException.class, () -> store.read("1_1_1/0-64_0-64_0-64"));
            assertTrue(e.getMessage().contains("'1_1_1/0-64_0-64_0-64'") && e.getMessage().contains("not a regular file"), e.getMessage());
            assertThrows(StorageException.class, () -> store.exists("1_1_1/0-64_0-64_0-64"));
            return null;
        });
        f.get(10, java.util.concurrent.TimeUnit.SECONDS); // a blocking open would time out here
        StorageException dev = assertThrows(StorageException.class, () -> new FileStore(Path.of("/dev"), false).read("null"));
        assertTrue(dev.getMessage().contains("not a regular file"), dev.getMessage());
    }

    /**
     * Leftovers of dead writers go at the first write into their directory: ours (unlocked), an
     * older version's lock file, its temp files once a minute old. A temp file this JVM is
     * writing, a young old-style one and a key that merely looks like one stay.
     */
    @Test
    void firstWriteIntoADirectorySweepsDeadWritersLeftovers() throws IOException {
        store.write("s/real", bytes("r"));
        Path dead = dir.resolve("root/s/.gone" + FileStore.TEMP_SUFFIX);
        Path oldStyle = dir.resolve("root/s/.real" + FileStore.LEGACY_TEMP_MARK + "00000000deadbeef");
        Path youngOldStyle = dir.resolve("root/s/.real" + FileStore.LEGACY_TEMP_MARK + "00000000cafebabe");
        Path oldLock = dir.resolve("root/s/" + FileStore.LEGACY_LOCK_FILE);
        Path notTemp = dir.resolve("root/s/keep.tmp-x"); // a key that merely contains the mark
        for (Path p : List.of(dead, oldStyle, youngOldStyle, oldLock, notTemp)) Files.writeString(p, "half");
        Files.setLastModifiedTime(oldStyle, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofMinutes(2))));
        try (LockedTempFile live = LockedTempFile.acquire(dir.resolve("root/s/.busy" + FileStore.TEMP_SUFFIX))) {
            assertEquals(List.of("s/keep.tmp-x", "s/real"), store.list(""), "temp and lock files are never listed");
            new FileStore(dir.resolve("root"), false).write("s/other", bytes("o")); // a new store's first write into s/
            assertFalse(Files.exists(dead), "an unlocked temp file is a dead writer's");
            assertFalse(Files.exists(oldStyle), "an old-style temp file older than a minute");
            assertFalse(Files.exists(oldLock), "an older version's lock file");
            assertTrue(Files.exists(youngOldStyle), "an old-style temp file may be a live old writer's");
            assertTrue(Files.exists(live.path()), "a temp file this JVM is writing");
            assertTrue(Files.exists(notTemp));
            assertEquals(1, ((FileStore) store).removeStaleTemporaries("", java.time.Duration.ZERO));
            assertFalse(Files.exists(youngOldStyle));
            assertTrue(Files.exists(live.path()), "still being written");
            live.delete();
        }
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void reservedFileNamesAreNotKeys() {
        for (String k : new String[] {"a/.bigarrays.lock", ".x.tmp-0123abcd", "a/.x.__lock"}) {
            var e = assertThrows(org.bigarrays.InvalidInputException.class, () -> store.write(k, bytes("v")));
            assertTrue(e.getMessage().contains("'" + k + "'") && e.getMessage().contains("reserved"), e.getMessage());
        }
        store.write("a/x", bytes("v"));
        assertEquals(List.of("a/x"), store.list(""));
    }

    /** Writes, deletes, failed conditional writes and racing writers leave nothing but the format's files. */
    @Test
    void writesLeaveOnlyFormatFiles() throws Exception {
        Path layer = dir.resolve("root");
        store.write("info", bytes("{}"));
        store.write("8_8_8/0-64_0-64_0-64", bytes("a"));
        store.write("8_8_8/64-128_0-64_0-64.gz", bytes("b"));
        store.write("16_16_16/0.shard", bytes("s"));
        LayerFiles.assertOnlyFormatFiles(layer);
        String g = store.read("8_8_8/0-64_0-64_0-64").generation();
        store.write("8_8_8/0-64_0-64_0-64", bytes("c"));
        assertFalse(store.write("8_8_8/0-64_0-64_0-64", bytes("d"), WriteOptions.ifEqual(g)).written());
        assertFalse(store.write("8_8_8/0-64_64-128_0-64", bytes("d"), WriteOptions.ifEqual(g)).written());
        LayerFiles.assertOnlyFormatFiles(layer);
        assertTrue(store.delete("8_8_8/64-128_0-64_0-64.gz"));
        assertFalse(store.delete("8_8_8/64-128_0-64_0-64.gz"));
        LayerFiles.assertOnlyFormatFiles(layer);
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    store.write("8_8_8/0-64_0-64_" + (i % 2) * 64 + "-" + (i % 2 + 1) * 64, bytes("w" + id + " " + i));
                    if (i % 5 == 0) store.delete("8_8_8/0-64_0-64_64-128");
                }
            });
        }
        for (Thread t : ts) t.join();
        LayerFiles.assertOnlyFormatFiles(layer);
        Files.writeString(layer.resolve("8_8_8/.0-64_0-64_0-64" + FileStore.TEMP_SUFFIX), "x");
        assertThrows(AssertionError.class, () -> LayerFiles.assertOnlyFormatFiles(layer), "the check itself catches a temp file");
    }

    /** A scale directory linked out of the layer: writes and deletes refused with one line naming the link; reads follow it. */
    @Test
    void writesThroughASymbolicLinkOutOfTheLayerAreRefused() throws IOException {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("0-64_0-64_0-64"), "outside");
        Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(dir.resolve("root/scale1"), elsewhere);
        for (org.junit.jupiter.api.function.Executable op : List.<org.junit.jupiter.api.function.Executable>of(
                () -> store.write("scale1/0-64_0-64_0-64", bytes("new")), () -> store.write("scale1/sub/0-64_0-64_0-64", bytes("new")),
                () -> store.delete("scale1/0-64_0-64_0-64"))) {
            var e = assertThrows(org.bigarrays.InvalidInputException.class, op);
            assertTrue(e.getMessage().contains("'scale1' is a symbolic link to " + elsewhere.toRealPath()) && e.getMessage().contains("outside the layer")
                    && e.getMessage().contains("followLinks") && !e.getMessage().contains("\n"), e.getMessage());
        }
        FileStore scale = ((FileStore) store).under("scale1"); // as a layer's scale store is opened
        var e = assertThrows(org.bigarrays.InvalidInputException.class, () -> scale.write("0-64_0-64_0-64", bytes("new")));
        assertTrue(e.getMessage().startsWith("refusing to write key 'scale1/0-64_0-64_0-64': 'scale1' is a symbolic link to "), e.getMessage());
        assertEquals("outside", text(store.read("scale1/0-64_0-64_0-64")), "reads follow links");
        assertEquals("outside", text(scale.read("0-64_0-64_0-64")));
        assertEquals(List.of("0-64_0-64_0-64"), fileNames(elsewhere), "nothing written, deleted or created outside");
        store.write("inside/0-64_0-64_0-64", bytes("ok")); // the rest of the layer is writable

        FileStore follow = new FileStore(dir.resolve("root"), false, true);
        follow.write("scale1/0-64_0-64_0-64", bytes("through"));
        assertEquals("through", Files.readString(elsewhere.resolve("0-64_0-64_0-64")));
        KeyValueStore byUrl = KeyValueStores.open(dir.resolve("root").toUri() + "?followLinks=true");
        assertTrue(byUrl.delete("scale1/0-64_0-64_0-64"));
        assertEquals(List.of(), fileNames(elsewhere));
    }

    /** A dead writer's temp file for the very key (made after this store swept the directory) is taken over, its bytes replaced. */
    @Test
    void aDeadWritersTempFileOfTheKeyIsTakenOver() throws IOException {
        store.write("s/a", bytes("a"));
        Files.writeString(dir.resolve("root/s/.b" + FileStore.TEMP_SUFFIX), "a longer value, half written by a writer since killed");
        store.write("s/b", bytes("xy"));
        assertEquals("xy", text(store.read("s/b")));
        assertEquals(List.of(), leftoverTempFiles());
    }

    /** What a shutdown hook calls: the temp files being written in this JVM go, nothing else. */
    @Test
    void removeOwnTemporariesDeletesTheTempFilesBeingWritten() throws IOException {
        store.write("s/a", bytes("a"));
        Path other = dir.resolve("root/s/.b" + FileStore.TEMP_SUFFIX); // not ours: nobody here is writing it
        Files.writeString(other, "x");
        try (LockedTempFile t = LockedTempFile.acquire(dir.resolve("root/s/.c" + FileStore.TEMP_SUFFIX))) {
            assertEquals(1, FileStore.removeOwnTemporaries());
            assertFalse(Files.exists(t.path()));
        }
        assertTrue(Files.exists(other));
        assertEquals(0, FileStore.removeOwnTemporaries(), "a finished writer's path is no longer registered");
        assertEquals("a", text(store.read("s/a")));
    }

    /** The mtime is set to the nanosecond without opening the file (which would drop its lock). */
    @Test
    void tempFileTimesAreSetExactly() throws IOException {
        assertTrue(LockedTempFile.nativeTimes(), "the tests run with native access: utimensat is used");
        Files.createDirectories(dir.resolve("t"));
        try (LockedTempFile t = LockedTempFile.acquire(dir.resolve("t/.k" + FileStore.TEMP_SUFFIX))) {
            MemorySegment v = bytes("value");
            t.channel().write(v.asByteBuffer(), 0);
            java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.from(1_700_000_000_123_456_789L, java.util.concurrent.TimeUnit.NANOSECONDS);
            assertTrue(t.setModifiedTime(time, v));
            assertEquals(time, Files.getLastModifiedTime(t.path()));
            t.renameTo(dir.resolve("t/k"));
        }
        assertEquals(List.of("k"), fileNames(dir.resolve("t")));
    }

    /** A link inside the layer (to another of its directories) is fine. */
    @Test
    void symbolicLinksWithinTheLayerAreAllowed() throws IOException {
        store.write("a/0-1_0-1_0-1", bytes("x"));
        Files.createSymbolicLink(dir.resolve("root/b"), dir.resolve("root/a"));
        store.write("b/1-2_0-1_0-1", bytes("y"));
        assertEquals("y", Files.readString(dir.resolve("root/a/1-2_0-1_0-1")));
    }

    private static List<String> fileNames(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Two FileStore objects on one directory (as two processes would have) share the key lock. */
    @Test
    void twoStoresOnOneDirectoryLoseNoCasUpdate() throws Exception {
        FileStore other = new FileStore(dir.resolve("root"), false);
        store.write("n", bytes("0"));
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            KeyValueStore s = t % 2 == 0 ? store : other;
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50; i++) {
                    while (true) {
                        ReadResult r = s.read("n");
                        if (s.write("n", bytes(Long.toString(Long.parseLong(text(r)) + 1)), WriteOptions.ifEqual(r.generation())).written()) break;
                    }
                }
            });
        }
        for (Thread t : ts) t.join();
        assertEquals("200", text(store.read("n")));
    }

    @Test
    void readOfADirectoryIsAnErrorNamingTheKey() {
        store.write("d/x", bytes("x"));
        assertFalse(store.exists("d"));
        StorageException e = assertThrows(StorageException.class, () -> store.read("d"));
        assertTrue(e.getMessage().contains("'d'"), e.getMessage());
    }

    @Test
    void failedWriteOfAValueKeepsThePreviousValue() throws IOException {
        store.write("v", bytes("previous"));
        MemorySegment gone;
        try (Arena a = Arena.ofConfined()) {
            gone = a.allocate(100);
        }
        MemorySegment closed = gone;
        assertThrows(RuntimeException.class, () -> store.write("v", closed));
        assertEquals("previous", text(store.read("v")));
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void writeIntoAReadOnlyDirectoryFailsNamingTheKey() throws IOException {
        store.write("ro/v", bytes("previous"));
        Path roDir = dir.resolve("root/ro");
        Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Path probe = roDir.resolve("probe");
            boolean enforced;
            try {
                Files.writeString(probe, "p");
                Files.delete(probe);
                enforced = false;
            } catch (IOException e) {
                enforced = true;
            }
            assumeFalse(!enforced, "permissions are not enforced for this user (root): read-only directory case skipped");
            StorageException e = assertThrows(StorageException.class, () -> store.write("ro/v", bytes("new")));
            assertTrue(e.getMessage().contains("'ro/v'"), e.getMessage());
            assertEquals("previous", text(store.read("ro/v")));
        } finally {
            Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertEquals(List.of(), leftoverTempFiles());
    }

    @Test
    void opensFromPlainPathsAndFileUrls() {
        store.write("x", bytes("1"));
        Path root = dir.resolve("root");
        assertEquals("1", text(KeyValueStores.open(root.toString()).read("x")));
        assertEquals("1", text(KeyValueStores.open(root.toUri().toString()).read("x")));
        assertEquals("1", text(KeyValueStores.open(root.getParent().toString()).read("root/x")));
        assertEquals("1", new String(KeyValueStores.open(root.toUri() + "?fsync=false").read("x").toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void readsIntoTheCallersBufferWithoutACopy() {
        store.write("c/0-4_0-4_0-4", bytes("0123456789"));
        org.bigarrays.core.BufferPool pool = new org.bigarrays.core.BufferPool(1);
        MemorySegment pooled;
        try (org.bigarrays.core.Lease l = pool.lease(64)) {
            pooled = l.segment();
        }
        try (ReadResult r = store.read("c/0-4_0-4_0-4", ReadOptions.ALL.withBuffers(pool))) {
            assertEquals("0123456789", text(r));
            assertEquals(pooled.address(), r.value().address(), "the value is in the pool's memory");
            assertEquals(10, r.value().byteSize());
            assertNotNull(r.lease(), "the result owns the lease");
        }
    }
}
