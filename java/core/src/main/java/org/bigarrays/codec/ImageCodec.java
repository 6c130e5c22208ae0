package org.bigarrays.codec;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.TurboJpeg;

/**
 * {@code jpeg} and {@code png} chunks: jpeg through the system's TurboJPEG via FFM when it loads
 * ({@link TurboJpeg}), else the JDK's ImageIO; png through ImageIO. As in Neuroglancer, a chunk
 * {@code [x, y, z]} is one image {@code x} wide and {@code y·z} high, channels interleaved per
 * pixel; the decoded chunk is planar (channel slowest). jpeg: uint8, 1 or 3 channels, lossy,
 * {@code jpeg_quality} (default 85). png: uint8 or uint16, 1–4 channels (gray, gray+alpha,
 * RGB, RGBA), lossless, {@code png_level} 0–9 (default 6).
 */
public final class ImageCodec implements Codec {
    private final boolean jpeg;
    private final int quality;

    private final boolean useTurbo;

    private ImageCodec(boolean jpeg, int quality, boolean useTurbo) {
        this.jpeg = jpeg;
        this.quality = quality;
        this.useTurbo = useTurbo;
    }

    private ImageCodec(boolean jpeg, int quality) {
        this(jpeg, quality, jpeg && TurboJpeg.available());
    }

    /** The same codec on the pure-Java path (ImageIO), for comparisons and when TurboJPEG is absent. */
    public ImageCodec javaOnly() {
        return new ImageCodec(jpeg, quality, false);
    }

    /** Whether jpeg runs through the system's TurboJPEG (else ImageIO). */
    public boolean usesTurboJpeg() {
        return useTurbo;
    }

    private static MemorySegment interleave(MemorySegment planar, int pixels) {
        byte[] rgb = new byte[pixels * 3];
        for (int c = 0; c < 3; c++) {
            long base = (long) c * pixels;
            for (int i = 0; i < pixels; i++) rgb[3 * i + c] = planar.get(ValueLayout.JAVA_BYTE, base + i);
        }
        return MemorySegment.ofArray(rgb);
    }

    private static void decodeTurbo(MemorySegment encoded, ChunkLayout layout, int w, int h, MemorySegment into, String key) {
        int c = layout.channels();
        if (c == 1) {
            TurboJpeg.decode(encoded, w, h, 1, into.asSlice(0, (long) w * h), key);
            return;
        }
        byte[] rgb = new byte[w * h * 3];
        TurboJpeg.decode(encoded, w, h, 3, MemorySegment.ofArray(rgb), key);
        int pixels = w * h;
        for (int b = 0; b < 3; b++) {
            long base = (long) b * pixels;
            for (int i = 0; i < pixels; i++) into.set(ValueLayout.JAVA_BYTE, base + i, rgb[3 * i + b]);
        }
    }

    /** A jpeg codec of quality 1–100 (null: 85). */
    public static ImageCodec jpeg(Integer quality) {
        int q = quality == null ? 85 : quality;
        if (q < 1 || q > 100) throw new InvalidInputException("jpeg_quality " + q + " is out of range 1..100");
        return new ImageCodec(true, q);
    }

    /** A png codec of deflate level 0–9 (null: 6). */
    public static ImageCodec png(Integer level) {
        int l = level == null ? 6 : level;
        if (l < 0 || l > 9) throw new InvalidInputException("png_level " + l + " is out of range 0..9");
        return new ImageCodec(false, l);
    }

    @Override
    public String encoding() {
        return jpeg ? "jpeg" : "png";
    }

    /** Check that {@code layout} is storable in this format. */
    public void check(ChunkLayout layout) {
        DataType t = layout.dataType();
        int c = layout.channels();
        if (jpeg && (t != DataType.UINT8 || (c != 1 && c != 3))) {
            throw new InvalidInputException("jpeg stores uint8 with 1 or 3 channels, not " + t + " with " + c);
        }
        if (!jpeg && ((t != DataType.UINT8 && t != DataType.UINT16) || c < 1 || c > 4)) {
            throw new InvalidInputException("png stores uint8 or uint16 with 1 to 4 channels, not " + t + " with " + c);
        }
        if (layout.shape()[0] * layout.shape()[1] * layout.shape()[2] > Integer.MAX_VALUE || layout.shape()[1] * layout.shape()[2] > 65535 && jpeg) {
            throw new InvalidInputException("chunk " + layout + " is too large for one " + encoding() + " image");
        }
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        check(layout);
        int w = (int) layout.shape()[0], h = (int) (layout.shape()[1] * layout.shape()[2]);
        if (jpeg && useTurbo) {
            decodeTurbo(encoded, layout, w, h, into, key);
            return;
        }
        BufferedImage img;
        try (ImageInputStream s = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded.toArray(ValueLayout.JAVA_BYTE)))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(encoding());
            ImageReader r = readers.next();
            try {
                r.setInput(s, true, true);
                img = r.read(0);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new CorruptChunkException(key, encoding() + " image could not be decoded: " + e.getMessage(), e);
        }
        Raster raster = img.getRaster();
        if (raster.getWidth() != w || raster.getHeight() != h) {
            throw new CorruptChunkException(key, encoding() + " image is " + raster.getWidth() + "x" + raster.getHeight()
                    + ", expected " + w + "x" + h + " for chunk " + layout);
        }
        int c = layout.channels();
        if (raster.getNumBands() != c) {
            throw new CorruptChunkException(key, encoding() + " image has " + raster.getNumBands() + " channels, expected " + c);
        }
        int bytes = layout.dataType().size();
        if (bytes == 2 && raster.getSampleModel().getSampleSize(0) != 16 || bytes == 1 && raster.getSampleModel().getSampleSize(0) != 8) {
            throw new CorruptChunkException(key, encoding() + " image has " + raster.getSampleModel().getSampleSize(0)
                    + "-bit samples, expected " + layout.dataType());
        }
        int[] plane = new int[w * h];
        long planeBytes = (long) w * h * bytes;
        for (int b = 0; b < c; b++) {
            raster.getSamples(0, 0, w, h, b, plane);
            long base = b * planeBytes;
            if (bytes == 1) {
                for (int i = 0; i < plane.length; i++) into.set(ValueLayout.JAVA_BYTE, base + i, (byte) plane[i]);
            } else {
                for (int i = 0; i < plane.length; i++) into.set(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i, (short) plane[i]);
            }
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        check(layout);
        int w = (int) layout.shape()[0], h = (int) (layout.shape()[1] * layout.shape()[2]);
        int c = layout.channels();
        if (jpeg && useTurbo) {
            if (c == 1) return TurboJpeg.encode(chunk, w, h, 1, quality);
            return TurboJpeg.encode(interleave(chunk, w * h), w, h, 3, quality);
        }
        int bytes = layout.dataType().size();
        boolean alpha = c == 2 || c == 4;
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(c <= 2 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB),
                alpha, false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, bytes == 1 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        int[] plane = new int[w * h];
        long planeBytes = (long) w * h * bytes;
        for (int b = 0; b < c; b++) {
            long base = b * planeBytes;
            if (bytes == 1) {
                for (int i = 0; i < plane.length; i++) plane[i] = chunk.get(ValueLayout.JAVA_BYTE, base + i) & 0xff;
            } else {
                for (int i = 0; i < plane.length; i++) plane[i] = chunk.get(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i) & 0xffff;
            }
            raster.setSamples(0, 0, w, h, b, plane);
        }
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        ImageWriter writer = ImageIO.getImageWritersByFormatName(encoding()).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream s = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(s);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            // PNG: the JDK writer maps quality q to deflate level 9 - round(9q).
            p.setCompressionQuality(jpeg ? quality / 100f : (9 - quality) / 9f);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new IllegalStateException(encoding() + " encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return MemorySegment.ofArray(out.toByteArray());
    }
}
