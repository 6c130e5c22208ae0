package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
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

    private record Handles(MethodHandle decCreate, MethodHandle decDestroy, MethodHandle decSubscribe, MethodHandle decSetInput,
                           MethodHandle decCloseInput, MethodHandle decProcess, MethodHandle decBasic, MethodHandle decOutSize,
                           MethodHandle decSetOut, MethodHandle decReleaseInput, MethodHandle encCreate, MethodHandle encDestroy,
                           MethodHandle encInitBasic, MethodHandle encSetBasic, MethodHandle encSrgb, MethodHandle encSetColor,
                           MethodHandle encFrameSettings, MethodHandle encLossless, MethodHandle encDistance, MethodHandle encOption,
                           MethodHandle encAddFrame, MethodHandle encCloseInput, MethodHandle encProcess, MethodHandle encError) {}

    private static final String NEEDS = "libjxl 0.7 (Debian: libjxl-dev / libjxl0.7)", PREFIX = "jxl needs libjxl (Debian: libjxl-dev / libjxl0.7): ";
    // libjxl keeps the input and output pointers between calls: plain (not critical) calls, native segments only.
    private static final NativeLibrary.Linked<Handles> LINKED = NativeLibrary.LIBJXL.link("jxl", NEEDS, d -> {
        ValueLayout A = ValueLayout.ADDRESS, I = ValueLayout.JAVA_INT, J = ValueLayout.JAVA_LONG, F = ValueLayout.JAVA_FLOAT;
        return new Handles(
                d.plain("JxlDecoderCreate", FunctionDescriptor.of(A, A)),
                d.plain("JxlDecoderDestroy", FunctionDescriptor.ofVoid(A)),
                d.plain("JxlDecoderSubscribeEvents", FunctionDescriptor.of(I, A, I)),
                // JxlDecoderSetInput(dec, const uint8_t* data, size_t size)
                d.plain("JxlDecoderSetInput", FunctionDescriptor.of(I, A, A, J)),
                d.plain("JxlDecoderCloseInput", FunctionDescriptor.ofVoid(A)),
                d.plain("JxlDecoderProcessInput", FunctionDescriptor.of(I, A)),
                d.plain("JxlDecoderGetBasicInfo", FunctionDescriptor.of(I, A, A)),
                // JxlDecoderImageOutBufferSize(dec, const JxlPixelFormat*, size_t*)
                d.plain("JxlDecoderImageOutBufferSize", FunctionDescriptor.of(I, A, A, A)),
                // JxlDecoderSetImageOutBuffer(dec, const JxlPixelFormat*, void*, size_t)
                d.plain("JxlDecoderSetImageOutBuffer", FunctionDescriptor.of(I, A, A, A, J)),
                // size_t JxlDecoderReleaseInput(dec): the bytes not consumed
                d.plain("JxlDecoderReleaseInput", FunctionDescriptor.of(J, A)),
                d.plain("JxlEncoderCreate", FunctionDescriptor.of(A, A)),
                d.plain("JxlEncoderDestroy", FunctionDescriptor.ofVoid(A)),
                d.plain("JxlEncoderInitBasicInfo", FunctionDescriptor.ofVoid(A)),
                d.plain("JxlEncoderSetBasicInfo", FunctionDescriptor.of(I, A, A)),
                d.plain("JxlColorEncodingSetToSRGB", FunctionDescriptor.ofVoid(A, I)),
                d.plain("JxlEncoderSetColorEncoding", FunctionDescriptor.of(I, A, A)),
                d.plain("JxlEncoderFrameSettingsCreate", FunctionDescriptor.of(A, A, A)),
                d.plain("JxlEncoderSetFrameLossless", FunctionDescriptor.of(I, A, I)),
                d.plain("JxlEncoderSetFrameDistance", FunctionDescriptor.of(I, A, F)),
                // JxlEncoderFrameSettingsSetOption(settings, JxlEncoderFrameSettingId, int64_t)
                d.plain("JxlEncoderFrameSettingsSetOption", FunctionDescriptor.of(I, A, I, J)),
                // JxlEncoderAddImageFrame(settings, const JxlPixelFormat*, const void*, size_t)
                d.plain("JxlEncoderAddImageFrame", FunctionDescriptor.of(I, A, A, A, J)),
                d.plain("JxlEncoderCloseInput", FunctionDescriptor.ofVoid(A)),
                // JxlEncoderProcessOutput(enc, uint8_t** next_out, size_t* avail_out)
                d.plain("JxlEncoderProcessOutput", FunctionDescriptor.of(I, A, A, A)),
                d.plain("JxlEncoderGetError", FunctionDescriptor.of(I, A)));
    });
    // A record's fields are trusted as constants: H.x() in a static final is as fast as a static final handle.
    private static final Handles H = LINKED.handles();
    private static final String LOAD_ERROR = H != null ? null : NativeLibrary.LIBJXL.isLoaded() ? PREFIX + LINKED.error() : unavailable();

    private JxlBinding() {}

    /** The one-line error when libjxl is missing or switched off. */
    static String unavailable() {
        NativeLibrary l = NativeLibrary.LIBJXL;
        String why = l.disabledByConfiguration()
                ? "switched off by " + inner(l.status(), "disabled (") + " (BIGARRAYS_NATIVE_LIBJXL=1 turns it on alone)"
                : "not found (" + inner(l.status(), "unavailable (") + ")";
        return PREFIX + why;
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
            MemorySegment dec = (MemorySegment) H.decCreate().invokeExact(MemorySegment.NULL);
            if (dec.address() == 0) throw new OutOfMemoryError("JxlDecoderCreate failed");
            try {
                decode(a, dec, in, jxl.byteSize(), width, height, channels, out, need, key);
            } finally {
                H.decDestroy().invokeExact(dec);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void decode(Arena a, MemorySegment dec, MemorySegment in, long inSize, int width, int height, int channels,
                               MemorySegment out, long need, String key) throws Throwable {
        if ((int) H.decSubscribe().invokeExact(dec, DEC_BASIC_INFO | DEC_FULL_IMAGE) != DEC_SUCCESS) throw new IllegalStateException("JxlDecoderSubscribeEvents failed");
        if ((int) H.decSetInput().invokeExact(dec, in, inSize) != DEC_SUCCESS) throw new IllegalStateException("JxlDecoderSetInput failed");
        H.decCloseInput().invokeExact(dec); // all of the chunk is there: running out of input is an error, not a wait
        MemorySegment pf = pixelFormat(a, channels);
        MemorySegment pixels = null;
        boolean headerSeen = false, imageDone = false;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int st = (int) H.decProcess().invokeExact(dec);
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
                    if ((int) H.decOutSize().invokeExact(dec, pf, size) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl image size could not be determined");
                    long n = size.get(ValueLayout.JAVA_LONG, 0);
                    if (n != need) throw new CorruptChunkException(key, "jxl image needs " + n + " bytes, expected " + need);
                    pixels = a.allocate(need);
                    if ((int) H.decSetOut().invokeExact(dec, pf, pixels, need) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl output buffer refused");
                }
                case DEC_FULL_IMAGE -> {
                    if (pixels == null || imageDone) throw new CorruptChunkException(key, "jxl stream has more than one frame");
                    imageDone = true;
                }
                case DEC_SUCCESS -> {
                    if (!imageDone) throw new CorruptChunkException(key, "jxl stream ended without an image");
                    long left = (long) H.decReleaseInput().invokeExact(dec);
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
        if ((int) H.decBasic().invokeExact(dec, bi) != DEC_SUCCESS) throw new CorruptChunkException(key, "jxl header could not be read");
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
            MemorySegment enc = (MemorySegment) H.encCreate().invokeExact(MemorySegment.NULL);
            if (enc.address() == 0) throw new OutOfMemoryError("JxlEncoderCreate failed");
            try {
                return encode(a, enc, pixels, size, width, height, channels, distance, effort);
            } finally {
                H.encDestroy().invokeExact(enc);
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
        H.encInitBasic().invokeExact(bi);
        bi.set(ValueLayout.JAVA_INT, BI_XSIZE, width);
        bi.set(ValueLayout.JAVA_INT, BI_YSIZE, height);
        bi.set(ValueLayout.JAVA_INT, BI_BITS, 8);
        bi.set(ValueLayout.JAVA_INT, BI_EXP_BITS, 0);
        bi.set(ValueLayout.JAVA_INT, BI_COLOR_CHANNELS, channels);
        bi.set(ValueLayout.JAVA_INT, BI_EXTRA_CHANNELS, 0);
        bi.set(ValueLayout.JAVA_INT, BI_ALPHA_BITS, 0);
        // Lossless needs the original color space kept (no XYB), or values are not exact.
        bi.set(ValueLayout.JAVA_INT, BI_USES_ORIGINAL_PROFILE, lossless ? 1 : 0);
        check(enc, (int) H.encSetBasic().invokeExact(enc, bi), "JxlEncoderSetBasicInfo");
        MemorySegment ce = a.allocate(COLOR_ENCODING_SIZE, 8);
        H.encSrgb().invokeExact(ce, channels == 1 ? 1 : 0);
        check(enc, (int) H.encSetColor().invokeExact(enc, ce), "JxlEncoderSetColorEncoding");
        MemorySegment fs = (MemorySegment) H.encFrameSettings().invokeExact(enc, MemorySegment.NULL);
        if (fs.address() == 0) throw new IllegalStateException("jxl encoding failed: JxlEncoderFrameSettingsCreate returned null");
        if (lossless) check(enc, (int) H.encLossless().invokeExact(fs, 1), "JxlEncoderSetFrameLossless");
        else check(enc, (int) H.encDistance().invokeExact(fs, distance), "JxlEncoderSetFrameDistance");
        check(enc, (int) H.encOption().invokeExact(fs, SETTING_EFFORT, (long) effort), "effort " + effort);
        MemorySegment in = a.allocate(size);
        MemorySegment.copy(pixels, 0, in, 0, size);
        check(enc, (int) H.encAddFrame().invokeExact(fs, pixelFormat(a, channels), in, size), "JxlEncoderAddImageFrame");
        H.encCloseInput().invokeExact(enc);
        long cap = Math.max(4096, size / 4);
        MemorySegment buf = a.allocate(cap);
        MemorySegment nextOut = a.allocate(ValueLayout.ADDRESS), availOut = a.allocate(ValueLayout.JAVA_LONG);
        nextOut.set(ValueLayout.ADDRESS, 0, buf);
        availOut.set(ValueLayout.JAVA_LONG, 0, cap);
        for (;;) {
            int st = (int) H.encProcess().invokeExact(enc, nextOut, availOut);
            long used = nextOut.get(ValueLayout.ADDRESS, 0).address() - buf.address();
            long avail = availOut.get(ValueLayout.JAVA_LONG, 0);
            // libjxl moves next_out forward and avail_out down by the same count; anything else is a binding error.
            if (used < 0 || used > cap || used + avail != cap) throw new IllegalStateException("libjxl output pointer out of bounds (" + used + " of " + cap + ")");
            if (st == ENC_SUCCESS) return MemorySegment.ofArray(buf.asSlice(0, used).toArray(ValueLayout.JAVA_BYTE));
            if (st != ENC_NEED_MORE_OUTPUT) throw new IllegalStateException("jxl encoding failed: libjxl error " + (int) H.encError().invokeExact(enc));
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
        if (status != ENC_SUCCESS) throw new IllegalStateException("jxl encoding failed at " + what + ": libjxl error " + (int) H.encError().invokeExact(enc));
    }
}
