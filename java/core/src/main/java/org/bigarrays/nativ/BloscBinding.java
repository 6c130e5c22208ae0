package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;

/**
 * Blosc 1 buffers (what BigArrays.jl's {@code blosclz} encoding stores) through the system's
 * {@code libblosc.so.1}, called with FFM. The context functions ({@code _ctx}) keep no global
 * state, so calls from several threads are safe. Sizes come from the 16-byte header, which is
 * checked against the input length before anything is decompressed.
 */
final class BloscBinding {
    private record Handles(MethodHandle decompressCtx, MethodHandle compressCtx, MethodHandle cbufferSizes, MethodHandle listCompressors) {}

    private static final NativeLibrary.Linked<Handles> LINKED = NativeLibrary.BLOSC.link("blosc", "blosc 1.x with the _ctx functions (Debian package libblosc1)", d -> {
        ValueLayout size = ValueLayout.JAVA_LONG, A = ValueLayout.ADDRESS, I = ValueLayout.JAVA_INT;
        return new Handles(
                // int blosc_decompress_ctx(const void *src, void *dest, size_t destsize, int numinternalthreads)
                d.critical("blosc_decompress_ctx", FunctionDescriptor.of(I, A, A, size, I)),
                // int blosc_compress_ctx(int clevel, int doshuffle, size_t typesize, size_t nbytes, const void* src,
                //                        void* dest, size_t destsize, const char* compressor, size_t blocksize, int numinternalthreads)
                d.critical("blosc_compress_ctx", FunctionDescriptor.of(I, I, I, size, size, A, A, size, A, size, I)),
                // void blosc_cbuffer_sizes(const void *cbuffer, size_t *nbytes, size_t *cbytes, size_t *blocksize)
                d.critical("blosc_cbuffer_sizes", FunctionDescriptor.ofVoid(A, A, A, A)),
                // const char *blosc_list_compressors(void): the compressors this build has, comma-separated
                d.critical("blosc_list_compressors", FunctionDescriptor.of(A)));
    });
    // A record's fields are trusted as constants: H.x() in a static final is as fast as a static final handle.
    private static final Handles H = LINKED.handles();

    private static final MemorySegment BLOSCLZ = Arena.global().allocateFrom("blosclz");
    private static final java.util.Map<String, MemorySegment> CNAMES = new java.util.concurrent.ConcurrentHashMap<>();

    private BloscBinding() {}

    static boolean available() {
        return H != null;
    }

    private static void requireLoaded() {
        if (H == null) throw new FormatException(LINKED.error());
    }

    /** Decompress a blosc buffer into {@code out}; returns the bytes produced. */
    static long decompress(MemorySegment in, MemorySegment out, String key) {
        requireLoaded();
        if (in.byteSize() < 16) throw new CorruptChunkException(key, "blosc buffer of " + in.byteSize() + " bytes is shorter than its 16-byte header");
        long[] sizes = new long[3]; // nbytes, cbytes, blocksize
        MemorySegment r = MemorySegment.ofArray(sizes);
        try {
            H.cbufferSizes().invokeExact(in, r, r.asSlice(8), r.asSlice(16));
            long nbytes = sizes[0], cbytes = sizes[1];
            if (cbytes != in.byteSize()) throw new CorruptChunkException(key, "blosc header says " + cbytes + " compressed bytes, found " + in.byteSize());
            if (nbytes > out.byteSize()) throw new CorruptChunkException(key, "blosc data decompresses to " + nbytes + " bytes, more than the chunk's " + out.byteSize());
            int n = (int) H.decompressCtx().invokeExact(in, out, out.byteSize(), 1);
            if (n < 0 || n != nbytes) throw new CorruptChunkException(key, "blosc data is damaged (blosc_decompress_ctx returned " + n + ")");
            return n;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Compress with blosclz, byte shuffle over {@code typeSize}, level 5 (Blosc.jl's defaults). */
    static MemorySegment compress(MemorySegment in, int typeSize) {
        return compress(in, typeSize, "blosclz", 5, 1, 0);
    }

    /**
     * Compress with compressor {@code cname} (one of {@link #compressors()}) at {@code clevel}
     * (0..9), {@code shuffle} 0 none, 1 byte, 2 bit, over {@code typeSize}-byte elements, in
     * blocks of {@code blockSize} bytes (0: blosc chooses).
     */
    static MemorySegment compress(MemorySegment in, int typeSize, String cname, int clevel, int shuffle, long blockSize) {
        requireLoaded();
        long bound = in.byteSize() + 16;
        if (bound > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("blosc 1 buffers are limited to 2 GiB");
        MemorySegment name = CNAMES.computeIfAbsent(cname, n -> Arena.global().allocateFrom(n));
        byte[] out = new byte[(int) bound];
        try {
            int n = (int) H.compressCtx().invokeExact(clevel, shuffle, (long) typeSize, in.byteSize(), in, MemorySegment.ofArray(out),
                    (long) out.length, name, blockSize, 1);
            if (n <= 0) throw new IllegalStateException("blosc_compress_ctx failed (" + n + ") with " + cname + ", clevel " + clevel + ", shuffle " + shuffle);
            return MemorySegment.ofArray(out).asSlice(0, n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static volatile java.util.List<String> compressors; // fixed for the library's lifetime: asked once

    /** The compressors this libblosc was built with ("blosclz,lz4,lz4hc,..." split). */
    static java.util.List<String> compressors() {
        requireLoaded();
        java.util.List<String> c = compressors;
        if (c != null) return c;
        try {
            MemorySegment s = (MemorySegment) H.listCompressors().invokeExact();
            return compressors = java.util.List.of(s.reinterpret(4096).getString(0).split(","));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
