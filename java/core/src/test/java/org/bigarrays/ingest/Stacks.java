package org.bigarrays.ingest;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bigarrays.core.DataType;

/**
 * Image stacks for ingest tests and benchmarks, written with the JDK's ImageIO: slice z of a
 * stack holds {@link #value} at each pixel, so a test can check any voxel without keeping the
 * stack in memory.
 */
public final class Stacks {
    private Stacks() {}

    /** The sample at (x, y, z, band) of a generated stack of {@code type}: varied, in range, signed where the type is. */
    public static double value(DataType type, long x, long y, long z, int band) {
        long v = x * 7 + y * 13 + z * 31 + band * 101;
        return switch (type) {
            case UINT8 -> v & 0xff;
            case UINT16 -> (v * 257) & 0xffff;
            case INT16 -> (short) (v * 259);
            case UINT32 -> (v * 16_777_259L) & 0xffffffffL;
            case INT32 -> (int) (v * 16_777_259L);
            case FLOAT32 -> (float) (v * 0.25 - 1000.5);
            case FLOAT64 -> v * 0.125 - 1e6;
            default -> throw new IllegalArgumentException("no images of " + type);
        };
    }

    /** Slice {@code z} as an image of {@code type} with {@code bands} bands (uint8 only for more than one). */
    public static BufferedImage slice(DataType type, int w, int h, int z, int bands) {
        BufferedImage img;
        if (bands == 3) {
            img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        } else if (type == DataType.UINT8) {
            img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        } else if (type == DataType.UINT16) {
            img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        } else {
            int db = switch (type) {
                case INT16 -> DataBuffer.TYPE_SHORT;
                case UINT32, INT32 -> DataBuffer.TYPE_INT;
                case FLOAT32 -> DataBuffer.TYPE_FLOAT;
                case FLOAT64 -> DataBuffer.TYPE_DOUBLE;
                default -> throw new IllegalArgumentException("no images of " + type);
            };
            ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false, Transparency.OPAQUE, db);
            img = new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
        }
        WritableRaster r = img.getRaster();
        for (int b = 0; b < bands; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = value(type, x, y, z, b);
                    if (type == DataType.UINT32) r.setSample(x, y, b, (int) (long) v);
                    else r.setSample(x, y, b, v);
                }
            }
        }
        return img;
    }

    /** {@code depth} files {@code prefix<z><suffix>} (z not zero-padded, so only a natural sort gets them right). */
    public static List<Path> writeSlices(Path dir, String prefix, String format, DataType type, int w, int h, int depth, int bands) {
        List<Path> out = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int z = 0; z < depth; z++) {
                Path f = dir.resolve(prefix + z + "." + format);
                if (!ImageIO.write(slice(type, w, h, z, bands), format, f.toFile())) throw new IllegalStateException("no ImageIO writer for " + format);
                if (type == DataType.UINT32) markUnsigned(f);
                out.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * ImageIO writes 32-bit integer TIFFs as signed (SampleFormat 2); patch the tag's value to 1
     * (unsigned) in place, as a microscope's uint32 TIFF has it. The writer's files are big-endian.
     */
    private static void markUnsigned(Path tiff) throws IOException {
        byte[] b = Files.readAllBytes(tiff);
        byte[] entry = {0x01, 0x53, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02};
        for (int i = 0; i + entry.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + entry.length, entry, 0, entry.length)) {
                b[i + 9] = 1;
                Files.write(tiff, b);
                return;
            }
        }
        throw new IllegalStateException("no SampleFormat tag in " + tiff);
    }

    /** One multi-page TIFF with pages z0 .. z0+depth-1. */
    public static Path writeMultiPageTiff(Path file, DataType type, int w, int h, int z0, int depth) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int z = z0; z < z0 + depth; z++) writer.writeToSequence(new IIOImage(slice(type, w, h, z, 1), null, null), null);
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return file;
    }
}
