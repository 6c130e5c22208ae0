package org.bigarrays.nativ;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
    private static final MethodHandle CREATE_DCTX, DECOMPRESS_DCTX, CREATE_CCTX, CCTX_SET_PARAMETER, COMPRESS2, COMPRESS_BOUND,
            IS_ERROR, GET_ERROR_CODE, GET_ERROR_NAME;
    private static final boolean AVAILABLE;
    /** zstd's default level: fast, and about gzip -6's ratio on image data. */
    static final int LEVEL = 3;
    // zstd.h / zstd_errors.h (stable ABI since 1.4).
    private static final int ZSTD_C_COMPRESSION_LEVEL = 100, ZSTD_C_CHECKSUM_FLAG = 201, ZSTD_ERROR_DST_SIZE_TOO_SMALL = 70;

    static {
        MethodHandle cd = null, dd = null, cc = null, sp = null, c2 = null, cb = null, ie = null, ec = null, en = null;
        boolean ok = false;
        SymbolLookup lib = NativeLibrary.LIBZSTD.symbols().orElse(null);
        if (lib != null) {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option critical = Linker.Option.critical(true);
                ValueLayout size = ValueLayout.JAVA_LONG; // size_t on the 64-bit platforms we support
                java.lang.foreign.AddressLayout ptr = ValueLayout.ADDRESS;
                cd = linker.downcallHandle(lib.findOrThrow("ZSTD_createDCtx"), FunctionDescriptor.of(ptr));
                dd = linker.downcallHandle(lib.findOrThrow("ZSTD_decompressDCtx"), FunctionDescriptor.of(size, ptr, ptr, size, ptr, size), critical);
                cc = linker.downcallHandle(lib.findOrThrow("ZSTD_createCCtx"), FunctionDescriptor.of(ptr));
                sp = linker.downcallHandle(lib.findOrThrow("ZSTD_CCtx_setParameter"), FunctionDescriptor.of(size, ptr, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                c2 = linker.downcallHandle(lib.findOrThrow("ZSTD_compress2"), FunctionDescriptor.of(size, ptr, ptr, size, ptr, size), critical);
                cb = linker.downcallHandle(lib.findOrThrow("ZSTD_compressBound"), FunctionDescriptor.of(size, size), critical);
                ie = linker.downcallHandle(lib.findOrThrow("ZSTD_isError"), FunctionDescriptor.of(ValueLayout.JAVA_INT, size), critical);
                ec = linker.downcallHandle(lib.findOrThrow("ZSTD_getErrorCode"), FunctionDescriptor.of(ValueLayout.JAVA_INT, size), critical);
                en = linker.downcallHandle(lib.findOrThrow("ZSTD_getErrorName"), FunctionDescriptor.of(ptr.withTargetLayout(
                        java.lang.foreign.MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), size));
                ok = true;
            } catch (RuntimeException | LinkageError e) { // a libzstd older than 1.4 (no ZSTD_compress2)
                org.slf4j.LoggerFactory.getLogger(LibZstdBinding.class).warn("libzstd.so.1 lacks a function ({}); zstd uses zstd-jni. Fix: install libzstd >= 1.4", e.toString());
            }
        }
        CREATE_DCTX = cd;
        DECOMPRESS_DCTX = dd;
        CREATE_CCTX = cc;
        CCTX_SET_PARAMETER = sp;
        COMPRESS2 = c2;
        COMPRESS_BOUND = cb;
        IS_ERROR = ie;
        GET_ERROR_CODE = ec;
        GET_ERROR_NAME = en;
        AVAILABLE = ok;
    }

    private static final ConcurrentLinkedQueue<MemorySegment> DCTXS = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<MemorySegment> CCTXS = new ConcurrentLinkedQueue<>();

    private LibZstdBinding() {}

    /** Whether libzstd was loaded. */
    static boolean available() {
        return AVAILABLE;
    }

    private static MemorySegment newDctx() throws Throwable {
        MemorySegment d = (MemorySegment) CREATE_DCTX.invokeExact();
        if (d.address() == 0) throw new OutOfMemoryError("ZSTD_createDCtx failed");
        return d;
    }

    /** A compression context at {@link #LEVEL} writing a content checksum (so damage is detected on read). */
    private static MemorySegment newCctx() throws Throwable {
        MemorySegment c = (MemorySegment) CREATE_CCTX.invokeExact();
        if (c.address() == 0) throw new OutOfMemoryError("ZSTD_createCCtx failed");
        check((long) CCTX_SET_PARAMETER.invokeExact(c, ZSTD_C_COMPRESSION_LEVEL, LEVEL), "ZSTD_CCtx_setParameter(level)");
        check((long) CCTX_SET_PARAMETER.invokeExact(c, ZSTD_C_CHECKSUM_FLAG, 1), "ZSTD_CCtx_setParameter(checksum)");
        return c;
    }

    private static void check(long r, String what) throws Throwable {
        if ((int) IS_ERROR.invokeExact(r) != 0) throw new IllegalStateException(what + ": " + errorName(r));
    }

    private static String errorName(long r) throws Throwable {
        return ((MemorySegment) GET_ERROR_NAME.invokeExact(r)).getString(0);
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
                r = (long) DECOMPRESS_DCTX.invokeExact(d, out, out.byteSize(), in, in.byteSize()); // (dctx, dst, cap, src, size)
            } finally {
                DCTXS.offer(d);
            }
            if ((int) IS_ERROR.invokeExact(r) == 0) {
                if (r < 0 || r > out.byteSize()) throw new IllegalStateException("libzstd reported " + r + " bytes");
                return r;
            }
            if ((int) GET_ERROR_CODE.invokeExact(r) == ZSTD_ERROR_DST_SIZE_TOO_SMALL) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + out.byteSize() + " bytes");
            }
            throw new CorruptChunkException(key, "zstd: " + errorName(r));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The most bytes {@link #compress} can produce for {@code n} input bytes. */
    static long compressBound(long n) {
        try {
            return (long) COMPRESS_BOUND.invokeExact(n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Compress {@code in} into {@code out} (at least {@link #compressBound} bytes) as one frame; returns its size. */
    static long compress(MemorySegment in, MemorySegment out) {
        try {
            MemorySegment c = CCTXS.poll();
            if (c == null) c = newCctx();
            long r;
            try {
                r = (long) COMPRESS2.invokeExact(c, out, out.byteSize(), in, in.byteSize());
            } finally {
                CCTXS.offer(c); // ZSTD_compress2 resets the session on entry; the parameters stay
            }
            check(r, "ZSTD_compress2 of " + in.byteSize() + " bytes");
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
