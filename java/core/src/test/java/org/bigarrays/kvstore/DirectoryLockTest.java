package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory lock FileStore's readers fall back on while a key switches names: active on Linux
 * x86-64 (so a silent fallback cannot pass), shared holders exclude an exclusive one and back,
 * between threads of one JVM, and no other close in the JVM drops it.
 */
class DirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void availableOnLinuxX86() {
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) assertTrue(DirectoryLock.available());
    }

    @Test
    void exclusiveWaitsForSharedAndSharedForExclusive() throws Exception {
        DirectoryLock shared = DirectoryLock.lock(dir, false);
        assertNotNull(shared);
        DirectoryLock otherShared = DirectoryLock.lock(dir, false); // shared locks do not exclude each other
        otherShared.close();
        // Another descriptor of the directory opened and closed meanwhile (as fsync and listings do) drops nothing.
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.size();
        }
        AtomicBoolean exclusiveHeld = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (DirectoryLock ex = DirectoryLock.lock(dir, true)) {
                exclusiveHeld.set(true);
                release.await(10, TimeUnit.SECONDS);
                exclusiveHeld.set(false);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(exclusiveHeld.get(), "the exclusive lock waits while a shared one is held");
        shared.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!exclusiveHeld.get() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(exclusiveHeld.get(), "taken once the shared lock is released");
        CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(() -> {
            try (DirectoryLock sh = DirectoryLock.lock(dir, false)) {
                return exclusiveHeld.get();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(reader.isDone(), "a shared lock waits while the exclusive one is held");
        release.countDown();
        assertFalse(reader.get(10, TimeUnit.SECONDS), "and is taken only after it is released");
        writer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMissingDirectoryIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> DirectoryLock.lock(dir.resolve("absent"), false));
    }
}
