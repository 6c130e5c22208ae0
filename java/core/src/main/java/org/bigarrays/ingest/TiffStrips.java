package org.bigarrays.ingest;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Rows of a TIFF page stored in tall strips (uncompressed or deflate), streamed: each strip is
 * inflated once, front to back, however many boxes ask for its rows in turn. ImageIO's TIFF reader,
 * asked for a region, inflates the whole strip into one buffer every time (a 40000×40000 uint8
 * page in one strip: 1.6 GB allocated and inflated again for each of its 625 boxes); this keeps
 * one row, 64 KiB of input and the inflater's window instead, and goes on from where the last box
 * stopped. The layout (offsets, compression, predictor, byte order) comes from ImageIO's parse of
 * the page's IFD ({@link SliceFormat#stripLayout}); only the rows are read here.
 *
 * <p>One instance per page and pass; not for concurrent use (its methods are synchronized).
 */
final class TiffStrips {
    /** Pages whose strips decode to at least this many bytes are streamed; smaller strips are cheap to decode again. */
    static final long MIN_STRIP_BYTES = 4L << 20;
    static final int COMPRESSION_NONE = 1;
    static final int COMPRESSION_DEFLATE = 8;
    static final int COMPRESSION_DEFLATE_OLD = 32946;
    static final int PREDICTOR_HORIZONTAL = 2;

    /** Where a page's strips are and how they are coded (from its IFD). */
    record Layout(int width, int height, int rowsPerStrip, long[] offsets, long[] byteCounts, int compression, int predictor,
                  int samplesPerPixel, int bytesPerSample, boolean bigEndian) {
        long rowBytes() {
            return (long) width * samplesPerPixel * bytesPerSample;
        }

        long stripBytes() {
            return rowBytes() * Math.min(rowsPerStrip, height);
        }
    }

    private final Path file;
    private final String where;
    private final Layout layout;
    private final DataType type;
    private final byte[] row;
    private final byte[] input = new byte[64 << 10];
    private Inflater inflater;
    private int strip = -1;
    /** The next row {@link #nextRow()} gives, and the file offset of the next byte of its strip not yet handed to the inflater. */
    private int nextRow;
    private long filePos;
    private long stripEnd;

    TiffStrips(Path file, String where, Layout layout, DataType type) {
        this.file = file;
        this.where = where;
        this.layout = layout;
        this.type = type;
        this.row = new byte[Math.toIntExact(layout.rowBytes())];
    }

    /**
     * Decode the region {@code [x, x+w) × [y, y+h)} into {@code plane} (shape {@code [w, h, 1, bands]}):
     * rows from where the last call stopped when {@code y} is not above it, else from the start of {@code y}'s strip.
     */
    synchronized void read(int x, int y, int w, int h, NdView plane) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int targetStrip = y / layout.rowsPerStrip();
            // Back (a box above the last one: restart its strip), or ahead past whole strips (skip them without inflating).
            if (y < nextRow || targetStrip > strip) startStrip(targetStrip);
            while (nextRow < y) nextRow(ch);
            for (int r = 0; r < h; r++) {
                nextRow(ch);
                copyRow(x, w, r, plane);
            }
            if (nextRow >= layout.height()) end();
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot read strip " + strip + ": " + e.getMessage(), e);
        }
    }

    /** Release the inflater (also done when the last row has been read). */
    synchronized void end() {
        if (inflater != null) inflater.end();
        inflater = null;
        strip = -1;
        nextRow = 0;
    }

    private void startStrip(int s) {
        if (s >= layout.offsets().length) throw new InvalidInputException(where + ": row " + (s * (long) layout.rowsPerStrip()) + " is in strip " + s
                + ", but the page has " + layout.offsets().length);
        strip = s;
        nextRow = s * layout.rowsPerStrip();
        filePos = layout.offsets()[s];
        stripEnd = filePos + layout.byteCounts()[s];
        if (layout.compression() != COMPRESSION_NONE) {
            if (inflater == null) inflater = new Inflater();
            else inflater.reset();
        }
    }

    /** Read row {@code nextRow} into {@link #row}, undoing the predictor; the next strip starts where this one ends. */
    private void nextRow(FileChannel ch) throws IOException {
        if (strip < 0 || nextRow >= (strip + 1) * (long) layout.rowsPerStrip()) startStrip(strip < 0 ? nextRow / layout.rowsPerStrip() : strip + 1);
        if (layout.compression() == COMPRESSION_NONE) {
            long pos = layout.offsets()[strip] + (long) (nextRow - strip * layout.rowsPerStrip()) * row.length;
            ByteBuffer b = ByteBuffer.wrap(row);
            while (b.hasRemaining()) {
                if (ch.read(b, pos + b.position()) < 0) throw new InvalidInputException(where + ": the file ends inside strip " + strip);
            }
        } else {
            inflate(ch);
        }
        if (layout.predictor() == PREDICTOR_HORIZONTAL) undoHorizontalPredictor();
        nextRow++;
    }

    private void inflate(FileChannel ch) throws IOException {
        int off = 0;
        try {
            while (off < row.length) {
                int n = inflater.inflate(row, off, row.length - off);
                off += n;
                if (off == row.length) break;
                if (inflater.finished()) {
                    throw new InvalidInputException(where + ": strip " + strip + " inflates to fewer bytes than its " + layout.rowsPerStrip()
                            + " rows of " + row.length);
                }
                if (inflater.needsDictionary()) throw new InvalidInputException(where + ": strip " + strip + " needs a preset dictionary");
                if (n == 0 && !inflater.needsInput()) throw new InvalidInputException(where + ": strip " + strip + " stalls while inflating");
                if (n == 0) {
                    int len = (int) Math.min(input.length, stripEnd - filePos);
                    if (len <= 0) throw new InvalidInputException(where + ": strip " + strip + " ends before its rows do");
                    ByteBuffer b = ByteBuffer.wrap(input, 0, len);
                    while (b.hasRemaining()) {
                        if (ch.read(b, filePos + b.position()) < 0) throw new InvalidInputException(where + ": the file ends inside strip " + strip);
                    }
                    filePos += len;
                    inflater.setInput(input, 0, len);
                }
            }
        } catch (DataFormatException e) {
            throw new InvalidInputException(where + ": strip " + strip + " is not valid deflate data: " + e.getMessage(), e);
        }
    }

    /** TIFF Predictor 2: each sample was stored as the difference from the same band's sample one pixel to the left. */
    private void undoHorizontalPredictor() {
        int spp = layout.samplesPerPixel();
        int n = layout.width() * spp;
        switch (layout.bytesPerSample()) {
            case 1 -> {
                for (int i = spp; i < n; i++) row[i] += row[i - spp];
            }
            case 2 -> {
                ValueLayout.OfShort l = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order());
                MemorySegment s = MemorySegment.ofArray(row);
                for (int i = spp; i < n; i++) s.setAtIndex(l, i, (short) (s.getAtIndex(l, i) + s.getAtIndex(l, i - spp)));
            }
            case 4 -> {
                ValueLayout.OfInt l = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order());
                MemorySegment s = MemorySegment.ofArray(row);
                for (int i = spp; i < n; i++) s.setAtIndex(l, i, s.getAtIndex(l, i) + s.getAtIndex(l, i - spp));
            }
            default -> throw new IllegalStateException("predictor 2 with " + layout.bytesPerSample() + "-byte samples"); // excluded by stripLayout
        }
    }

    private ByteOrder order() {
        return layout.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Columns {@code [x, x+w)} of {@link #row} into row {@code r} of {@code plane}: bulk when the layout allows, else sample by sample (converted and checked when the plane's type differs). */
    private void copyRow(int x, int w, int r, NdView plane) {
        int spp = layout.samplesPerPixel();
        int size = layout.bytesPerSample();
        long[] st = plane.strides();
        MemorySegment dst = plane.segment();
        MemorySegment src = MemorySegment.ofArray(row);
        long base = plane.byteOffset() + r * st[1];
        boolean sameType = plane.dataType() == type;
        if (sameType && (!layout.bigEndian() || size == 1) && st[0] == (long) size * spp && (spp == 1 || st[3] == size)) {
            // x-fastest, bands interleaved as in the file (or one band): one copy.
            MemorySegment.copy(src, (long) x * spp * size, dst, base, (long) w * spp * size);
            return;
        }
        ValueLayout layoutIn = layoutOf(size, order());
        long[] at = new long[4];
        long[] o = plane.origin();
        for (int c = 0; c < w; c++) {
            for (int b = 0; b < spp; b++) {
                long s = ((long) (x + c) * spp + b) * size;
                if (sameType) {
                    long d = base + c * st[0] + b * st[3];
                    switch (size) {
                        case 1 -> dst.set(ValueLayout.JAVA_BYTE, d, src.get(ValueLayout.JAVA_BYTE, s));
                        case 2 -> dst.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), d, src.get((ValueLayout.OfShort) layoutIn, s));
                        case 4 -> dst.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), d, src.get((ValueLayout.OfInt) layoutIn, s));
                        default -> dst.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), d, src.get((ValueLayout.OfLong) layoutIn, s));
                    }
                } else {
                    at[0] = o[0] + c; at[1] = o[1] + r; at[2] = o[2]; at[3] = o[3] + b;
                    Convert.put(plane, at, value(src, s, layoutIn), plane.dataType(), where);
                }
            }
        }
    }

    private static ValueLayout layoutOf(int size, ByteOrder order) {
        return switch (size) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
            default -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
        };
    }

    /** The sample at byte {@code s} of the row as a number, read as the source's type. */
    private double value(MemorySegment src, long s, ValueLayout l) {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, s));
            case INT8 -> src.get(ValueLayout.JAVA_BYTE, s);
            case UINT16 -> Short.toUnsignedInt(src.get((ValueLayout.OfShort) l, s));
            case INT16 -> src.get((ValueLayout.OfShort) l, s);
            case UINT32 -> Integer.toUnsignedLong(src.get((ValueLayout.OfInt) l, s));
            case INT32 -> src.get((ValueLayout.OfInt) l, s);
            case FLOAT32 -> Float.intBitsToFloat(src.get((ValueLayout.OfInt) l, s));
            case FLOAT64 -> Double.longBitsToDouble(src.get((ValueLayout.OfLong) l, s));
            default -> throw new IllegalStateException("TIFF samples of type " + type); // excluded by stripLayout
        };
    }
}
