package org.bigarrays.nativ;

import java.lang.foreign.MemorySegment;

/**
 * JPEG through the system's TurboJPEG, when it is loaded and not switched off (see
 * {@link NativeLibrary#TURBOJPEG}); callers use ImageIO when {@link #available()} is false.
 * Thread-safe.
 */
public final class TurboJpeg {
    private TurboJpeg() {}

    /** Whether TurboJPEG is loaded and switched on. */
    public static boolean available() {
        return TurboJpegBinding.available();
    }

    /**
     * Decode a jpeg of exactly {@code width x height} pixels with {@code channels} (1 gray, 3 RGB)
     * into {@code out}, pixel-interleaved, {@code width * channels} bytes per row.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} on damaged data or another size or channel count
     */
    public static void decode(MemorySegment jpeg, int width, int height, int channels, MemorySegment out, String key) {
        TurboJpegBinding.decode(jpeg, width, height, channels, out, key);
    }

    /** Encode pixel-interleaved {@code pixels} at {@code quality} (4:2:0 for RGB). */
    public static MemorySegment encode(MemorySegment pixels, int width, int height, int channels, int quality) {
        return TurboJpegBinding.encode(pixels, width, height, channels, quality);
    }
}
