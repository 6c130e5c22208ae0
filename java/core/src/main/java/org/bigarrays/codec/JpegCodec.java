package org.bigarrays.codec;

import org.bigarrays.nativ.TurboJpeg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;

/**
 * {@code jpeg} chunks: uint8, 1 or 3 channels, lossy, {@code jpeg_quality} 1–100 (default 85);
 * one image {@code x} wide and {@code y·z} high (see {@link ImagePlanes}). Through the system's
 * TurboJPEG when it loads ({@link TurboJpeg}), else the JDK's ImageIO ({@link #javaOnly()}, the
 * twin). The markers are walked first ({@link JpegHeader}): a frame of another size or bytes
 * after EOI are refused before anything is decoded.
 */
public final class JpegCodec implements ArrayCodec {
    private final int quality;
    private final boolean useTurbo;

    private JpegCodec(int quality, boolean useTurbo) {
        this.quality = quality;
        this.useTurbo = useTurbo;
    }

    /** A jpeg codec of quality 1–100 (null: 85). */
    public static JpegCodec of(Integer quality) {
        int q = quality == null ? 85 : quality;
        if (q < 1 || q > 100) throw new InvalidInputException("jpeg_quality " + q + " is out of range 1..100");
        return new JpegCodec(q, TurboJpeg.available());
    }

    /** The same codec on the pure-Java path (ImageIO): the twin, also used when TurboJPEG is absent. */
    public JpegCodec javaOnly() {
        return new JpegCodec(quality, false);
    }

    /** Whether this instance runs through the system's TurboJPEG (else ImageIO). */
    public boolean usesTurboJpeg() {
        return useTurbo;
    }

    public int quality() {
        return quality;
    }

    @Override
    public String name() {
        return "jpeg";
    }

    @Override
    public void check(ChunkLayout layout) {
        DataType t = layout.dataType();
        int c = layout.channels();
        if (t != DataType.UINT8 || (c != 1 && c != 3)) {
            throw new InvalidInputException("jpeg stores uint8 with 1 or 3 channels, not " + t + " with " + c);
        }
        if (layout.shape()[0] > 65535 || layout.shape()[1] * layout.shape()[2] > 65535) {
            throw new InvalidInputException("chunk " + layout + " is too large for one jpeg image (at most 65535 pixels a side)");
        }
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        // Far above what an encoder writes at quality 100 on noise; a bound on memory, not a size estimate.
        return 4 * layout.byteSize() + (1 << 16);
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        check(layout);
        int w = ImagePlanes.width(layout), h = ImagePlanes.height(layout), c = layout.channels();
        JpegHeader.scan(encoded, key).expect(w, h, c, key);
        MemorySegment out = into.asSlice(0, layout.byteSize());
        if (!useTurbo) {
            ImagePlanes.read("jpeg", encoded, layout, out, key);
        } else if (c == 1) {
            TurboJpeg.decode(encoded, w, h, 1, out, key);
        } else {
            byte[] rgb = new byte[w * h * 3];
            TurboJpeg.decode(encoded, w, h, 3, MemorySegment.ofArray(rgb), key);
            int pixels = w * h;
            for (int b = 0; b < 3; b++) {
                long base = (long) b * pixels;
                for (int i = 0; i < pixels; i++) out.set(ValueLayout.JAVA_BYTE, base + i, rgb[3 * i + b]);
            }
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        check(layout);
        int w = ImagePlanes.width(layout), h = ImagePlanes.height(layout);
        if (!useTurbo) return ImagePlanes.write("jpeg", chunk, layout, quality / 100f);
        if (layout.channels() == 1) return TurboJpeg.encode(chunk, w, h, 1, quality);
        int pixels = w * h;
        byte[] rgb = new byte[pixels * 3];
        for (int c = 0; c < 3; c++) {
            long base = (long) c * pixels;
            for (int i = 0; i < pixels; i++) rgb[3 * i + c] = chunk.get(ValueLayout.JAVA_BYTE, base + i);
        }
        return TurboJpeg.encode(MemorySegment.ofArray(rgb), w, h, 3, quality);
    }

    @Override
    public String toString() {
        return "jpeg q" + quality + (useTurbo ? " (TurboJPEG)" : " (ImageIO)");
    }
}
