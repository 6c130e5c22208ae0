package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bigarrays.CorruptChunkException;

/**
 * JPEG through the system's TurboJPEG ({@code libturbojpeg.so.0}, TurboJPEG 2 API) called with
 * FFM. Gray images decode straight into the caller's buffer; RGB goes through an interleaved
 * scratch buffer. Handles are not thread-safe: each call takes one from a queue and puts it back,
 * unless the call failed: a handle that has seen an error can fail on the next, valid image
 * ("Bogus Huffman table definition" after a damaged one), so it is destroyed instead.
 * {@link #available()} is false when the library is off or cannot be loaded (see {@link NativeLibrary}).
 */
final class TurboJpegBinding {
    static final int PF_RGB = 0, PF_GRAY = 6;
    static final int SAMP_420 = 2, SAMP_GRAY = 3;
    private static final int CS_GRAY = 2;
    private static final int FLAG_NOREALLOC = 1024;

    private record Handles(MethodHandle initDecompress, MethodHandle decompressHeader3, MethodHandle decompress2, MethodHandle initCompress,
                           MethodHandle compress2, MethodHandle bufSize, MethodHandle errorStr2, MethodHandle destroy) {}

    private static final NativeLibrary.Linked<Handles> LINKED = NativeLibrary.TURBOJPEG.link("jpeg", "libjpeg-turbo 2.0 or newer", d -> {
        ValueLayout A = ValueLayout.ADDRESS, I = ValueLayout.JAVA_INT, UL = ValueLayout.JAVA_LONG;
        return new Handles(
                d.plain("tjInitDecompress", FunctionDescriptor.of(A)),
                // int tjDecompressHeader3(tjhandle, const unsigned char*, unsigned long, int*, int*, int*, int*)
                d.critical("tjDecompressHeader3", FunctionDescriptor.of(I, A, A, UL, A, A, A, A)),
                // int tjDecompress2(tjhandle, const unsigned char*, unsigned long, unsigned char*, int width, int pitch, int height, int pf, int flags)
                d.critical("tjDecompress2", FunctionDescriptor.of(I, A, A, UL, A, I, I, I, I, I)),
                d.plain("tjInitCompress", FunctionDescriptor.of(A)),
                // int tjCompress2(tjhandle, const unsigned char*, int w, int pitch, int h, int pf, unsigned char**, unsigned long*, int samp, int q, int flags)
                d.critical("tjCompress2", FunctionDescriptor.of(I, A, A, I, I, I, I, A, A, I, I, I)),
                d.plain("tjBufSize", FunctionDescriptor.of(UL, I, I, I)),
                d.plain("tjGetErrorStr2", FunctionDescriptor.of(A, A)),
                d.plain("tjDestroy", FunctionDescriptor.of(I, A)));
    });
    // A record's fields are trusted as constants: H.x() in a static final is as fast as a static final handle.
    private static final Handles H = LINKED.handles();

    // Reused through queues, not ThreadLocals (chunk tasks run on virtual threads).
    private static final ConcurrentLinkedQueue<MemorySegment> DECOMPRESSORS = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<MemorySegment> COMPRESSORS = new ConcurrentLinkedQueue<>();

    private TurboJpegBinding() {}

    static boolean available() {
        return H != null;
    }

    private static MemorySegment init(MethodHandle h) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact();
            if (s.address() == 0) throw new OutOfMemoryError("TurboJPEG handle allocation failed");
            return s;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Back to {@code pool} after a clean call; destroyed after a failed one (its state is not to be trusted). */
    private static void release(ConcurrentLinkedQueue<MemorySegment> pool, MemorySegment h, boolean clean) {
        if (clean) {
            pool.offer(h);
            return;
        }
        try {
            int ignored = (int) H.destroy().invokeExact(h);
        } catch (Throwable t) {
            // a handle that cannot be destroyed is leaked, never reused
        }
    }

    private static String error(MemorySegment handle) {
        try {
            MemorySegment s = (MemorySegment) H.errorStr2().invokeExact(handle);
            return s.address() == 0 ? "unknown error" : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }

    /**
     * Decode a jpeg of exactly {@code width x height} pixels with {@code channels} (1 gray, 3 RGB)
     * into {@code out}, pixel-interleaved, {@code width * channels} bytes per row.
     */
    static void decode(MemorySegment jpeg, int width, int height, int channels, MemorySegment out, String key) {
        MemorySegment h = DECOMPRESSORS.poll();
        if (h == null) h = init(H.initDecompress());
        boolean ok = false;
        try {
            decode(h, jpeg, width, height, channels, out, key);
            ok = true;
        } finally {
            release(DECOMPRESSORS, h, ok);
        }
    }

    private static void decode(MemorySegment h, MemorySegment jpeg, int width, int height, int channels, MemorySegment out, String key) {
        int[] hdr = new int[4]; // width, height, subsampling, colorspace
        MemorySegment hs = MemorySegment.ofArray(hdr);
        try {
            int r = (int) H.decompressHeader3().invokeExact(h, jpeg, jpeg.byteSize(), hs, hs.asSlice(4), hs.asSlice(8), hs.asSlice(12));
            if (r != 0) throw new CorruptChunkException(key, "jpeg header: " + error(h));
            if (hdr[0] != width || hdr[1] != height) {
                throw new CorruptChunkException(key, "jpeg image is " + hdr[0] + "x" + hdr[1] + ", expected " + width + "x" + height);
            }
            boolean gray = hdr[3] == CS_GRAY;
            if (gray != (channels == 1)) {
                throw new CorruptChunkException(key, "jpeg image has " + (gray ? 1 : 3) + " channels, expected " + channels);
            }
            long need = (long) width * height * channels;
            if (out.byteSize() < need) throw new IllegalArgumentException("output buffer too small");
            r = (int) H.decompress2().invokeExact(h, jpeg, jpeg.byteSize(), out, width, width * channels, height, channels == 1 ? PF_GRAY : PF_RGB, 0);
            if (r != 0) throw new CorruptChunkException(key, "jpeg data is damaged: " + error(h));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Encode pixel-interleaved {@code pixels} at {@code quality} (4:2:0 for RGB). */
    static MemorySegment encode(MemorySegment pixels, int width, int height, int channels, int quality) {
        MemorySegment h = COMPRESSORS.poll();
        if (h == null) h = init(H.initCompress());
        boolean ok = false;
        try {
            MemorySegment out = encode(h, pixels, width, height, channels, quality);
            ok = true;
            return out;
        } finally {
            release(COMPRESSORS, h, ok);
        }
    }

    private static MemorySegment encode(MemorySegment h, MemorySegment pixels, int width, int height, int channels, int quality) {
        int samp = channels == 1 ? SAMP_GRAY : SAMP_420;
        try (Arena a = Arena.ofConfined()) {
            long bound = (long) H.bufSize().invokeExact(width, height, samp);
            MemorySegment buf = a.allocate(bound);
            MemorySegment bufPtr = a.allocate(ValueLayout.ADDRESS);
            bufPtr.set(ValueLayout.ADDRESS, 0, buf);
            MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
            size.set(ValueLayout.JAVA_LONG, 0, bound);
            int r = (int) H.compress2().invokeExact(h, pixels, width, width * channels, height, channels == 1 ? PF_GRAY : PF_RGB,
                    bufPtr, size, samp, quality, FLAG_NOREALLOC);
            if (r != 0) throw new IllegalStateException("jpeg encoding failed: " + error(h));
            long n = size.get(ValueLayout.JAVA_LONG, 0);
            if (n <= 0 || n > bound) throw new IllegalStateException("TurboJPEG reported " + n + " bytes");
            return MemorySegment.ofArray(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
