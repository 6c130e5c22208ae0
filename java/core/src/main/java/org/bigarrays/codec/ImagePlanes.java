package org.bigarrays.codec;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
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
        try (ImageInputStream s = new SegmentImageInputStream(encoded)) {
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
        long planeBytes = (long) w * h * bytes;
        if (copyPacked(raster, w, h, c, into, planeBytes)) return;
        int[] plane = new int[w * h];
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

    /**
     * The raster's samples straight from its pixel-interleaved byte or short array into the planar
     * chunk (what the decoders of gray and RGB images produce): no int[] plane per channel.
     * Returns false for any other raster layout, which the caller copies sample by sample.
     */
    private static boolean copyPacked(Raster raster, int w, int h, int c, MemorySegment into, long planeBytes) {
        if (!(raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel m)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || m.getPixelStride() != c || m.getScanlineStride() != w * c || raster.getDataBuffer().getNumBanks() != 1) {
            return false;
        }
        int[] offsets = m.getBandOffsets();
        for (int b = 0; b < c; b++) if (offsets[b] != b) return false;
        int pixels = w * h;
        DataBuffer db = raster.getDataBuffer();
        if (db instanceof java.awt.image.DataBufferByte bb && db.getOffset() == 0) {
            byte[] a = bb.getData();
            if (c == 1) {
                MemorySegment.copy(a, 0, into, ValueLayout.JAVA_BYTE, 0, pixels);
            } else {
                for (int b = 0; b < c; b++) {
                    long base = b * planeBytes;
                    for (int i = 0, j = b; i < pixels; i++, j += c) into.set(ValueLayout.JAVA_BYTE, base + i, a[j]);
                }
            }
            return true;
        }
        if (db instanceof java.awt.image.DataBufferUShort us && db.getOffset() == 0) {
            short[] a = us.getData();
            if (c == 1) {
                MemorySegment.copy(a, 0, into, ValueLayout.JAVA_SHORT_UNALIGNED, 0, pixels);
            } else {
                for (int b = 0; b < c; b++) {
                    long base = b * planeBytes;
                    for (int i = 0, j = b; i < pixels; i++, j += c) into.set(ValueLayout.JAVA_SHORT_UNALIGNED, base + 2L * i, a[j]);
                }
            }
            return true;
        }
        return false;
    }

    /**
     * An ImageInputStream over a segment (heap or off-heap): ImageIO reads the stored bytes where
     * they are. (ImageIO.createImageInputStream on an InputStream copied them into a byte[] and then
     * through a cache, a temporary file where ImageIO's cache is on, its default.)
     */
    private static final class SegmentImageInputStream extends javax.imageio.stream.ImageInputStreamImpl {
        private final MemorySegment s;

        SegmentImageInputStream(MemorySegment s) {
            this.s = s;
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            bitOffset = 0;
            return streamPos < s.byteSize() ? s.get(ValueLayout.JAVA_BYTE, streamPos++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkClosed();
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            bitOffset = 0;
            if (len == 0) return 0;
            long left = s.byteSize() - streamPos;
            if (left <= 0) return -1;
            int k = (int) Math.min(len, left);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, streamPos, b, off, k);
            streamPos += k;
            return k;
        }

        @Override
        public long length() {
            return s.byteSize();
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
        // In memory: ImageIO.createImageOutputStream caches through a temporary file where its cache is on (the default).
        try (ImageOutputStream s = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
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
