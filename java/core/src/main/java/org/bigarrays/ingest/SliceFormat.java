package org.bigarrays.ingest;

import java.awt.Rectangle;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferDouble;
import java.awt.image.DataBufferFloat;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.stream.ImageInputStream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * The size and sample type of one image page, read from its header, and the decoding of a page
 * (or a region of it) into a plane of an {@link NdView}. Sample types map to data types:
 * 8-bit (and 1..8-bit) → uint8, 16-bit unsigned → uint16, signed → int16, 32-bit integer →
 * uint32 or int32 (TIFF SampleFormat), 32/64-bit float → float32/float64. Each band is a channel.
 * Samples are taken as stored in the raster: a palette image gives its indices.
 */
record SliceFormat(int width, int height, DataType type, int bands) implements Serializable {
    private static final int TIFF_SAMPLE_FORMAT = 339;
    private static final int SAMPLE_FORMAT_SIGNED = 2;

    /** The pages of one file. */
    record Header(List<SliceFormat> pages) {}

    /** Read the header of every page of {@code file}. */
    static Header header(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new InvalidInputException("cannot open image " + file);
            ImageReader r = readerFor(in, file.toString());
            try {
                r.setInput(in, false, false);
                int n = r.getNumImages(true);
                if (n < 1) throw new InvalidInputException(file + ": the image file has no pages");
                List<SliceFormat> pages = new ArrayList<>(n);
                for (int i = 0; i < n; i++) pages.add(of(r, i, file.toString()));
                return new Header(pages);
            } finally {
                r.dispose();
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file + ": cannot read the image header: " + message(e), e);
        }
    }

    private static ImageReader readerFor(ImageInputStream in, String where) {
        Iterator<ImageReader> it = ImageIO.getImageReaders(in);
        if (!it.hasNext()) throw new InvalidInputException(where + ": not an image ImageIO can read (TIFF, PNG, JPEG)");
        return it.next();
    }

    private static SliceFormat of(ImageReader r, int page, String where) throws IOException {
        ImageTypeSpecifier t = r.getRawImageType(page);
        if (t == null) {
            Iterator<ImageTypeSpecifier> types = r.getImageTypes(page);
            if (!types.hasNext()) throw new InvalidInputException(where + ": the image reader names no pixel type for page " + page);
            t = types.next();
        }
        SampleModel sm = t.getSampleModel();
        int bits = 0;
        for (int s : sm.getSampleSize()) bits = Math.max(bits, s);
        DataType dt = switch (sm.getDataType()) {
            case DataBuffer.TYPE_BYTE -> DataType.UINT8;
            case DataBuffer.TYPE_USHORT -> DataType.UINT16;
            case DataBuffer.TYPE_SHORT -> DataType.INT16;
            case DataBuffer.TYPE_INT -> sm instanceof SinglePixelPackedSampleModel ? (bits <= 8 ? DataType.UINT8 : DataType.UINT16)
                    : signedTiff(r, page) ? DataType.INT32 : DataType.UINT32;
            case DataBuffer.TYPE_FLOAT -> DataType.FLOAT32;
            case DataBuffer.TYPE_DOUBLE -> DataType.FLOAT64;
            default -> throw new InvalidInputException(where + ": unsupported sample type " + sm.getDataType() + " (page " + page + ")");
        };
        return new SliceFormat(r.getWidth(page), r.getHeight(page), dt, sm.getNumBands());
    }

    /** Whether a TIFF page declares signed integer samples (SampleFormat = 2); TIFF's default is unsigned. */
    private static boolean signedTiff(ImageReader r, int page) throws IOException {
        IIOMetadata md = r.getImageMetadata(page);
        if (md == null) return false;
        try {
            TIFFField f = TIFFDirectory.createFromMetadata(md).getTIFFField(TIFF_SAMPLE_FORMAT);
            return f != null && f.getAsInt(0) == SAMPLE_FORMAT_SIGNED;
        } catch (javax.imageio.metadata.IIOInvalidTreeException | IllegalArgumentException notTiff) {
            return false;
        }
    }

    /**
     * Decode the region {@code [x, x+w) × [y, y+h)} of {@code page} into {@code plane} (rank 4,
     * shape {@code [w, h, 1, bands]}). Only the region's rows (and, for tiled TIFF, tiles) are
     * kept in memory.
     * @throws InvalidInputException naming the file (and page) when it cannot be decoded or does
     *     not match {@code expected}
     */
    static void decode(ImageSlices.Page page, int x, int y, int w, int h, SliceFormat expected, NdView plane) {
        String where = page.file() + (page.page() > 0 ? " page " + page.page() : "");
        Raster raster;
        try (ImageInputStream in = ImageIO.createImageInputStream(Path.of(page.file()).toFile())) {
            if (in == null) throw new InvalidInputException("cannot open image " + where);
            ImageReader r = readerFor(in, where);
            try {
                r.setInput(in, false, true);
                ImageReadParam p = r.getDefaultReadParam();
                if (x != 0 || y != 0 || w != expected.width() || h != expected.height()) p.setSourceRegion(new Rectangle(x, y, w, h));
                raster = r.read(page.page(), p).getRaster();
            } finally {
                r.dispose();
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(where + ": cannot decode the image: " + message(e), e);
        }
        if (raster.getWidth() != w || raster.getHeight() != h || raster.getNumBands() != expected.bands()) {
            throw new InvalidInputException(where + ": decoded " + raster.getWidth() + "x" + raster.getHeight() + "x" + raster.getNumBands()
                    + " samples, expected " + w + "x" + h + "x" + expected.bands());
        }
        if (!copyDirect(raster, expected.type(), plane)) copySamples(raster, expected.type(), plane, where);
    }

    private static final int TIFF_PHOTOMETRIC = 262;
    private static final int TIFF_COMPRESSION = 259;
    private static final int TIFF_FILL_ORDER = 266;
    private static final int TIFF_STRIP_OFFSETS = 273;
    private static final int TIFF_SAMPLES_PER_PIXEL = 277;
    private static final int TIFF_ROWS_PER_STRIP = 278;
    private static final int TIFF_STRIP_BYTE_COUNTS = 279;
    private static final int TIFF_BITS_PER_SAMPLE = 258;
    private static final int TIFF_PLANAR_CONFIGURATION = 284;
    private static final int TIFF_PREDICTOR = 317;
    private static final int TIFF_TILE_WIDTH = 322;

    /**
     * The strip layout of {@code page} when {@link TiffStrips} can stream it and that pays: a TIFF
     * page in strips of at least {@link TiffStrips#MIN_STRIP_BYTES} decoded bytes, uncompressed or
     * deflate, samples of the page's type stored whole (8..64 bits, chunky), no predictor or the
     * horizontal one on 8..32-bit integers, photometric BlackIsZero, RGB or palette (samples as
     * stored, as ImageIO gives them). Else null: ImageIO decodes the page (tiles, LZW, JPEG, small strips...).
     * @throws InvalidInputException naming the file when it cannot be read
     */
    static TiffStrips.Layout stripLayout(ImageSlices.Page page, SliceFormat expected) {
        String where = page.file() + (page.page() > 0 ? " page " + page.page() : "");
        try (ImageInputStream in = ImageIO.createImageInputStream(Path.of(page.file()).toFile())) {
            if (in == null) throw new InvalidInputException("cannot open image " + where);
            ImageReader r = readerFor(in, where);
            try {
                if (!r.getFormatName().equalsIgnoreCase("tif") && !r.getFormatName().equalsIgnoreCase("tiff")) return null;
                r.setInput(in, false, false);
                IIOMetadata md = r.getImageMetadata(page.page());
                TIFFDirectory d;
                try {
                    d = TIFFDirectory.createFromMetadata(md);
                } catch (javax.imageio.metadata.IIOInvalidTreeException | IllegalArgumentException notTiff) {
                    return null;
                }
                in.seek(0);
                boolean bigEndian = in.read() == 'M'; // "MM": big-endian, "II": little-endian
                return stripLayout(d, expected, bigEndian);
            } finally {
                r.dispose();
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(where + ": cannot read the image header: " + message(e), e);
        }
    }

    private static TiffStrips.Layout stripLayout(TIFFDirectory d, SliceFormat expected, boolean bigEndian) {
        if (d.containsTIFFField(TIFF_TILE_WIDTH)) return null;
        int compression = intField(d, TIFF_COMPRESSION, 1);
        if (compression != TiffStrips.COMPRESSION_NONE && compression != TiffStrips.COMPRESSION_DEFLATE
                && compression != TiffStrips.COMPRESSION_DEFLATE_OLD) return null;
        int spp = intField(d, TIFF_SAMPLES_PER_PIXEL, 1);
        if (spp != expected.bands() || spp > 1 && intField(d, TIFF_PLANAR_CONFIGURATION, 1) != 1) return null;
        int photometric = intField(d, TIFF_PHOTOMETRIC, -1);
        if (photometric != 1 && photometric != 2 && photometric != 3) return null;
        if (intField(d, TIFF_FILL_ORDER, 1) != 1) return null;
        TIFFField bits = d.getTIFFField(TIFF_BITS_PER_SAMPLE);
        int size = expected.type().size();
        if (bits == null || size < 1 || size > 8) return null;
        for (int i = 0; i < bits.getCount(); i++) if (bits.getAsInt(i) != size * 8) return null;
        int predictor = intField(d, TIFF_PREDICTOR, 1);
        boolean integer = expected.type() != DataType.FLOAT32 && expected.type() != DataType.FLOAT64;
        if (predictor != 1 && !(predictor == TiffStrips.PREDICTOR_HORIZONTAL && integer && size <= 4)) return null;
        TIFFField offsets = d.getTIFFField(TIFF_STRIP_OFFSETS);
        TIFFField counts = d.getTIFFField(TIFF_STRIP_BYTE_COUNTS);
        if (offsets == null || counts == null || offsets.getCount() != counts.getCount()) return null;
        long rps = d.containsTIFFField(TIFF_ROWS_PER_STRIP) ? d.getTIFFField(TIFF_ROWS_PER_STRIP).getAsLong(0) : Integer.MAX_VALUE;
        int rowsPerStrip = (int) Math.max(1, Math.min(expected.height(), rps));
        long strips = ((long) expected.height() + rowsPerStrip - 1) / rowsPerStrip;
        if (offsets.getCount() < strips) return null; // ImageIO names the damage
        long[] o = new long[(int) strips];
        long[] c = new long[(int) strips];
        for (int i = 0; i < strips; i++) {
            o[i] = offsets.getAsLong(i);
            c[i] = counts.getAsLong(i);
        }
        TiffStrips.Layout l = new TiffStrips.Layout(expected.width(), expected.height(), rowsPerStrip, o, c, compression, predictor, spp, size, bigEndian);
        return l.stripBytes() >= TiffStrips.MIN_STRIP_BYTES && l.rowBytes() <= Integer.MAX_VALUE - 16 ? l : null;
    }

    private static int intField(TIFFDirectory d, int tag, int absent) {
        TIFFField f = d.getTIFFField(tag);
        return f == null ? absent : f.getAsInt(0);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && (m == null || !m.contains(c.getMessage()))) m = (m == null ? "" : m + ": ") + c.getMessage();
        return m == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
    }

    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * The fast path: a component raster whose samples have the plane's type is copied row by row
     * from its Java array (one bulk copy per row when pixels are not interleaved).
     * @return false when the raster or the types do not allow it
     */
    private static boolean copyDirect(Raster raster, DataType sourceType, NdView plane) {
        if (!(raster.getSampleModel() instanceof ComponentSampleModel csm) || sourceType != plane.dataType()) return false;
        DataBuffer db = raster.getDataBuffer();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int ps = csm.getPixelStride();
        int ss = csm.getScanlineStride();
        int[] bandOffsets = csm.getBandOffsets();
        int[] banks = csm.getBankIndices();
        int sx = raster.getMinX() - raster.getSampleModelTranslateX();
        int sy = raster.getMinY() - raster.getSampleModelTranslateY();
        long[] st = plane.strides();
        MemorySegment seg = plane.segment();
        int size = sourceType.size();
        boolean denseX = st[0] == size;
        for (int b = 0; b < raster.getNumBands(); b++) {
            int bank = banks[b];
            Object array = switch (db) {
                case DataBufferByte d -> d.getData(bank);
                case DataBufferUShort d -> d.getData(bank);
                case DataBufferShort d -> d.getData(bank);
                case DataBufferInt d -> d.getData(bank);
                case DataBufferFloat d -> d.getData(bank);
                case DataBufferDouble d -> d.getData(bank);
                default -> null;
            };
            if (array == null) return false;
            ValueLayout layout = switch (db.getDataType()) {
                case DataBuffer.TYPE_BYTE -> ValueLayout.JAVA_BYTE;
                case DataBuffer.TYPE_USHORT, DataBuffer.TYPE_SHORT -> S;
                case DataBuffer.TYPE_INT -> I;
                case DataBuffer.TYPE_FLOAT -> F;
                default -> D;
            };
            if (layout.byteSize() != size) return false;
            int base = db.getOffsets()[bank] + bandOffsets[b];
            for (int row = 0; row < h; row++) {
                int src = base + (sy + row) * ss + sx * ps;
                long dst = plane.byteOffset() + row * st[1] + b * st[3];
                if (ps == 1 && denseX) {
                    MemorySegment.copy(array, src, seg, layout, dst, w);
                } else {
                    for (int c = 0; c < w; c++, src += ps, dst += st[0]) {
                        switch (array) {
                            case byte[] a -> seg.set(ValueLayout.JAVA_BYTE, dst, a[src]);
                            case short[] a -> seg.set(S, dst, a[src]);
                            case int[] a -> seg.set(I, dst, a[src]);
                            case float[] a -> seg.set(F, dst, a[src]);
                            case double[] a -> seg.set(D, dst, a[src]);
                            default -> throw new IllegalStateException("unexpected sample array " + array.getClass());
                        }
                    }
                }
            }
        }
        return true;
    }

    /** The general path (packed or bit samples, or another destination type): sample by sample, each checked to fit. */
    private static void copySamples(Raster raster, DataType sourceType, NdView plane, String where) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        long[] o = plane.origin();
        long[] at = new long[4];
        double[] row = new double[w];
        int[] irow = new int[w];
        DataType t = plane.dataType();
        for (int b = 0; b < raster.getNumBands(); b++) {
            for (int r = 0; r < h; r++) {
                int ry = raster.getMinY() + r;
                boolean unsigned32 = sourceType == DataType.UINT32;
                if (unsigned32) raster.getSamples(raster.getMinX(), ry, w, 1, b, irow);
                else raster.getSamples(raster.getMinX(), ry, w, 1, b, row);
                for (int c = 0; c < w; c++) {
                    at[0] = o[0] + c; at[1] = o[1] + r; at[2] = o[2]; at[3] = o[3] + b;
                    double v = unsigned32 ? (double) Integer.toUnsignedLong(irow[c]) : row[c];
                    Convert.put(plane, at, v, t, where);
                }
            }
        }
    }
}
