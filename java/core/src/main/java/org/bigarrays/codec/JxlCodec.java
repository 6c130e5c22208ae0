package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.Jxl;

/**
 * {@code jxl} chunks (JPEG XL), as Neuroglancer's precomputed source reads them and CloudVolume
 * writes them: uint8, 1 (gray) or 3 (RGB) channels, one still image {@code x} wide and {@code y·z}
 * high, channels interleaved per pixel (the same layout as jpeg, see {@link ImagePlanes}).
 * {@code jxl_quality} 0–100 as in CloudVolume's info: 100 is lossless (our default), below that
 * lossy at the Butteraugli distance cjxl 0.7 maps the quality to; {@code jxl_effort} 1–9 (default
 * 3, see {@link #DEFAULT_EFFORT}).
 *
 * <p>Through the system's libjxl 0.7 only ({@link Jxl}): there is no pure-Java JPEG XL codec to
 * fall back on, so without libjxl (or with native code switched off) reading or writing a jxl
 * chunk raises a one-line {@link FormatException} naming libjxl.
 */
final class JxlCodec implements ArrayCodec {
    /**
     * The effort when the info has none. Not CloudVolume's 5: on a 64³ EM-like chunk with libjxl
     * 0.7, effort 5 encodes lossless at 2.8 MB/s, effort 3 at 16 MB/s for a file 1% larger (and
     * lossy q90 at 27 MB/s instead of 6.5, the same PSNR); an info's jxl_effort still wins.
     */
    public static final int DEFAULT_EFFORT = 3;
    private final int quality;
    private final int effort;

    private JxlCodec(int quality, int effort) {
        this.quality = quality;
        this.effort = effort;
    }

    /** A jxl codec of quality 0–100 (null: 100, lossless) and effort 1–9 (null: {@link #DEFAULT_EFFORT}). */
    public static JxlCodec of(Integer quality, Integer effort) {
        int q = quality == null ? 100 : quality;
        int e = effort == null ? DEFAULT_EFFORT : effort;
        if (q < 0 || q > 100) throw new InvalidInputException("jxl_quality " + q + " is out of range 0..100");
        if (e < 1 || e > 9) throw new InvalidInputException("jxl_effort " + e + " is out of range 1..9");
        return new JxlCodec(q, e);
    }

    public int quality() {
        return quality;
    }

    public boolean lossless() {
        return quality >= 100;
    }

    /**
     * The Butteraugli distance for {@code quality} (0 for lossless): cjxl 0.7's mapping (and
     * imagecodecs', which CloudVolume calls), clamped to libjxl's largest distance, 25.
     */
    public static float distance(int quality) {
        if (quality >= 100) return 0;
        double d = quality >= 30 ? 0.1 + (100 - quality) * 0.09 : 6.24 + Math.pow(2.5, (30 - quality) / 5.0) / 6.25;
        return (float) Math.min(25, d);
    }

    @Override
    public String name() {
        return "jxl";
    }

    @Override
    public void check(ChunkLayout layout) {
        DataType t = layout.dataType();
        int c = layout.channels();
        if (t != DataType.UINT8 || (c != 1 && c != 3)) {
            throw new InvalidInputException("jxl stores uint8 with 1 or 3 channels (as Neuroglancer and CloudVolume read it), not " + t + " with " + c);
        }
        // JPEG XL's limit is 2^30 a side; a chunk beyond int pixels is refused by ChunkLayout anyway.
        if (layout.shape()[0] > (1 << 30) || layout.shape()[1] * layout.shape()[2] > (1 << 30)) {
            throw new InvalidInputException("chunk " + layout + " is too large for one jxl image (at most 2^30 pixels a side)");
        }
    }

    private static void requireLibjxl() {
        if (!Jxl.available()) throw new FormatException(Jxl.unavailableMessage());
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        // A bound on memory, not a size estimate: lossless noise takes a little over the raw size.
        return 2 * layout.byteSize() + (1 << 16);
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        check(layout);
        requireLibjxl();
        int w = ImagePlanes.width(layout), h = ImagePlanes.height(layout), c = layout.channels();
        MemorySegment out = into.asSlice(0, layout.byteSize());
        if (c == 1) {
            Jxl.decode(encoded, w, h, 1, out, key);
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rgb = a.allocate((long) w * h * 3);
            Jxl.decode(encoded, w, h, 3, rgb, key);
            long pixels = (long) w * h;
            for (int b = 0; b < 3; b++) { // interleaved image -> planar chunk (channel slowest)
                long base = b * pixels;
                for (long i = 0; i < pixels; i++) out.set(ValueLayout.JAVA_BYTE, base + i, rgb.get(ValueLayout.JAVA_BYTE, 3 * i + b));
            }
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        check(layout);
        requireLibjxl();
        int w = ImagePlanes.width(layout), h = ImagePlanes.height(layout), c = layout.channels();
        float d = distance(quality);
        if (c == 1) return Jxl.encode(chunk, w, h, 1, d, effort);
        try (Arena a = Arena.ofConfined()) {
            long pixels = (long) w * h;
            MemorySegment rgb = a.allocate(pixels * 3);
            for (int b = 0; b < 3; b++) {
                long base = b * pixels;
                for (long i = 0; i < pixels; i++) rgb.set(ValueLayout.JAVA_BYTE, 3 * i + b, chunk.get(ValueLayout.JAVA_BYTE, base + i));
            }
            return Jxl.encode(rgb, w, h, 3, d, effort);
        }
    }

    @Override
    public String toString() {
        return "jxl " + (lossless() ? "lossless" : "q" + quality) + " e" + effort + " (libjxl)";
    }
}
