package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * PNG through libspng, called from libbigarrays' {@code ba_png_*} (which loads
 * {@code libspng.so.0} itself, so libbigarrays needs no libspng to load). Used by the png codec
 * when {@link #available()}: libbigarrays loaded, libspng found, and neither switched off
 * ({@code BIGARRAYS_NATIVE=0}, or {@code BIGARRAYS_NATIVE_LIBSPNG=0} /
 * {@code -Dbigarrays.native.libspng=false} for this path alone); else the codec uses ImageIO, its
 * twin. Each call is one downcall that checks every size in C (a plain one when every segment is
 * off-heap, so that a call of milliseconds does not hold the JVM's safepoints). Thread-safe.
 */
public final class Spng {
    private Spng() {}

    /** The per-path setting: {@code bigarrays.native.libspng}, {@code BIGARRAYS_NATIVE_LIBSPNG}. */
    static final String KEY = "libspng";

    private static final class Probe {
        static final String LIBRARY = probe();
    }

    private static final class WholeProbe {
        static final boolean AVAILABLE = Probe.LIBRARY != null && NativeLibrary.enabled(NativeLibrary.LIBDEFLATE.key()) && probeWhole();
    }

    /** Whether libbigarrays has ba_png_decode_libdeflate and could load libdeflate.so.0. */
    private static boolean probeWhole() {
        try {
            return LibBigArrays.pngLibdeflateAvailable() == 1;
        } catch (RuntimeException | LinkageError e) { // an older libbigarrays: libspng alone
            return false;
        }
    }

    /** libspng's version when usable, else null. */
    private static String probe() {
        if (!NativeLibrary.enabled(KEY) || !NativeLibrary.BIGARRAYS.isLoaded()) return null;
        try {
            return LibBigArrays.pngAvailable() == 1 ? LibBigArrays.pngLibrary() : null;
        } catch (RuntimeException | LinkageError e) { // an older libbigarrays without ba_png_*: the twin
            return null;
        }
    }

    /** Whether png runs through libspng. */
    public static boolean available() {
        return Probe.LIBRARY != null;
    }

    /** What {@code bigarrays version} prints: {@code loaded (libspng 0.7.3, through libbigarrays)}, or why not. */
    public static String status() {
        if (Probe.LIBRARY != null) {
            return "loaded (libspng " + Probe.LIBRARY + ", through libbigarrays" + (WholeProbe.AVAILABLE ? "; reads inflate through libdeflate)" : ")");
        }
        if (!NativeLibrary.enabled(KEY)) return NativeLibrary.disabledStatus(KEY) + "; png uses ImageIO";
        if (!NativeLibrary.BIGARRAYS.isLoaded()) return "unavailable (libbigarrays is not loaded); png uses ImageIO";
        return "unavailable (libspng.so.0 not found by libbigarrays; install libspng0); png uses ImageIO";
    }

    /**
     * Decode a png of exactly {@code width x height} with {@code channels} (1 gray, 2 gray+alpha,
     * 3 RGB, 4 RGBA) of {@code bitDepth} 8 or 16 into {@code out}, planar (channel slowest), 16-bit
     * samples in native order.
     * @param crcChecked true when the caller already checked every chunk's CRC (libspng then skips them)
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data or another size, channel count or depth
     * @throws IllegalArgumentException when {@code out} is read-only or smaller than the image
     */
    public static void decode(MemorySegment png, int width, int height, int channels, int bitDepth, boolean crcChecked, MemorySegment out,
                              String key) {
        // The whole-image path does not check CRCs: only where the caller did.
        if (crcChecked && WholeProbe.AVAILABLE && tryDecodeWhole(png, width, height, channels, bitDepth, out, key)) return;
        decodeLibspng(png, width, height, channels, bitDepth, crcChecked, out, key);
    }

    /** Whether {@link #decode} inflates non-interlaced images at once through libdeflate ({@link #decodeWhole}). */
    public static boolean wholeAvailable() {
        return WholeProbe.AVAILABLE;
    }

    /** {@link #decode} through libspng alone, which inflates one row per zlib call. */
    public static void decodeLibspng(MemorySegment png, int width, int height, int channels, int bitDepth, boolean crcChecked,
                                     MemorySegment out, String key) {
        if (out.isReadOnly()) throw new IllegalArgumentException("png: the output buffer is read-only");
        byte[] err = new byte[200];
        int rc = LibBigArrays.pngDecode(png, width, height, channels, bitDepth, !crcChecked, out, err);
        if (rc != 0) throw failure(rc, "ba_png_decode", err, png, width, height, channels, bitDepth, out, key);
    }

    /**
     * {@link #decode} of a non-interlaced png whose CRCs the caller checked, on the whole-image
     * path: its IDATs inflated at once by libdeflate, then unfiltered into {@code out}, which is
     * left untouched when the data is damaged (the pure-Java twin is {@code PngRows}).
     * @throws IllegalArgumentException when the image is interlaced or the path is unavailable ({@link #wholeAvailable()})
     */
    public static void decodeWhole(MemorySegment png, int width, int height, int channels, int bitDepth, MemorySegment out, String key) {
        if (!tryDecodeWhole(png, width, height, channels, bitDepth, out, key)) {
            throw new IllegalArgumentException("png: ba_png_decode_libdeflate does not take this image (interlaced, or libdeflate is not loaded)");
        }
    }

    /** False when the whole-image path does not take this image (interlaced): libspng's turn. */
    private static boolean tryDecodeWhole(MemorySegment png, int width, int height, int channels, int bitDepth, MemorySegment out, String key) {
        if (out.isReadOnly()) throw new IllegalArgumentException("png: the output buffer is read-only");
        byte[] err = new byte[200];
        int rc = LibBigArrays.pngDecodeLibdeflate(png, width, height, channels, bitDepth, out, err);
        if (rc == NativeResult.BAD_ARGUMENT.ordinal()) return false; // libspng checks and reports the arguments again
        if (rc != 0) throw failure(rc, "ba_png_decode_libdeflate", err, png, width, height, channels, bitDepth, out, key);
        return true;
    }

    private static RuntimeException failure(int rc, String function, byte[] err, MemorySegment png, int width, int height, int channels,
                                            int bitDepth, MemorySegment out, String key) {
        String why = text(err);
        return NativeResult.failure(rc, function, key, why.isEmpty()
                ? width + "x" + height + " x " + channels + " channels of " + bitDepth + " bits, " + png.byteSize() + " bytes in, "
                        + out.byteSize() + " bytes out"
                : why);
    }

    /**
     * The planar chunk {@code chunk} ({@code width x height x channels} samples of {@code bitDepth}
     * bits) as a png at deflate {@code level} 0–9, in a heap segment of its exact size.
     */
    public static MemorySegment encode(MemorySegment chunk, int width, int height, int channels, int bitDepth, int level, long bound) {
        long[] written = new long[1];
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            // Off-heap when the chunk is (a plain call, see LibBigArrays.Png), else a heap buffer for the critical call.
            MemorySegment out = chunk.isNative() ? a.allocate(bound) : MemorySegment.ofArray(new byte[Math.toIntExact(bound)]);
            int rc = LibBigArrays.pngEncode(chunk, width, height, channels, bitDepth, level, out, written);
            if (rc != 0) throw NativeResult.failure(rc, "ba_png_encode", null, width + "x" + height + " x " + channels + " channels of "
                    + bitDepth + " bits at level " + level + " into " + bound + " bytes");
            return MemorySegment.ofArray(out.asSlice(0, written[0]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    private static String text(byte[] nulTerminated) {
        int n = 0;
        while (n < nulTerminated.length && nulTerminated[n] != 0) n++;
        return new String(nulTerminated, 0, n, StandardCharsets.UTF_8);
    }
}
