package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The bare C libraries, for the harness's limits: libdeflate and libzstd called straight through
 * FFM with one context each (made once), between off-heap buffers the caller reuses; no pipeline,
 * no pools, no checks beyond the library's return value. Not thread-safe (one per thread).
 */
final class BareCodecs {
    private static final Linker L = Linker.nativeLinker();
    private static final ValueLayout SZ = ValueLayout.JAVA_LONG;
    private static final ValueLayout P = ValueLayout.ADDRESS;
    private final MethodHandle decode, encode;
    private final MemorySegment dctx, cctx;
    private final boolean gzip;
    private final MemorySegment actualOut = Arena.global().allocate(8); // libdeflate's actual_out_nbytes: chunks at the volume's edge are smaller

    /** @param encoding gzip (libdeflate, level 6) or zstd (libzstd, level 3 with checksum: what BigArrays writes) */
    static BareCodecs of(String encoding) throws Exception {
        try {
            return new BareCodecs(encoding);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private BareCodecs(String encoding) throws Throwable {
        gzip = encoding.equals("gzip");
        Arena g = Arena.global();
        if (gzip) {
            SymbolLookup lib = SymbolLookup.libraryLookup("libdeflate.so.0", g);
            decode = L.downcallHandle(lib.findOrThrow("libdeflate_gzip_decompress"), FunctionDescriptor.of(ValueLayout.JAVA_INT, P, P, SZ, P, SZ, P));
            encode = L.downcallHandle(lib.findOrThrow("libdeflate_gzip_compress"), FunctionDescriptor.of(SZ, P, P, SZ, P, SZ));
            dctx = (MemorySegment) L.downcallHandle(lib.findOrThrow("libdeflate_alloc_decompressor"), FunctionDescriptor.of(P)).invokeExact();
            cctx = (MemorySegment) L.downcallHandle(lib.findOrThrow("libdeflate_alloc_compressor"), FunctionDescriptor.of(P, ValueLayout.JAVA_INT)).invokeExact(6);
        } else {
            SymbolLookup lib = SymbolLookup.libraryLookup("libzstd.so.1", g);
            decode = L.downcallHandle(lib.findOrThrow("ZSTD_decompressDCtx"), FunctionDescriptor.of(SZ, P, P, SZ, P, SZ));
            encode = L.downcallHandle(lib.findOrThrow("ZSTD_compress2"), FunctionDescriptor.of(SZ, P, P, SZ, P, SZ));
            dctx = (MemorySegment) L.downcallHandle(lib.findOrThrow("ZSTD_createDCtx"), FunctionDescriptor.of(P)).invokeExact();
            cctx = (MemorySegment) L.downcallHandle(lib.findOrThrow("ZSTD_createCCtx"), FunctionDescriptor.of(P)).invokeExact();
            MethodHandle set = L.downcallHandle(lib.findOrThrow("ZSTD_CCtx_setParameter"), FunctionDescriptor.of(SZ, P, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            long r1 = (long) set.invokeExact(cctx, 100, 3); // ZSTD_c_compressionLevel
            long r2 = (long) set.invokeExact(cctx, 201, 1); // ZSTD_c_checksumFlag
            if (r1 < 0 || r2 < 0) throw new IllegalStateException("ZSTD_CCtx_setParameter");
        }
    }

    /** Decode {@code in} into {@code out}; returns the bytes produced. */
    long decode(MemorySegment in, MemorySegment out) {
        try {
            return decodeOrThrow(in, out);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private long decodeOrThrow(MemorySegment in, MemorySegment out) throws Throwable {
        if (gzip) {
            int r = (int) decode.invokeExact(dctx, in, in.byteSize(), out, out.byteSize(), actualOut);
            if (r != 0) throw new IllegalStateException("libdeflate " + r);
            return actualOut.get(ValueLayout.JAVA_LONG, 0);
        }
        long n = (long) decode.invokeExact(dctx, out, out.byteSize(), in, in.byteSize());
        if (n < 0) throw new IllegalStateException("ZSTD_decompressDCtx error " + n);
        return n;
    }

    /** Encode {@code in} into {@code out} (large enough); returns the encoded size. */
    long encode(MemorySegment in, MemorySegment out) {
        try {
            return encodeOrThrow(in, out);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private long encodeOrThrow(MemorySegment in, MemorySegment out) throws Throwable {
        long n = gzip ? (long) encode.invokeExact(cctx, in, in.byteSize(), out, out.byteSize())
                : (long) encode.invokeExact(cctx, out, out.byteSize(), in, in.byteSize());
        if (n <= 0) throw new IllegalStateException(gzip ? "libdeflate_gzip_compress" : "ZSTD_compress2 error " + n);
        return n;
    }
}
