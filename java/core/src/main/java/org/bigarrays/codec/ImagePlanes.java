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
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.bigarrays.CorruptChunkException;

/**
 * A chunk as an image through the JDK's ImageIO, as Neuroglancer lays it out: {@code [x, y, z]}
 * is one image {@code x} wide and {@code y·z} high, channels interleaved per pixel; the chunk is
 * planar (channel slowest). Callers check the image header against the layout first, so the
 * decoded image is never larger than the chunk.
 */
final class ImagePlanes {
    private ImagePlanes() {}

    static int width(ChunkLayout l) {
        return (int) l.shape()[0];
    }

    static int height(ChunkLayout l) {
        return (int) (l.shape()[1] * l.shape()[2]);
    }

    /** Decode {@code encoded} ({@code format}: jpeg or png) into the planar chunk {@code into}. */
    static void read(String format, MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        int w = width(layout), h = height(layout);
        BufferedImage img;
        try (ImageInputStream s = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded.toArray(ValueLayout.JAVA_BYTE)))) {
            ImageReader r = ImageIO.getImageReadersByFormatName(format).next();
            try {
                r.setInput(s, true, true);
                img = r.read(0);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new CorruptChunkException(key, format + " image could not be decoded: " + e.getMessage(), e);
        }
        Raster raster = img.getRaster();
        if (raster.getWidth() != w || raster.getHeight() != h) {
            throw new CorruptChunkException(key, format + " image is " + raster.getWidth() + "x" + raster.getHeight()
                    + ", expected " + w + "x" + h + " for chunk " + layout);
        }
        int c = layout.channels();
        if (raster.getNumBands() != c) {
            throw new CorruptChunkException(key, format + " image has " + raster.getNumBands() + " channels, expected " + c);
        }
        int bytes = layout.dataType().size();
        if (raster.getSampleModel().getSampleSize(0) != 8 * bytes) {
            throw new CorruptChunkException(key, format + " image has " + raster.getSampleModel().getSampleSize(0)
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

    /** Encode the planar chunk as {@code format} with ImageIO's compression quality {@code quality} (0..1). */
    static MemorySegment write(String format, MemorySegment chunk, ChunkLayout layout, float quality) {
        int w = width(layout), h = height(layout);
        int c = layout.channels();
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
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream s = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(s);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new IllegalStateException(format + " encoding failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return MemorySegment.ofArray(out.toByteArray());
    }
}
