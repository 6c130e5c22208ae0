package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.bigarrays.CorruptChunkException;

/**
 * JPEG XL through the system's libjxl 0.7 ({@code libjxl.so.0.7}, decode.h / encode.h) called with
 * FFM. One decoder or encoder per call, single-threaded (no parallel runner: chunks are already
 * decoded in parallel). libjxl keeps the input and output pointers between calls, so both live in
 * native memory of a per-call arena, never on the Java heap.
 *
 * <p>Struct offsets are those of the 0.7 headers, checked with a C program against
 * {@code sizeof}/{@code offsetof}: JxlBasicInfo is 204 bytes (all fields 4 bytes, {@code JXL_BOOL}
 * is int), JxlPixelFormat 24 ({@code size_t align} at 16), JxlColorEncoding 104.
 */
final class JxlBinding {
    // JxlDecoderStatus / JxlEncoderStatus (decode.h, encode.h)
    private static final int DEC_SUCCESS = 0, DEC_ERROR = 1, DEC_NEED_MORE_INPUT = 2, DEC_NEED_IMAGE_OUT_BUFFER = 5;
    private static final int DEC_BASIC_INFO = 0x40, DEC_FULL_IMAGE = 0x1000;
    private static final int ENC_SUCCESS = 0, ENC_NEED_MORE_OUTPUT = 2;
    private static final int TYPE_UINT8 = 2, NATIVE_ENDIAN = 0;
    private static final int SETTING_EFFORT = 0;
    // JxlBasicInfo field offsets (0.7)
    static final long BI_SIZE = 204, BI_XSIZE = 4, BI_YSIZE = 8, BI_BITS = 12, BI_EXP_BITS = 16, BI_USES_ORIGINAL_PROFILE = 36,
            BI_HAVE_ANIMATION = 44, BI_ORIENTATION = 48, BI_COLOR_CHANNELS = 52, BI_EXTRA_CHANNELS = 56, BI_ALPHA_BITS = 60;
    static final long PF_SIZE = 24, COLOR_ENCODING_SIZE = 104;
    /** Far more ProcessInput rounds than a one-frame image needs (a handful); a guard against a loop. */
    private static final int MAX_ROUNDS = 64;

    private static final MethodHandle DEC_CREATE, DEC_DESTROY, DEC_SUBSCRIBE, DEC_SET_INPUT, DEC_CLOSE_INPUT, DEC_PROCESS, DEC_BASIC,
            DEC_OUT_SIZE, DEC_SET_OUT, DEC_RELEASE_INPUT, ENC_CREATE, ENC_DESTROY, ENC_INIT_BASIC, ENC_SET_BASIC, ENC_SRGB, ENC_SET_COLOR,
            ENC_FRAME_SETTINGS, ENC_LOSSLESS, ENC_DISTANCE, ENC_OPTION, ENC_ADD_FRAME, ENC_CLOSE_INPUT, ENC_PROCESS, ENC_ERROR;
    private static final String LOAD_ERROR;

    static {
        MethodHandle[] h = new MethodHandle[24];
        String err = null;
        SymbolLookup lib = NativeLibrary.LIBJXL.symbols().orElse(null);
        if (lib == null) {
            err = JxlBinding.unavailable();
        } else {
            try {
                Linker l = Linker.nativeLinker();
                ValueLayout A = ValueLayout.ADDRESS, I = ValueLayout.JAVA_INT, J = ValueLayout.JAVA_LONG, F = ValueLayout.JAVA_FLOAT;
                h[0] = l.downcallHandle(lib.findOrThrow("JxlDecoderCreate"), FunctionDescriptor.of(A, A));
                h[1] = l.downcallHandle(lib.findOrThrow("JxlDecoderDestroy"), FunctionDescriptor.ofVoid(A));
                h[2] = l.downcallHandle(lib.findOrThrow("JxlDecoderSubscribeEvents"), FunctionDescriptor.of(I, A, I));
                // JxlDecoderSetInput(dec, const uint8_t* data, size_t size)
                h[3] = l.downcallHandle(lib.findOrThrow("JxlDecoderSetInput"), FunctionDescriptor.of(I, A, A, J));
                h[4] = l.downcallHandle(lib.findOrThrow("JxlDecoderCloseInput"), FunctionDescriptor.ofVoid(A));
                h[5] = l.downcallHandle(lib.findOrThrow("JxlDecoderProcessInput"), FunctionDescriptor.of(I, A));
                h[6] = l.downcallHandle(lib.findOrThrow("JxlDecoderGetBasicInfo"), FunctionDescriptor.of(I, A, A));
                // JxlDecoderImageOutBufferSize(dec, const JxlPixelFormat*, size_t*)
                h[7] = l.downcallHandle(lib.findOrThrow("JxlDecoderImageOutBufferSize"), FunctionDescriptor.of(I, A, A, A));
                // JxlDecoderSetImageOutBuffer(dec, const JxlPixelFormat*, void*, size_t)
                h[8] = l.downcallHandle(lib.findOrThrow("JxlDecoderSetImageOutBuffer"), FunctionDescriptor.of(I, A, A, A, J));
                // size_t JxlDecoderReleaseInput(dec): the bytes not consumed
                h[9] = l.downcallHandle(lib.findOrThrow("JxlDecoderReleaseInput"), FunctionDescriptor.of(J, A));
                h[10] = l.downcallHandle(lib.findOrThrow("JxlEncoderCreate"), FunctionDescriptor.of(A, A));
                h[11] = l.downcallHandle(lib.findOrThrow("JxlEncoderDestroy"), FunctionDescriptor.ofVoid(A));
                h[12] = l.downcallHandle(lib.findOrThrow("JxlEncoderInitBasicInfo"), FunctionDescriptor.ofVoid(A));
                h[13] = l.downcallHandle(lib.findOrThrow("JxlEncoderSetBasicInfo"), FunctionDescriptor.of(I, A, A));
                h[14] = l.downcallHandle(lib.findOrThrow("JxlColorEncodingSetToSRGB"), FunctionDescriptor.ofVoid(A, I));
                h[15] = l.downcallHandle(lib.findOrThrow("JxlEncoderSetColorEncoding"), FunctionDescriptor.of(I, A, A));
                h[16] = l.downcallHandle(lib.findOrThrow("JxlEncoderFrameSettingsCreate"), FunctionDescriptor.of(A, A, A));
                h[17] = l.downcallHandle(lib.findOrThrow("JxlEncoderSetFrameLossless"), FunctionDescriptor.of(I, A, I));
                h[18] = l.downcallHandle(lib.findOrThrow("JxlEncoderSetFrameDistance"), FunctionDescriptor.of(I, A, F));
                // JxlEncoderFrameSettingsSetOption(settings, JxlEncoderFrameSettingId, int64_t)
                h[19] = l.downcallHandle(lib.findOrThrow("JxlEncoderFrameSettingsSetOption"), FunctionDescriptor.of(I, A, I, J));
                // JxlEncoderAddImageFrame(settings, const JxlPixelFormat*, const void*, size_t)
                h[20] = l.downcallHandle(lib.findOrThrow("JxlEncoderAddImageFrame"), FunctionDescriptor.of(I, A, A, A, J));
                h[21] = l.downcallHandle(lib.findOrThrow("JxlEncoderCloseInput"), FunctionDescriptor.ofVoid(A));
                // JxlEncoderProcessOutput(enc, uint8_t** next_out, size_t* avail_out)
                h[22] = l.downcallHandle(lib.findOrThrow("JxlEncoderProcessOutput"), FunctionDescriptor.of(I, A, A, A));
                h[23] = l.downcallHandle(lib.findOrThrow("JxlEncoderGetError"), FunctionDescriptor.of(I, A));
            } catch (RuntimeException | LinkageError e) {
                err = "jxl needs libjxl (Debian: libjxl-dev / libjxl0.7): libjxl.so.0.7 lacks a function (" + e.getMessage() + ")";
            }
        }
        DEC_CREATE = h[0]; DEC_DESTROY = h[1]; DEC_SUBSCRIBE = h[2]; DEC_SET_INPUT = h[3]; DEC_CLOSE_INPUT = h[4]; DEC_PROCESS = h[5];
        DEC_BASIC = h[6]; DEC_OUT_SIZE = h[7]; DEC_SET_OUT = h[8]; DEC_RELEASE_INPUT = h[9];
        ENC_CREATE = h[10]; ENC_DESTROY = h[11]; ENC_INIT_BASIC = h[12]; ENC_SET_BASIC = h[13]; ENC_SRGB = h[14]; ENC_SET_COLOR = h[15];
        ENC_FRAME_SETTINGS = h[16]; ENC_LOSSLESS = h[17]; ENC_DISTANCE = h[18]; ENC_OPTION = h[19]; ENC_ADD_FRAME = h[20];
        ENC_CLOSE_INPUT = h[21]; ENC_PROCESS = h[22]; ENC_ERROR = h[23];
        LOAD_ERROR = err;
    }

    private JxlBinding() {}

    /** The one-line error when libjxl is missing or switched off. */
    static String unavailable() {
        NativeLibrary l = NativeLibrary.LIBJXL;
        String why = l.disabledByConfiguration()
                ? "switched off by " + inner(l.status(), "disabled (") + " (BIGARRAYS_NATIVE_LIBJXL=1 turns it on alone)"
                : "not found (" + inner(l.status(), "unavailable (") + ")";
        return "jxl needs libjxl (Debian: libjxl-dev / libjxl0.7): " + why;
    }

    /** {@code s} without {@code prefix} and the closing parenthesis, for a status line quoted in a message. */
    private static String inner(String s, String prefix) {
        return s.startsWith(prefix) && s.endsWith(")") ? s.substring(prefix.length(), s.length() - 1) : s;
    }

    static boolean available() {
        return LOAD_ERROR == null;
    }

    static String loadError() {
        return LOAD_ERROR;
    }

    private static void requireLoaded() {
        if (LOAD_ERROR != null) throw new org.bigarrays.FormatException(LOAD_ERROR);
    }

    private static MemorySegment pixelFormat(Arena a, int channels) {
        MemorySegment pf = a.allocate(PF_SIZE, 8);
        pf.set(ValueLayout.JAVA_INT, 0, channels);
        pf.set(ValueLayout.JAVA_INT, 4, TYPE_UINT8);
        pf.set(ValueLayout.JAVA_INT, 8, NATIVE_ENDIAN);
        pf.set(ValueLayout.JAVA_LONG, 16, 0); // align: rows packed
        return pf;
    }

    /**
     * Decode a JPEG XL image of exactly {@code width x height} uint8 pixels with {@code channels}
     * (1 gray, 3 RGB) into {@code out}, pixel-interleaved; the header is checked before any pixel
     * memory is allocated, and bytes after a bare codestream are refused.
     */
    static void decode(MemorySegment jxl, int width, int height, int channels, MemorySegment out, String key) {
        requireLoaded();
        long need = (long) width * height * channels;
        if (out.byteSize() < need) throw new IllegalArgumentException("output buffer too small");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = a.allocate(Math.max(1, jxl.byteSize()));
            MemorySegment.copy(jxl, 0, in, 0, jxl.byteSize());
            MemorySegment dec = (MemorySegment) DEC_CREATE.invokeExact(MemorySegment.NULL);
            if (dec.address() == 0) throw new OutOfMemoryError("JxlDecoderCreate failed");
            try {
                decode(a, dec, in, jxl.byteSize(), width, height, channels, out, need, key);
            } finally {
                DEC_DESTROY.invokeExact(dec);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void decode(Arena a, MemorySegment dec, MemorySegment in, long inSize, int width, int height, int channels,
                               MemorySegment out, long need, String key) throws Throwable {
        if ((int) DEC_SUBSCRIBE.invokeExact(dec, DEC_BASIC_INFO | DEC_FULL_IMAGE) != DEC_SUCCESS) throw new IllegalStateException("JxlDecoderSubscribeEvents failed");
        if ((int) DEC_SET_INPUT.invokeExact(dec, in, inSize) != DEC_SUCCESS) throw new IllegalStateException("JxlDecoderSetInput failed");
        DEC_CLOSE_INPUT.invokeExact(dec); // all of the chunk is there: running out of input is an error, not a wait
        MemorySegment pf = pixelFormat(a, channels);
        MemorySegment pixels = null;
        boolean headerSeen = false, imageDone = false;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int st = (int) DEC_PROCESS.invokeExact(dec);
            switch (st) {
                case DEC_ERROR -> throw new CorruptChunkException(key, "jxl data is damaged (libjxl decoder error)");
                case DEC_NEED_MORE_INPUT -> throw new CorruptChunkException(key, "jxl data is truncated");
                case DEC_BASIC_INFO -> {
                    checkHeader(a, dec, width, height, channels, key);
                    headerSeen = true;
                }
                case DEC_NEED_IMAGE_OUT_BUFFER -> {
                    if (!headerSeen || pixels != null) throw new CorruptChunkException(key, "jxl stream has more than one frame");
                    MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
                    if ((int) DEC_OUT_SIZE.invokeExact(dec, pf, size) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl image size could not be determined");
                    long n = size.get(ValueLayout.JAVA_LONG, 0);
                    if (n != need) throw new CorruptChunkException(key, "jxl image needs " + n + " bytes, expected " + need);
                    pixels = a.allocate(need);
                    if ((int) DEC_SET_OUT.invokeExact(dec, pf, pixels, need) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl output buffer refused");
                }
                case DEC_FULL_IMAGE -> {
                    if (pixels == null || imageDone) throw new CorruptChunkException(key, "jxl stream has more than one frame");
                    imageDone = true;
                }
                case DEC_SUCCESS -> {
                    if (!imageDone) throw new CorruptChunkException(key, "jxl stream ended without an image");
                    long left = (long) DEC_RELEASE_INPUT.invokeExact(dec);
                    // A bare codestream (FF 0A, libjxl's default and what we write) ends with its image; a
                    // container may carry metadata boxes after it, which libjxl leaves unread.
                    boolean bare = inSize >= 2 && in.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0xff && in.get(ValueLayout.JAVA_BYTE, 1) == 0x0a;
                    if (bare && left != 0) throw new CorruptChunkException(key, "jxl image is followed by " + left + " trailing bytes");
                    MemorySegment.copy(pixels, 0, out, 0, need);
                    return;
                }
                default -> throw new CorruptChunkException(key, "jxl decoder returned unexpected status " + st);
            }
        }
        throw new CorruptChunkException(key, "jxl decoder did not finish after " + MAX_ROUNDS + " steps");
    }

    /** Refuse, before decoding pixels, an image that is not exactly the chunk: size, channels, 8-bit, one still frame. */
    private static void checkHeader(Arena a, MemorySegment dec, int width, int height, int channels, String key) throws Throwable {
        MemorySegment bi = a.allocate(BI_SIZE, 4);
        if ((int) DEC_BASIC.invokeExact(dec, bi) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl header could not be read");
        int w = bi.get(ValueLayout.JAVA_INT, BI_XSIZE), h = bi.get(ValueLayout.JAVA_INT, BI_YSIZE);
        if (w != width || h != height) {
            throw new CorruptChunkException(key, "jxl image is " + Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h) + ", expected " + width + "x" + height);
        }
        int c = bi.get(ValueLayout.JAVA_INT, BI_COLOR_CHANNELS), extra = bi.get(ValueLayout.JAVA_INT, BI_EXTRA_CHANNELS);
        if (c != channels || extra != 0) {
            throw new CorruptChunkException(key, "jxl image has " + c + " color and " + extra + " extra channels, expected " + channels + " and 0");
        }
        int bits = bi.get(ValueLayout.JAVA_INT, BI_BITS), exp = bi.get(ValueLayout.JAVA_INT, BI_EXP_BITS);
        if (bits != 8 || exp != 0) throw new CorruptChunkException(key, "jxl image has " + bits + "-bit samples" + (exp != 0 ? " (float)" : "") + ", expected 8-bit");
        if (bi.get(ValueLayout.JAVA_INT, BI_HAVE_ANIMATION) != 0) throw new CorruptChunkException(key, "jxl image is an animation, expected one still image");
        int orientation = bi.get(ValueLayout.JAVA_INT, BI_ORIENTATION);
        // A rotated image would be turned by the decoder: its rows would no longer be the chunk's.
        if (orientation != 1) throw new CorruptChunkException(key, "jxl image has orientation " + orientation + ", expected 1 (identity)");
    }

    /**
     * Encode pixel-interleaved uint8 {@code pixels} ({@code width x height}, {@code channels} 1 or 3,
     * sRGB): lossless when {@code distance} is 0, else at that Butteraugli distance.
     */
    static MemorySegment encode(MemorySegment pixels, int width, int height, int channels, float distance, int effort) {
        requireLoaded();
        long size = (long) width * height * channels;
        if (pixels.byteSize() < size) throw new IllegalArgumentException("pixel buffer too small");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment enc = (MemorySegment) ENC_CREATE.invokeExact(MemorySegment.NULL);
            if (enc.address() == 0) throw new OutOfMemoryError("JxlEncoderCreate failed");
            try {
                return encode(a, enc, pixels, size, width, height, channels, distance, effort);
            } finally {
                ENC_DESTROY.invokeExact(enc);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment encode(Arena a, MemorySegment enc, MemorySegment pixels, long size, int width, int height, int channels,
                                        float distance, int effort) throws Throwable {
        boolean lossless = distance == 0;
        MemorySegment bi = a.allocate(BI_SIZE, 4);
        ENC_INIT_BASIC.invokeExact(bi);
        bi.set(ValueLayout.JAVA_INT, BI_XSIZE, width);
        bi.set(ValueLayout.JAVA_INT, BI_YSIZE, height);
        bi.set(ValueLayout.JAVA_INT, BI_BITS, 8);
        bi.set(ValueLayout.JAVA_INT, BI_EXP_BITS, 0);
        bi.set(ValueLayout.JAVA_INT, BI_COLOR_CHANNELS, channels);
        bi.set(ValueLayout.JAVA_INT, BI_EXTRA_CHANNELS, 0);
        bi.set(ValueLayout.JAVA_INT, BI_ALPHA_BITS, 0);
        // Lossless needs the original color space kept (no XYB), or values are not exact.
        bi.set(ValueLayout.JAVA_INT, BI_USES_ORIGINAL_PROFILE, lossless ? 1 : 0);
        check(enc, (int) ENC_SET_BASIC.invokeExact(enc, bi), "JxlEncoderSetBasicInfo");
        MemorySegment ce = a.allocate(COLOR_ENCODING_SIZE, 8);
        ENC_SRGB.invokeExact(ce, channels == 1 ? 1 : 0);
        check(enc, (int) ENC_SET_COLOR.invokeExact(enc, ce), "JxlEncoderSetColorEncoding");
        MemorySegment fs = (MemorySegment) ENC_FRAME_SETTINGS.invokeExact(enc, MemorySegment.NULL);
        if (fs.address() == 0) throw new IllegalStateException("jxl encoding failed: JxlEncoderFrameSettingsCreate returned null");
        if (lossless) check(enc, (int) ENC_LOSSLESS.invokeExact(fs, 1), "JxlEncoderSetFrameLossless");
        else check(enc, (int) ENC_DISTANCE.invokeExact(fs, distance), "JxlEncoderSetFrameDistance");
        check(enc, (int) ENC_OPTION.invokeExact(fs, SETTING_EFFORT, (long) effort), "effort " + effort);
        MemorySegment in = a.allocate(size);
        MemorySegment.copy(pixels, 0, in, 0, size);
        check(enc, (int) ENC_ADD_FRAME.invokeExact(fs, pixelFormat(a, channels), in, size), "JxlEncoderAddImageFrame");
        ENC_CLOSE_INPUT.invokeExact(enc);
        long cap = Math.max(4096, size / 4);
        MemorySegment buf = a.allocate(cap);
        MemorySegment nextOut = a.allocate(ValueLayout.ADDRESS), availOut = a.allocate(ValueLayout.JAVA_LONG);
        nextOut.set(ValueLayout.ADDRESS, 0, buf);
        availOut.set(ValueLayout.JAVA_LONG, 0, cap);
        for (;;) {
            int st = (int) ENC_PROCESS.invokeExact(enc, nextOut, availOut);
            long used = nextOut.get(ValueLayout.ADDRESS, 0).address() - buf.address();
            long avail = availOut.get(ValueLayout.JAVA_LONG, 0);
            // libjxl moves next_out forward and avail_out down by the same count; anything else is a binding error.
            if (used < 0 || used > cap || used + avail != cap) throw new IllegalStateException("libjxl output pointer out of bounds (" + used + " of " + cap + ")");
            if (st == ENC_SUCCESS) return MemorySegment.ofArray(buf.asSlice(0, used).toArray(ValueLayout.JAVA_BYTE));
            if (st != ENC_NEED_MORE_OUTPUT) throw new IllegalStateException("jxl encoding failed: libjxl error " + (int) ENC_ERROR.invokeExact(enc));
            long bigger = cap * 2;
            MemorySegment nb = a.allocate(bigger);
            MemorySegment.copy(buf, 0, nb, 0, used);
            buf = nb;
            cap = bigger;
            nextOut.set(ValueLayout.ADDRESS, 0, buf.asSlice(used));
            availOut.set(ValueLayout.JAVA_LONG, 0, cap - used);
        }
    }

    private static void check(MemorySegment enc, int status, String what) throws Throwable {
        if (status != ENC_SUCCESS) throw new IllegalStateException("jxl encoding failed at " + what + ": libjxl error " + (int) ENC_ERROR.invokeExact(enc));
    }
}
