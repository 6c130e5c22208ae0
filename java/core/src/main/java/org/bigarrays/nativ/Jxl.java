package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * JPEG XL through the system's libjxl 0.7 ({@link NativeLibrary#LIBJXL}). There is no Java twin:
 * when libjxl is missing or switched off, {@link #available()} is false and every call raises a
 * {@link org.bigarrays.FormatException} whose one-line message is {@link #unavailableMessage()}.
 * Thread-safe.
 */
public final class Jxl {
    private Jxl() {}

    /** Whether libjxl is loaded, switched on and has the functions this binding calls. */
    public static boolean available() {
        return JxlBinding.available();
    }

    /** Why jxl cannot be used, one line naming libjxl; null when it can. */
    public static String unavailableMessage() {
        return JxlBinding.loadError();
    }

    /**
     * Decode a JPEG XL image of exactly {@code width x height} uint8 pixels with {@code channels}
     * (1 gray, 3 RGB) into {@code out}, pixel-interleaved, {@code width * channels} bytes per row.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data, another size,
     *     channel count or bit depth, an animation, or bytes after a bare codestream
     */
    public static void decode(MemorySegment jxl, int width, int height, int channels, MemorySegment out, String key) {
        JxlBinding.decode(jxl, width, height, channels, out, key);
    }

    /** Encode pixel-interleaved uint8 {@code pixels}: lossless when {@code distance} is 0, else at that distance (0.1–25). */
    public static MemorySegment encode(MemorySegment pixels, int width, int height, int channels, float distance, int effort) {
        return JxlBinding.encode(pixels, width, height, channels, distance, effort);
    }
}
