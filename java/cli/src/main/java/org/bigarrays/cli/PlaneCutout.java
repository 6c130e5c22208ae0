package org.bigarrays.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.LockedTempFile;

/**
 * Cutouts in (z, y, x, c) order, plane after plane: a multi-page TIFF (one page per z; channels as
 * samples per pixel, interleaved), or a C-order {@code .npy}/raw of shape (z, y, x[, c]) as
 * tifffile, scikit-image and Fiji use. The box is read in z-slabs of at most {@code --memory}
 * bytes straight into a buffer whose strides are that order (the library fills views of any
 * strides), so memory stays bounded whatever the box and no transposition copy is made; slabs
 * follow the chunk grid's z lines where a chunk row fits, so each chunk is decoded once. The
 * pages' offsets are all known in advance (every page has the same size), so the TIFF is written
 * strictly in order: to a FIFO or device as well as to a temporary file renamed at the end.
 */
final class PlaneCutout {
    /** The output forms. */
    enum Format { TIFF, NPY, RAW }

    private final BigArray array;
    private final Box box;
    private final Format format;
    private final long nx, ny, nz, channels;
    private final int es;
    private final long planeBytes;
    private final long slabPlanes;

    PlaneCutout(BigArray array, Box box, Format format, long memoryBytes) {
        this.array = array;
        this.box = box;
        this.format = format;
        this.nx = box.size(0);
        this.ny = box.size(1);
        this.nz = box.size(2);
        this.channels = array.channels();
        this.es = array.dataType().size();
        if (box.isEmpty()) throw new InvalidInputException("--box " + box + " is empty");
        this.planeBytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(nx, ny), channels), (long) es);
        if (planeBytes > memoryBytes) {
            throw new InvalidInputException("--box " + box + ": one z-plane takes " + CutoutSize.human(planeBytes) + ", more than --memory "
                    + CutoutSize.human(memoryBytes) + "; raise --memory, or cut out the default x,y,z order to .npy/.raw (streamed in tiles)");
        }
        long k = Math.min(nz, memoryBytes / planeBytes);
        long cz = array.chunkShape()[2];
        if (k >= cz) k = k / cz * cz; // whole chunk rows: each chunk decoded once
        this.slabPlanes = Math.max(1, k);
    }

    /** Bytes of the output: header (or TIFF directories) and voxels. */
    long outputBytes() {
        return format == Format.TIFF ? tiffLayout().total : header().length + planeBytes * nz;
    }

    /** Write to a file: a locked temporary sibling, renamed over {@code file} at the end (nothing new is left on failure). */
    long toFile(Path file) {
        Path p = file.toAbsolutePath();
        Path tmp = org.bigarrays.array.BigArray.cutoutTemporary(file, box, outputBytes());
        try (LockedTempFile t = LockedTempFile.acquire(tmp)) {
            boolean done = false;
            try {
                long n = toStream(t.channel());
                t.renameTo(p);
                done = true;
                return n;
            } finally {
                if (!done) t.delete();
            }
        } catch (IOException e) {
            throw new StorageException(file.toString(), "", "write cutout", e.toString(), e);
        }
    }

    /** Write everything to {@code out} in order. */
    long toStream(WritableByteChannel out) throws IOException {
        TiffLayout tiff = format == Format.TIFF ? tiffLayout() : null;
        long written = 0;
        if (tiff == null) written += write(out, ByteBuffer.wrap(header()));
        else written += write(out, tiff.header());
        long total = planeBytes * nz;
        long done = 0;
        DataType type = array.dataType();
        long[] strides = {channels * es, nx * channels * es, nx * ny * channels * es, es};
        // The slab reads report chunks; this bar counts bytes written, as StreamedCutout's does.
        BigArray reader = array.withOptions(array.options().withProgress(org.bigarrays.array.ProgressListener.NONE));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(planeBytes * slabPlanes, 64);
            long z = box.min(2);
            long base = array.bounds().min(2), cz = array.chunkShape()[2];
            while (z < box.max(2)) {
                long end = Math.min(box.max(2), z + slabPlanes);
                if (slabPlanes >= cz) {
                    long line = base + Math.floorDiv(end - base, cz) * cz; // end on a chunk z line when one lies past z
                    if (line > z && end < box.max(2)) end = line;
                }
                long k = end - z;
                Box slab = Box.of(new long[] {box.min(0), box.min(1), z}, new long[] {box.max(0), box.max(1), end});
                NdView into = NdView.wrap(buf, 0, type, new long[] {box.min(0), box.min(1), z, 0}, new long[] {nx, ny, k, channels}, strides);
                reader.read(slab, into);
                for (long i = 0; i < k; i++) {
                    long page = z - box.min(2) + i;
                    if (tiff != null) written += write(out, tiff.ifd(page));
                    written += writeSegment(out, buf.asSlice(i * planeBytes, planeBytes));
                    if (tiff != null && (planeBytes & 1) == 1) written += write(out, ByteBuffer.allocate(1)); // IFDs start on a word boundary
                }
                done += k * planeBytes;
                array.options().progress().update(done, total);
                z = end;
            }
        }
        return written;
    }

    /** The C-order .npy header of shape (z, y, x) or (z, y, x, c); none for raw. */
    private byte[] header() {
        if (format != Format.NPY) return new byte[0];
        long[] shape = channels == 1 ? new long[] {nz, ny, nx} : new long[] {nz, ny, nx, channels};
        return NpyHeader.of(array.dataType(), shape, false);
    }

    private static long write(WritableByteChannel out, ByteBuffer b) throws IOException {
        long n = b.remaining();
        while (b.hasRemaining()) out.write(b);
        return n;
    }

    private static long writeSegment(WritableByteChannel out, MemorySegment s) throws IOException {
        long n = 0;
        for (long off = 0; off < s.byteSize(); off += 1 << 30) n += write(out, s.asSlice(off, Math.min(1L << 30, s.byteSize() - off)).asByteBuffer());
        return n;
    }

    // ---- TIFF ----

    private static final int SHORT = 3, LONG = 4, LONG8 = 16;

    /** The largest classic TIFF (32-bit offsets); tests lower it to write small BigTIFFs. */
    static volatile long classicTiffLimit = 0xffff_ffffL;

    /**
     * Where everything goes: header, then per page its IFD, the IFD's external values, the pixels
     * (one strip) and a pad byte to keep the next IFD on a word boundary. BigTIFF (64-bit offsets,
     * which tifffile, Fiji and libtiff read) when the file would pass 4 GiB.
     */
    private TiffLayout tiffLayout() {
        DataType t = array.dataType();
        int spp = Math.toIntExact(channels);
        if (spp > 65535) throw new InvalidInputException("TIFF holds at most 65535 samples per pixel; this layer has " + spp + " channels: cut out .npy");
        int sampleFormat = t.isFloat() ? 3 : t.isSigned() ? 2 : 1;
        int bits = t == DataType.BOOL ? 8 : es * 8;
        long pageData = planeBytes + (planeBytes & 1);
        TiffLayout classic = new TiffLayout(false, spp, bits, sampleFormat, pageData);
        return classic.total <= classicTiffLimit && planeBytes <= classicTiffLimit ? classic : new TiffLayout(true, spp, bits, sampleFormat, pageData);
    }

    private final class TiffLayout {
        final boolean big;
        final int spp, bits, sampleFormat;
        final int entries;
        final long ifdBytes, extBytes, pageBlock, headerBytes, total;

        TiffLayout(boolean big, int spp, int bits, int sampleFormat, long pageData) {
            this.big = big;
            this.spp = spp;
            this.bits = bits;
            this.sampleFormat = sampleFormat;
            this.entries = spp > 1 ? 12 : 11;
            this.headerBytes = big ? 16 : 8;
            this.ifdBytes = big ? 8 + 20L * entries + 8 : 2 + 12L * entries + 4;
            long ext = 0;
            for (long count : spp > 1 ? new long[] {spp, spp - 1, spp} : new long[0]) ext += external(count) ? align(count * 2) : 0;
            this.extBytes = ext;
            this.pageBlock = ifdBytes + extBytes + pageData;
            this.total = headerBytes + pageBlock * nz;
        }

        private boolean external(long shorts) {
            return shorts * 2 > (big ? 8 : 4);
        }

        private static long align(long n) {
            return n + (n & 1);
        }

        ByteBuffer header() {
            ByteBuffer b = ByteBuffer.allocate((int) headerBytes).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) 'I').put((byte) 'I');
            if (big) b.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(headerBytes);
            else b.putShort((short) 42).putInt((int) headerBytes);
            return b.flip();
        }

        /** The IFD of page {@code page} and its external values. */
        ByteBuffer ifd(long page) {
            long at = headerBytes + page * pageBlock;
            long ext = at + ifdBytes;
            long data = ext + extBytes;
            ByteBuffer b = ByteBuffer.allocate((int) (ifdBytes + extBytes)).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer values = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) ifdBytes);
            if (big) b.putLong(entries);
            else b.putShort((short) entries);
            // Tags in ascending order, as TIFF requires.
            entry(b, 256, LONG, 1, nx, null);
            entry(b, 257, LONG, 1, ny, null);
            ext = shorts(b, values, 258, spp, bits, ext);
            entry(b, 259, SHORT, 1, 1, null); // no compression
            entry(b, 262, SHORT, 1, 1, null); // BlackIsZero
            entry(b, 273, big ? LONG8 : LONG, 1, data, null);
            entry(b, 277, SHORT, 1, spp, null);
            entry(b, 278, LONG, 1, ny, null);
            entry(b, 279, big ? LONG8 : LONG, 1, planeBytes, null);
            entry(b, 284, SHORT, 1, 1, null); // interleaved samples
            if (spp > 1) ext = shorts(b, values, 338, spp - 1, 0, ext); // extra samples: unspecified
            shorts(b, values, 339, spp, sampleFormat, ext);
            long next = page + 1 < nz ? at + pageBlock : 0;
            if (big) b.putLong(next);
            else b.putInt((int) next);
            return b.position(0).limit((int) (ifdBytes + extBytes));
        }

        /** A SHORT entry of {@code count} equal values, inline or at {@code ext}; returns the next free external offset. */
        private long shorts(ByteBuffer b, ByteBuffer values, int tag, long count, int value, long ext) {
            if (!external(count)) {
                entry(b, tag, SHORT, count, 0, new int[] {value, (int) count});
                return ext;
            }
            entry(b, tag, SHORT, count, ext, null);
            for (long i = 0; i < count; i++) values.putShort((short) value); // 2*count bytes: already on a word boundary
            return ext + align(count * 2);
        }

        /** One entry; {@code inlineShorts} = {value, count} writes count SHORTs into the value field. */
        private void entry(ByteBuffer b, int tag, int type, long count, long value, int[] inlineShorts) {
            b.putShort((short) tag).putShort((short) type);
            if (big) b.putLong(count);
            else b.putInt((int) count);
            int field = big ? 8 : 4;
            int start = b.position();
            if (inlineShorts != null) {
                for (int i = 0; i < inlineShorts[1]; i++) b.putShort((short) inlineShorts[0]);
            } else if (type == SHORT) {
                b.putShort((short) value);
            } else if (type == LONG) {
                b.putInt((int) value);
            } else {
                b.putLong(value);
            }
            while (b.position() < start + field) b.put((byte) 0);
        }
    }
}
