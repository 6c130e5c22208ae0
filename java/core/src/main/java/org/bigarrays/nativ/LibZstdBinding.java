package org.bigarrays.nativ;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bigarrays.CorruptChunkException;

/**
 * zstd through the system's libzstd ({@code libzstd.so.1}), called directly with FFM. Downcalls
 * are {@code critical(true)}: heap and off-heap segments go to the library without a copy, and a
 * chunk is decoded straight into the caller's buffer. Contexts ({@code ZSTD_DCtx}, {@code ZSTD_CCtx})
 * are reused through queues, as in {@link LibDeflateBinding}: a context costs a few hundred kB to
 * set up, and chunk tasks run on virtual threads (a ThreadLocal per virtual thread would leak).
 * {@link #available()} is false when the library is off or cannot be loaded (see {@link NativeLibrary}).
 */
final class LibZstdBinding {
    /** zstd's default level: fast, and about gzip -6's ratio on image data. */
    static final int LEVEL = 3;
    // zstd.h / zstd_errors.h (stable ABI since 1.4).
    private static final int ZSTD_C_COMPRESSION_LEVEL = 100, ZSTD_C_CHECKSUM_FLAG = 201, ZSTD_ERROR_DST_SIZE_TOO_SMALL = 70;

    private record Handles(MethodHandle createDctx, MethodHandle decompressDctx, MethodHandle createCctx, MethodHandle cctxSetParameter,
                           MethodHandle compress2, MethodHandle compressBound, MethodHandle isError, MethodHandle getErrorCode,
                           MethodHandle getErrorName) {}

    private static final NativeLibrary.Linked<Handles> LINKED = NativeLibrary.LIBZSTD.link("zstd", "libzstd 1.4 or newer", d -> {
        ValueLayout size = ValueLayout.JAVA_LONG; // size_t on the 64-bit platforms we support
        AddressLayout ptr = ValueLayout.ADDRESS;
        return new Handles(
                d.plain("ZSTD_createDCtx", FunctionDescriptor.of(ptr)),
                d.critical("ZSTD_decompressDCtx", FunctionDescriptor.of(size, ptr, ptr, size, ptr, size)),
                d.plain("ZSTD_createCCtx", FunctionDescriptor.of(ptr)),
                d.plain("ZSTD_CCtx_setParameter", FunctionDescriptor.of(size, ptr, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                d.critical("ZSTD_compress2", FunctionDescriptor.of(size, ptr, ptr, size, ptr, size)),
                d.critical("ZSTD_compressBound", FunctionDescriptor.of(size, size)),
                d.critical("ZSTD_isError", FunctionDescriptor.of(ValueLayout.JAVA_INT, size)),
                d.critical("ZSTD_getErrorCode", FunctionDescriptor.of(ValueLayout.JAVA_INT, size)),
                d.plain("ZSTD_getErrorName", FunctionDescriptor.of(ptr.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), size)));
    });
    // A record's fields are trusted as constants: H.x() in a static final is as fast as a static final handle.
    private static final Handles H = LINKED.handles();

    private static final ConcurrentLinkedQueue<MemorySegment> DCTXS = new ConcurrentLinkedQueue<>();
    // Compression contexts by level: a context keeps its parameters across frames.
    private static final ConcurrentHashMap<Integer, ConcurrentLinkedQueue<MemorySegment>> CCTXS = new ConcurrentHashMap<>();

    private LibZstdBinding() {}

    /** Whether libzstd was loaded. */
    static boolean available() {
        return H != null;
    }

    private static MemorySegment newDctx() throws Throwable {
        MemorySegment d = (MemorySegment) H.createDctx().invokeExact();
        if (d.address() == 0) throw new OutOfMemoryError("ZSTD_createDCtx failed");
        return d;
    }

    /** A compression context at {@code level} writing a content checksum (so damage is detected on read). */
    private static MemorySegment newCctx(int level) throws Throwable {
        MemorySegment c = (MemorySegment) H.createCctx().invokeExact();
        if (c.address() == 0) throw new OutOfMemoryError("ZSTD_createCCtx failed");
        check((long) H.cctxSetParameter().invokeExact(c, ZSTD_C_COMPRESSION_LEVEL, level), "ZSTD_CCtx_setParameter(level " + level + ")");
        check((long) H.cctxSetParameter().invokeExact(c, ZSTD_C_CHECKSUM_FLAG, 1), "ZSTD_CCtx_setParameter(checksum)");
        return c;
    }

    private static void check(long r, String what) throws Throwable {
        if ((int) H.isError().invokeExact(r) != 0) throw new IllegalStateException(what + ": " + errorName(r));
    }

    private static String errorName(long r) throws Throwable {
        return ((MemorySegment) H.getErrorName().invokeExact(r)).getString(0);
    }

    /**
     * Decompress the zstd frame(s) {@code in} into {@code out}; returns the bytes produced. A
     * context whose call failed is not reused: {@code ZSTD_decompressDCtx} starts each call afresh anyway.
     */
    static long decompress(MemorySegment in, MemorySegment out, String key) {
        try {
            MemorySegment d = DCTXS.poll();
            if (d == null) d = newDctx();
            long r;
            try {
                r = (long) H.decompressDctx().invokeExact(d, out, out.byteSize(), in, in.byteSize()); // (dctx, dst, cap, src, size)
            } finally {
                DCTXS.offer(d);
            }
            if ((int) H.isError().invokeExact(r) == 0) {
                if (r < 0 || r > out.byteSize()) throw new IllegalStateException("libzstd reported " + r + " bytes");
                return r;
            }
            if ((int) H.getErrorCode().invokeExact(r) == ZSTD_ERROR_DST_SIZE_TOO_SMALL) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + out.byteSize() + " bytes");
            }
            throw new CorruptChunkException(key, "zstd: " + errorName(r));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The most bytes {@link #compress} can produce for {@code n} input bytes. */
    static long compressBound(long n) {
        try {
            return (long) H.compressBound().invokeExact(n);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Compress {@code in} at {@code level} into {@code out} (at least {@link #compressBound} bytes) as one frame; returns its size. */
    static long compress(MemorySegment in, MemorySegment out, int level) {
        try {
            ConcurrentLinkedQueue<MemorySegment> pool = CCTXS.computeIfAbsent(level, l -> new ConcurrentLinkedQueue<>());
            MemorySegment c = pool.poll();
            if (c == null) c = newCctx(level);
            long r;
            try {
                r = (long) H.compress2().invokeExact(c, out, out.byteSize(), in, in.byteSize());
            } finally {
                pool.offer(c); // ZSTD_compress2 resets the session on entry; the parameters stay
            }
            check(r, "ZSTD_compress2 of " + in.byteSize() + " bytes");
            return r;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
