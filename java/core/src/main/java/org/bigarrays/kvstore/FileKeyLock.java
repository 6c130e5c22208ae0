package org.bigarrays.kvstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on one key of a {@link FileStore}, held across threads and processes: one
 * byte (the stripe {@code hash(name) mod 2^20}) of the directory's lock file
 * {@value #LOCK_FILE}, locked with {@link FileChannel#lock} (POSIX {@code fcntl}), plus a
 * JVM-wide striped {@link ReentrantLock}, because file locks belong to the process and the JDK
 * refuses an overlapping lock from a second thread.
 *
 * <p>Two POSIX rules shape this class. Closing any descriptor of a file drops all of the
 * process's locks on it, so each lock file is open at most once in this JVM (one shared channel
 * per file identity, closed only when no thread uses it; the last 64 unused ones stay open). And the lock must be on the file that
 * is at the path now: after locking, the path is checked to still name the locked file (a
 * directory removed and re-created gets a new lock file), else the lock is taken again.
 */
final class FileKeyLock implements AutoCloseable {
    /** Name of the per-directory lock file; never a key (hidden from listing, refused as a key). */
    static final String LOCK_FILE = ".bigarrays.lock";
    private static final int SLOTS = 1 << 20;
    private static final ReentrantLock[] STRIPES = new ReentrantLock[1024];
    private static final Map<Object, Shared> OPEN = new HashMap<>(); // by file identity; guarded by OPEN
    private static final java.util.List<FileChannel> LEAKED = new java.util.ArrayList<>(); // see open(); guarded by OPEN

    static {
        for (int i = 0; i < STRIPES.length; i++) STRIPES[i] = new ReentrantLock();
    }

    /** One open lock file and how many threads are using it. */
    private static final class Shared {
        final Object fileKey;
        final FileChannel channel;
        int users;

        Shared(Object fileKey, FileChannel channel) {
            this.fileKey = fileKey;
            this.channel = channel;
        }
    }

    private final Shared shared;
    private final ReentrantLock stripe;
    private final FileLock fileLock;

    private FileKeyLock(Shared shared, ReentrantLock stripe, FileLock fileLock) {
        this.shared = shared;
        this.stripe = stripe;
        this.fileLock = fileLock;
    }

    /** Block until this thread holds the lock on file {@code name} of directory {@code dir} (which must exist). */
    static FileKeyLock acquire(Path dir, String name) throws IOException {
        Path lockPath = dir.resolve(LOCK_FILE);
        long slot = Math.floorMod(name.hashCode() * 0x9E3779B1L, SLOTS);
        while (true) {
            Shared s = open(lockPath);
            ReentrantLock stripe = STRIPES[Math.floorMod(Objects.hash(s.fileKey, slot), STRIPES.length)];
            FileLock fl = null;
            boolean ok = false;
            try {
                stripe.lockInterruptibly();
                try {
                    fl = s.channel.lock(slot, 1, false);
                    if (s.fileKey.equals(identity(lockPath))) {
                        ok = true;
                        return new FileKeyLock(s, stripe, fl);
                    }
                } finally {
                    if (!ok) {
                        if (fl != null) fl.release();
                        stripe.unlock();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the lock on " + dir.resolve(name), e);
            } finally {
                if (!ok) release(s);
            }
            // The lock file was replaced (its directory re-created) while we waited: lock the new one.
        }
    }

    private static Object identity(Path p) throws IOException {
        try {
            Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            return k == null ? p.toAbsolutePath() : k;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Shared open(Path lockPath) throws IOException {
        synchronized (OPEN) {
            while (true) {
                Object key = identity(lockPath);
                Shared s = key == null ? null : OPEN.get(key);
                if (s == null) {
                    FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    Object opened = identity(lockPath);
                    if (opened != null && OPEN.containsKey(opened)) {
                        // Only through another path to the same directory (a link) and a replaced file:
                        // closing this channel would drop the locks held through the registered one.
                        LEAKED.add(ch);
                        continue;
                    }
                    if (opened == null || (key != null && !key.equals(opened))) {
                        // Replaced between the checks by someone outside this JVM: this channel holds no
                        // locks and is the only one on its file here, so closing it is harmless.
                        ch.close();
                        continue;
                    }
                    s = new Shared(opened, ch);
                    OPEN.put(opened, s);
                }
                s.users++;
                IDLE.remove(s.fileKey, s);
                return s;
            }
        }
    }

    /**
     * Lock files kept open while unused, most recently used last, so a run of writes to one
     * directory opens its lock file once rather than once per write. Guarded by OPEN.
     */
    private static final LinkedHashMap<Object, Shared> IDLE = new LinkedHashMap<>();
    private static final int MAX_IDLE = 64;

    private static void release(Shared s) throws IOException {
        synchronized (OPEN) {
            if (--s.users > 0) return;
            IDLE.put(s.fileKey, s);
            if (IDLE.size() <= MAX_IDLE) return;
            Shared oldest = IDLE.pollFirstEntry().getValue();
            OPEN.remove(oldest.fileKey, oldest);
            oldest.channel.close(); // no thread holds a lock through it: closing drops nothing of anyone's
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
        } finally {
            stripe.unlock();
            release(shared);
        }
    }
}
