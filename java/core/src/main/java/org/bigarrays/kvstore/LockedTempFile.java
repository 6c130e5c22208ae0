package org.bigarrays.kvstore;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temp file that is its own lock: open (created if missing), locked with {@link FileChannel#lock}
 * (POSIX {@code fcntl}), written, then renamed over its target or deleted while still locked. A
 * writer killed mid-way leaves the file but not the lock (the kernel drops a dead process's
 * locks), so anyone who can {@link #removeIfAbandoned lock it} knows its writer is gone.
 *
 * <p>Two POSIX rules shape this class. Closing <em>any</em> descriptor of a file drops all of the
 * process's locks on it, so in this JVM only the thread that has <em>claimed</em> a temp path
 * (a JVM-wide registry) ever opens it; and the file at the path may have been renamed away (or
 * deleted and re-created) by the previous holder between our open and our lock, so after locking,
 * the path is checked to still name the locked file, else the lock is taken again. That check opens
 * the path a second time and asks for a lock through it: the JDK refuses a lock overlapping one this
 * JVM holds on the same file ({@link OverlappingFileLockException}), which proves the identity
 * without {@code fstat}. The second channel stays open until the lock is released.
 *
 * <p>Nothing here may open the locked file by path and close it again, or the lock is lost; the
 * JDK's {@code setTimes} does, so {@link #setModifiedTime} calls {@code utimensat} on the path.
 */
public final class LockedTempFile implements AutoCloseable {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(LockedTempFile.class);
    }

    /** Who holds a temp path in this JVM: a writer, a sweeper, or a writer whose file {@link #keepOnShutdown guards more than itself}. */
    private enum Claim { WRITER, SWEEPER, GUARD }

    /** The temp paths this JVM has open: only the claimant opens one (see the class comment). */
    private static final Map<Path, Claim> CLAIMS = new ConcurrentHashMap<>();
    /** Channels that must never be closed (see {@link #lockWaitingForThisJvm}); guarded by itself. */
    private static final List<FileChannel> LEAKED = new ArrayList<>();

    private final Path path;
    private final FileChannel channel;
    private final FileChannel witness; // the second descriptor of the identity check, closed last
    private FileChannel extraWitness; // set by the setTimes fallback; closed last
    private FileLock lock;
    private boolean claimed = true;

    private LockedTempFile(Path path, FileChannel channel, FileChannel witness, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.witness = witness;
        this.lock = lock;
    }

    /**
     * Claim {@code path} in this JVM, open it (created if missing), and block until this process
     * holds its lock and the path still names the locked file. The file may hold what a dead
     * writer left: write from position 0 and truncate to the new size.
     */
    public static LockedTempFile acquire(Path path) throws IOException {
        claim(path, Claim.WRITER);
        boolean ok = false;
        try {
            while (true) {
                FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                FileLock fl;
                try {
                    fl = lockWaitingForThisJvm(ch);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                FileChannel witness = sameFileAtPath(ch, path);
                if (witness != null) {
                    ok = true;
                    return new LockedTempFile(path, ch, witness, fl);
                }
                // The previous holder renamed or deleted it while we waited: this lock is on a file
                // no longer at the path (no other thread here holds it: closing drops nothing of theirs).
                fl.release();
                ch.close();
            }
        } finally {
            if (!ok) unclaim(path);
        }
    }

    /**
     * {@code ch.lock()}, waiting (not failing) while another thread of this JVM holds the file's
     * lock through another path to it (a bind mount: the claims are by path). Closing {@code ch}
     * meanwhile would drop that thread's lock, so on interrupt it is kept open for good.
     */
    private static FileLock lockWaitingForThisJvm(FileChannel ch) throws IOException {
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    sleepBriefly();
                } catch (RuntimeException interrupted) {
                    leak(ch);
                    throw interrupted;
                }
            }
        }
    }

    private static void leak(FileChannel ch) {
        synchronized (LEAKED) {
            LEAKED.add(ch);
        }
    }

    /**
     * A second channel on {@code path}, open, if it names the file {@code locked} is locked through;
     * else null. The caller must keep it open while holding the lock and close it after.
     */
    private static FileChannel sameFileAtPath(FileChannel locked, Path path) throws IOException {
        FileChannel other;
        try {
            other = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            FileLock probe = other.tryLock(0, Long.MAX_VALUE, true);
            // Not refused by the JDK: a different file. Its lock (if we got one) is ours only.
            if (probe != null) probe.release();
            other.close();
            return null;
        } catch (OverlappingFileLockException e) {
            return other; // the JDK's lock table says: the same file as the locked one
        } catch (IOException | RuntimeException e) {
            other.close();
            throw e;
        }
    }

    private static void claim(Path path, Claim who) {
        // A sweeper holds a claim for microseconds; a writer's claim on its own key is already
        // exclusive (FileStore's stripe lock, a cutout's random name), so this rarely waits.
        while (CLAIMS.putIfAbsent(path, who) != null) sleepBriefly();
    }

    private static void unclaim(Path path) {
        CLAIMS.remove(path);
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(0, 100_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for temp file", e);
        }
    }

    /**
     * Leave this file in place if the JVM shuts down while it is held ({@link #removeOwn} skips
     * it): it guards a step that is not one rename (a key switching names), and only its lock
     * orders the other writers until the step is done; once this process is gone, the sweep
     * finishes what it recorded.
     */
    public void keepOnShutdown() {
        CLAIMS.replace(path, Claim.WRITER, Claim.GUARD);
    }

    /** The temp file's path. */
    public Path path() {
        return path;
    }

    /** The locked channel, open for reading and writing. */
    public FileChannel channel() {
        return channel;
    }

    /**
     * Set the file's modification (and access) time without opening it: opening and closing it
     * would drop the lock. Uses {@code utimensat} where native calls are allowed. Elsewhere it
     * uses the JDK's {@code setTimes}, which drops the lock, takes the lock again and returns
     * whether the path still names this file and the file still holds {@code content} (another
     * process may have taken it over meanwhile; then the caller must start over).
     */
    public boolean setModifiedTime(FileTime time, MemorySegment content) throws IOException {
        if (Utimensat.set(path, time.to(TimeUnit.NANOSECONDS))) return true;
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(time, time, null);
        lock.release(); // already dropped by the JDK's close of its descriptor; take it again
        lock = channel.lock();
        FileChannel w = sameFileAtPath(channel, path);
        if (w == null) return false;
        extraWitness = w; // names the locked file: closing it now would drop the lock again
        // Whoever had it meanwhile wrote it whole or not at all (a writer killed mid-way leaves
        // other bytes), so equal bytes are a whole value; its mtime is theirs then, also after the
        // replaced value's.
        if (channel.size() != content.byteSize()) return false;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) content.byteSize());
        for (long pos = 0; buf.hasRemaining(); ) {
            int n = channel.read(buf, pos);
            if (n < 0) return false;
            pos += n;
        }
        return MemorySegment.ofArray(buf.array()).mismatch(content) < 0;
    }

    /** Rename the temp file over {@code target} (atomically), still locked; it is no longer ours to clean up. */
    public void renameTo(Path target) throws IOException {
        try {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("file system cannot rename " + path + " to " + target + " atomically", e);
        }
        // Whatever is at the path from now on is someone else's: the shutdown hook must not delete it.
        unclaim(path);
        claimed = false;
    }

    /** Delete the temp file, still locked (best effort). */
    public void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.LOG.debug("could not delete temp file {}: {}", path, e.toString());
        }
        unclaim(path);
        claimed = false;
    }

    /** Release the lock and close; the file stays if neither renamed nor deleted. */
    @Override
    public void close() throws IOException {
        try {
            try {
                if (lock.isValid()) lock.release();
            } finally {
                try {
                    channel.close();
                } finally {
                    witness.close();
                    if (extraWitness != null) extraWitness.close();
                }
            }
        } finally {
            if (claimed) unclaim(path);
            claimed = false;
        }
    }

    /**
     * Delete {@code path} if it is a regular file whose writer is gone: nobody in this JVM has it,
     * and its lock can be taken (a live writer in another process holds it). Never blocks.
     * @return whether it was removed
     */
    public static boolean removeIfAbandoned(Path path) {
        return removeIfAbandoned(path, null);
    }

    /** What to finish of a dead writer's work, holding its temp file's lock, before the file is deleted. */
    @FunctionalInterface
    public interface Finisher {
        /** @param locked the abandoned temp file, locked by us */
        void finish(FileChannel locked) throws IOException;
    }

    /**
     * {@link #removeIfAbandoned(Path)}, first running {@code finisher} (if not null) while the
     * lock is held: e.g. to complete what the dead writer recorded in the file.
     */
    public static boolean removeIfAbandoned(Path path, Finisher finisher) {
        if (CLAIMS.putIfAbsent(path, Claim.SWEEPER) != null) return false; // being written here
        FileChannel ch = null;
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) return false; // never open a FIFO or follow a link
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                leak(ch); // locked by this JVM through another path: closing ch would drop that lock
                ch = null;
                return false;
            }
            if (fl == null) return false; // its writer is alive
            FileChannel witness = sameFileAtPath(ch, path);
            if (witness == null) return false; // renamed away meanwhile: nothing to remove
            try (witness) {
                if (finisher != null) finisher.finish(ch);
                Files.deleteIfExists(path); // while still holding the lock
                return true;
            }
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            Log.LOG.debug("could not remove abandoned temp file {}: {}", path, e.toString()); // read-only folder: harmless
            return false;
        } finally {
            if (ch != null) {
                try {
                    ch.close(); // releases the lock
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
            unclaim(path);
        }
    }

    /**
     * Delete the temp files this JVM is writing now (best effort), for a shutdown hook on
     * SIGINT/SIGTERM: the writers are about to die with the JVM.
     * @return how many were deleted
     */
    public static int removeOwn() {
        int n = 0;
        for (Map.Entry<Path, Claim> e : CLAIMS.entrySet()) {
            if (e.getValue() != Claim.WRITER) continue;
            try {
                if (Files.deleteIfExists(e.getKey())) n++;
            } catch (IOException ignored) {
                // best effort: the next writer in that directory removes it once our lock is gone
            }
        }
        return n;
    }

    /** Whether times are set by {@code utimensat} (else by the JDK and the lock taken again). */
    static boolean nativeTimes() {
        return Utimensat.CALL != null;
    }

    /** {@code utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW)} through the FFM API, where allowed. */
    private static final class Utimensat {
        private static final MethodHandle CALL;
        private static final int AT_FDCWD;
        private static final int AT_SYMLINK_NOFOLLOW;
        private static final java.lang.invoke.VarHandle ERRNO =
                Linker.Option.captureStateLayout().varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

        static {
            MethodHandle h = null;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            boolean linux = os.startsWith("linux"), mac = os.startsWith("mac");
            AT_FDCWD = linux ? -100 : -2;
            AT_SYMLINK_NOFOLLOW = linux ? 0x100 : 0x20;
            if ((linux || mac) && ADDRESS.byteSize() == 8) {
                try {
                    Linker linker = Linker.nativeLinker();
                    h = linker.downcallHandle(linker.defaultLookup().findOrThrow("utimensat"),
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
                } catch (RuntimeException e) { // no native access, no symbol
                    Log.LOG.debug("utimensat unavailable, setting times through the JDK: {}", e.toString());
                }
            }
            CALL = h;
        }

        /** Whether the time was set this way. */
        static boolean set(Path path, long nanos) throws IOException {
            if (CALL == null) return false;
            try (Arena a = Arena.ofConfined()) {
                // struct timespec[2] {time_t tv_sec; long tv_nsec}: access time, then modification time
                MemorySegment times = a.allocate(JAVA_LONG, 4);
                long sec = Math.floorDiv(nanos, 1_000_000_000L), ns = Math.floorMod(nanos, 1_000_000_000L);
                times.setAtIndex(JAVA_LONG, 0, sec);
                times.setAtIndex(JAVA_LONG, 1, ns);
                times.setAtIndex(JAVA_LONG, 2, sec);
                times.setAtIndex(JAVA_LONG, 3, ns);
                byte[] name = path.toString().getBytes(System.getProperty("sun.jnu.encoding", "UTF-8"));
                MemorySegment cPath = a.allocate(name.length + 1L);
                MemorySegment.copy(name, 0, cPath, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, name.length);
                MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
                int rc = (int) CALL.invokeExact(state, AT_FDCWD, cPath, times, AT_SYMLINK_NOFOLLOW);
                if (rc != 0) throw new IOException("cannot set the modification time of " + path + ": utimensat failed, errno " + (int) ERRNO.get(state, 0L));
                return true;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("utimensat failed on " + path + ": " + t, t);
            }
        }
    }
}
