package org.bigarrays.nativ;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bigarrays.CorruptChunkException;

/**
 * gzip through the system's libdeflate ({@code libdeflate.so.0}), called directly with FFM.
 * libdeflate decodes a whole buffer at once, about twice as fast as zlib. Downcalls are
 * {@code critical(true)}, so heap and off-heap segments are passed without copying. The
 * (de)compressor objects are not thread-safe: each call takes one from a queue and puts it back.
 * {@link #available()} is false when the library is off or cannot be loaded (see {@link NativeLibrary}).
 */
final class LibDeflateBinding {
    /** The level used for writing: 6, zlib's default, so sizes are comparable with CloudVolume's. */
    static final int LEVEL = 6;

    private record Handles(MethodHandle allocDecompressor, MethodHandle gzipDecompressEx, MethodHandle allocCompressor,
                           MethodHandle gzipCompress, MethodHandle gzipCompressBound) {}

    private static final NativeLibrary.Linked<Handles> LINKED = NativeLibrary.LIBDEFLATE.link("gzip", "libdeflate 1.0 or newer", d -> {
        ValueLayout size = ValueLayout.JAVA_LONG; // size_t on the 64-bit platforms we support
        AddressLayout ptr = ValueLayout.ADDRESS;
        return new Handles(
                d.plain("libdeflate_alloc_decompressor", FunctionDescriptor.of(ptr)),
                d.critical("libdeflate_gzip_decompress_ex", FunctionDescriptor.of(ValueLayout.JAVA_INT, ptr, ptr, size, ptr, size, ptr, ptr)),
                d.plain("libdeflate_alloc_compressor", FunctionDescriptor.of(ptr, ValueLayout.JAVA_INT)),
                d.critical("libdeflate_gzip_compress", FunctionDescriptor.of(size, ptr, ptr, size, ptr, size)),
                d.plain("libdeflate_gzip_compress_bound", FunctionDescriptor.of(size, ptr, size)));
    });
    // A record's fields are trusted as constants: H.x() in a static final is as fast as a static final handle.
    private static final Handles H = LINKED.handles();

    // Handles are reused through queues, not ThreadLocals: chunk tasks run on virtual threads, and a
    // handle per virtual thread would leak. The queues hold at most as many handles as calls ever overlapped.
    private static final ConcurrentLinkedQueue<MemorySegment> DECOMPRESSORS = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<Compressor> COMPRESSORS = new ConcurrentLinkedQueue<>();

    /**
     * A libdeflate compressor with an off-heap scratch buffer it compresses into: the bound (the
     * chunk's size and a bit) is not allocated and zeroed per chunk (for 2 MiB chunks a humongous
     * heap allocation each), only the exact result is copied out.
     */
    private static final class Compressor {
        final MemorySegment handle = newCompressor();
        private MemorySegment scratch = MemorySegment.NULL;

        MemorySegment scratch(long bytes) {
            if (scratch.byteSize() < bytes) scratch = Arena.ofAuto().allocate(Math.max(bytes, 64 << 10), 64);
            return scratch.asSlice(0, bytes);
        }
    }

    private static MemorySegment newDecompressor() {
        try {
            MemorySegment d = (MemorySegment) H.allocDecompressor().invokeExact();
            if (d.address() == 0) throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
            return d;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static MemorySegment newCompressor() {
        try {
            MemorySegment c = (MemorySegment) H.allocCompressor().invokeExact(LEVEL);
            if (c.address() == 0) throw new OutOfMemoryError("libdeflate_alloc_compressor failed");
            return c;
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private LibDeflateBinding() {}

    /** Whether libdeflate was loaded. */
    static boolean available() {
        return H != null;
    }

    /** Gunzip {@code in} into {@code out}; returns the bytes produced. */
    static long decompress(MemorySegment in, MemorySegment out, String key) {
        long[] sizes = new long[2]; // actual_in, actual_out
        MemorySegment ret = MemorySegment.ofArray(sizes);
        int r;
        MemorySegment d = DECOMPRESSORS.poll();
        if (d == null) d = newDecompressor();
        try {
            r = (int) H.gzipDecompressEx().invokeExact(d, in, in.byteSize(), out, out.byteSize(),
                    ret, ret.asSlice(8));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        } finally {
            DECOMPRESSORS.offer(d);
        }
        return switch (r) {
            case 0 -> {
                if (sizes[1] < 0 || sizes[1] > out.byteSize()) throw new IllegalStateException("libdeflate reported " + sizes[1] + " bytes");
                // One member, nothing after it: trailing bytes mean the value is not (only) this gzip stream.
                if (sizes[0] != in.byteSize()) throw new CorruptChunkException(key, "gzip stream ends at byte " + sizes[0] + " of " + in.byteSize() + ": trailing bytes");
                yield sizes[1];
            }
            case 1 -> throw new CorruptChunkException(key, "gzip data is damaged (bad deflate stream, CRC-32 or length)");
            case 3 -> throw new CorruptChunkException(key, "gzip data inflates to more than the chunk's " + out.byteSize() + " bytes");
            default -> throw new CorruptChunkException(key, "gzip data could not be decompressed (libdeflate result " + r + ")");
        };
    }

    /** Gzip {@code in} at level {@link #LEVEL}. */
    static MemorySegment compress(MemorySegment in) {
        Compressor comp = COMPRESSORS.poll();
        if (comp == null) comp = new Compressor();
        MemorySegment c = comp.handle;
        try {
            long bound = (long) H.gzipCompressBound().invokeExact(c, in.byteSize());
            if (bound > Integer.MAX_VALUE - 64) { // past a Java array's reach: an off-heap buffer the garbage collector frees
                MemorySegment out = Arena.ofAuto().allocate(bound);
                long n = (long) H.gzipCompress().invokeExact(c, in, in.byteSize(), out, out.byteSize());
                if (n <= 0 || n > out.byteSize()) throw new IllegalStateException("libdeflate_gzip_compress failed for " + in.byteSize() + " bytes");
                return out.asSlice(0, n);
            }
            MemorySegment out = comp.scratch(bound);
            long n = (long) H.gzipCompress().invokeExact(c, in, in.byteSize(), out, out.byteSize());
            if (n <= 0 || n > out.byteSize()) throw new IllegalStateException("libdeflate_gzip_compress failed for " + in.byteSize() + " bytes");
            return MemorySegment.ofArray(out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        } finally {
            COMPRESSORS.offer(comp);
        }
    }
}
