package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ScatterRead} through the C library: {@code open}, {@code statx} (type and size of the
 * open file), one {@code preadv} per group of spans with one iovec per span (and one per gap, into
 * scratch memory), {@code close}. Linux on 64-bit only (the {@code statx} and {@code iovec}
 * layouts); off with the other native paths ({@code BIGARRAYS_NATIVE=0}) or alone
 * ({@code BIGARRAYS_NATIVE_LIBC=0}), then {@link JavaScatterRead} reads. Destinations on the Java
 * heap (whose addresses cannot go into an iovec) are read by the twin too.
 */
public final class LibcScatterRead implements ScatterRead {
    private static final Logger LOG = LoggerFactory.getLogger(LibcScatterRead.class);

    static final LibcScatterRead INSTANCE = new LibcScatterRead();

    private static final int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000; // the same on x86-64 and arm64
    private static final int AT_EMPTY_PATH = 0x1000, STATX_TYPE = 0x1, STATX_SIZE = 0x200;
    private static final int EINTR = 4;
    private static final long STATX_BYTES = 256, STX_MODE = 28, STX_SIZE = 40; // struct statx: the same on every architecture
    private static final int S_IFMT = 0170000, S_IFREG = 0100000;

    private static final MethodHandle OPEN, STATX, PREADV, PREAD, CLOSE;
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Whether the calls linked and native calls are on. */
    static final boolean AVAILABLE;

    static {
        MethodHandle open = null, statx = null, preadv = null, pread = null, close = null;
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
        if (linux && ADDRESS.byteSize() == 8 && NativeLibrary.enabled("libc")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                // open(const char *path, int flags, ...): the mode is variadic
                open = linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                        errno, Linker.Option.firstVariadicArg(2));
                statx = linker.downcallHandle(libc.findOrThrow("statx"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
                preadv = linker.downcallHandle(libc.findOrThrow("preadv"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), errno);
                pread = linker.downcallHandle(libc.findOrThrow("pread"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), errno);
                close = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            } catch (RuntimeException | LinkageError e) { // no native access, an old C library without statx
                LOG.debug("scatter reads through libc unavailable, using FileChannel: {}", e.toString());
                open = statx = preadv = pread = close = null;
            }
        }
        OPEN = open;
        STATX = statx;
        PREADV = preadv;
        PREAD = pread;
        CLOSE = close;
        AVAILABLE = close != null;
    }

    private LibcScatterRead() {}

    /** Whether this implementation can run here (tests compare it with the twin). */
    public static boolean available() {
        return AVAILABLE;
    }

    /** The instance, for tests; {@link ScatterRead#get()} chooses. */
    public static ScatterRead instance() {
        if (!AVAILABLE) throw new IllegalStateException("scatter reads through libc are unavailable here");
        return INSTANCE;
    }

    @Override
    public boolean read(Path path, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) throws IOException {
        if (!dst.isNative() || !head.isNative()) return JavaScatterRead.INSTANCE.read(path, expectedSize, dst, spans, count, head);
        ScatterRead.check(expectedSize, dst, spans, count, head);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
            // Non-blocking: a FIFO put there must not hang the open (it is refused below, not a regular file).
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path.toString()), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd < 0) return false; // absent or unreadable: the ordinary read says which
            try {
                MemorySegment stx = a.allocate(STATX_BYTES, 8);
                int rc = (int) STATX.invokeExact(fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, stx);
                if (rc != 0 || (stx.get(JAVA_SHORT, STX_MODE) & S_IFMT) != S_IFREG || stx.get(JAVA_LONG, STX_SIZE) != expectedSize) return false;
                long gap = ScatterRead.largestGap(spans, count);
                long sink = gap > 0 ? a.allocate(gap, 64).address() : 0;
                MemorySegment iov = a.allocate(16L * IOV_MAX, 8);
                long[] pieces = new long[2 * IOV_MAX];
                long base = dst.address();
                for (int from = 0; from < count; ) {
                    int to = ScatterRead.groupEnd(spans, from, count);
                    readGroup(fd, path, iov, pieces, base, sink, spans, from, to, state);
                    from = to;
                }
                long h = Math.min(head.byteSize(), expectedSize);
                for (long got = 0; got < h; ) {
                    long n = (long) PREAD.invokeExact(state, fd, head.asSlice(got), h - got, got);
                    if (n == 0) throw JavaScatterRead.shrank(path);
                    if (n < 0) {
                        int e = (int) ERRNO.get(state, 0L);
                        if (e != EINTR) throw new IOException("pread of " + path + " failed: errno " + e);
                        continue;
                    }
                    got += n;
                }
                return true;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd); // read-only: nothing to lose on close
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * One group's spans (and the gaps between them, into {@code sink}) with preadv, again after a
     * short read. The iovecs are built in {@code pieces} and copied into {@code iov} at once: a
     * plain array is fast before the JIT compiles this (a one-chunk cutout), segment accesses are not.
     */
    private static void readGroup(int fd, Path path, MemorySegment iov, long[] pieces, long base, long sink, long[] spans, int from, int to,
                                  MemorySegment state) throws Throwable {
        int n = 0;
        long total = 0;
        for (int i = from; i < to; i++) {
            if (i > from) {
                long gap = spans[3 * i] - (spans[3 * (i - 1)] + spans[3 * (i - 1) + 2]);
                if (gap > 0) {
                    pieces[2 * n] = sink;
                    pieces[2 * n + 1] = gap;
                    n++;
                }
                total += gap;
            }
            pieces[2 * n] = base + spans[3 * i + 1];
            pieces[2 * n + 1] = spans[3 * i + 2];
            n++;
            total += spans[3 * i + 2];
        }
        MemorySegment.copy(pieces, 0, iov, JAVA_LONG, 0, 2 * n);
        long pos = spans[3 * from];
        int k = 0;
        while (total > 0) {
            long got = (long) PREADV.invokeExact(state, fd, iov.asSlice(16L * k), n - k, pos);
            if (got == 0) throw JavaScatterRead.shrank(path);
            if (got < 0) {
                int e = (int) ERRNO.get(state, 0L);
                if (e != EINTR) throw new IOException("preadv of " + path + " failed: errno " + e);
                continue;
            }
            pos += got;
            total -= got;
            // Skip the pieces read whole; shorten the one read in part.
            while (got > 0) {
                long len = iov.get(JAVA_LONG, 16L * k + 8);
                if (got >= len) {
                    got -= len;
                    k++;
                } else {
                    iov.set(JAVA_LONG, 16L * k, iov.get(JAVA_LONG, 16L * k) + got);
                    iov.set(JAVA_LONG, 16L * k + 8, len - got);
                    got = 0;
                }
            }
        }
    }

    @Override
    public String name() {
        return "native";
    }
}
