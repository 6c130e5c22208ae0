package org.bigarrays.kvstore;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code flock(2)} on a directory, shared or exclusive, through the FFM API: the one lock that
 * needs no file of its own (a reader of a read-only layer can take it) and is kept per open
 * descriptor, so no other close in this JVM drops it and two threads of one JVM exclude each
 * other like two processes. {@link FileStore} uses it for the moment a key switches names (see
 * its class comment); it is never held across more than a rename and an unlink.
 */
final class DirectoryLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;

    private final int fd;

    private DirectoryLock(int fd) {
        this.fd = fd;
    }

    /** Whether directory locks can be taken here (Linux or macOS, 64-bit, native access allowed). */
    static boolean available() {
        return Libc.OPEN != null;
    }

    /**
     * Lock directory {@code dir}, waiting for a conflicting holder.
     * @return the lock, or null if directory locks are not {@link #available}
     * @throws NoSuchFileException if the directory does not exist
     * @throws AccessDeniedException if it cannot be opened for reading
     */
    static DirectoryLock lock(Path dir, boolean exclusive) throws IOException {
        if (Libc.OPEN == null) return null;
        try (Arena a = Arena.ofConfined()) {
            byte[] name = dir.toString().getBytes(System.getProperty("sun.jnu.encoding", "UTF-8"));
            MemorySegment cPath = a.allocate(name.length + 1L);
            MemorySegment.copy(name, 0, cPath, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, name.length);
            MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
            int fd;
            do {
                fd = (int) Libc.OPEN.invokeExact(state, cPath, Libc.O_RDONLY_CLOEXEC, 0);
            } while (fd < 0 && errno(state) == EINTR);
            if (fd < 0) {
                int e = errno(state);
                if (e == ENOENT) throw new NoSuchFileException(dir.toString());
                if (e == EACCES) throw new AccessDeniedException(dir.toString());
                throw new IOException("cannot open directory " + dir + " to lock it: errno " + e);
            }
            int rc;
            do {
                rc = (int) Libc.FLOCK.invokeExact(state, fd, exclusive ? LOCK_EX : LOCK_SH);
            } while (rc != 0 && errno(state) == EINTR);
            if (rc != 0) {
                int e = errno(state);
                int ignored = (int) Libc.CLOSE.invokeExact(state, fd);
                throw new IOException("cannot lock directory " + dir + ": flock failed, errno " + e);
            }
            return new DirectoryLock(fd);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("cannot lock directory " + dir + ": " + t, t);
        }
    }

    /** Unlock (closing the descriptor releases the flock). */
    @Override
    public void close() {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) Libc.CLOSE.invokeExact(a.allocate(Linker.Option.captureStateLayout()), fd);
        } catch (Throwable t) {
            LOG.debug("could not close a directory lock: {}", t.toString());
        }
    }

    private static int errno(MemorySegment state) {
        return (int) Libc.ERRNO.get(state, 0L);
    }

    /** {@code open}, {@code flock}, {@code close} from the C library, where native calls are allowed. */
    private static final class Libc {
        static final MethodHandle OPEN;
        static final MethodHandle FLOCK;
        static final MethodHandle CLOSE;
        static final int O_RDONLY_CLOEXEC;
        static final VarHandle ERRNO = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));

        static {
            MethodHandle open = null, flock = null, close = null;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            boolean linux = os.startsWith("linux"), mac = os.startsWith("mac");
            O_RDONLY_CLOEXEC = linux ? 0x80000 : 0x1000000; // O_RDONLY is 0; O_CLOEXEC differs
            if ((linux || mac) && ADDRESS.byteSize() == 8) {
                try {
                    Linker linker = Linker.nativeLinker();
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    // open(const char *path, int flags, ...): the mode is variadic
                    open = linker.downcallHandle(linker.defaultLookup().findOrThrow("open"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                            errno, Linker.Option.firstVariadicArg(2));
                    flock = linker.downcallHandle(linker.defaultLookup().findOrThrow("flock"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
                    close = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
                } catch (RuntimeException e) { // no native access, no symbol
                    LOG.debug("flock unavailable: {}", e.toString());
                    open = flock = close = null;
                }
            }
            OPEN = open;
            FLOCK = flock;
            CLOSE = close;
        }
    }
}
