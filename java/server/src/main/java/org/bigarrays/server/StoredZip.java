package org.bigarrays.server;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A zip archive of STORED (uncompressed) entries written front to back to a stream, for
 * {@code .npz} responses: nothing is buffered but the central directory (about 100 bytes per
 * entry). Each entry's size is known before its bytes: an entry held in memory gets its CRC-32
 * first and a local header with CRC and sizes ({@link #add}); a streamed entry gets a data
 * descriptor after its bytes ({@link #open}, bit 3). ZIP64 records (APPNOTE 4.5.3, 4.3.14) are
 * written where a size or the offsets reach 4 GiB - 1, or the entries reach 65,535, so archives
 * and entries of any size work; the central directory may list the entries in another order than
 * they were written; {@link #size} gives the archive's length before it is written
 * (a Content-Length). Entry names are ASCII. Not thread-safe.
 */
final class StoredZip {
    private static final long MAX32 = 0xFFFFFFFFL;
    private static final int MAX16 = 0xFFFF;
    private static final int LOCAL_HEADER = 30;
    private static final int CENTRAL_HEADER = 46;
    private static final int END = 22;
    private static final int ZIP64_END = 56;
    private static final int ZIP64_LOCATOR = 20;
    // DOS time 00:00, date 1980-01-01: fixed, so equal requests give equal bytes.
    private static final int DOS_TIME = 0;
    private static final int DOS_DATE = (1 << 5) | 1;

    private record Entry(byte[] name, long size, long crc, long offset, boolean descriptor) {}

    private final OutputStream out;
    private final boolean forceZip64;
    private final List<Entry> entries = new ArrayList<>();
    private final byte[] buffer = new byte[64 << 10];
    private long written;
    private boolean open; // a streamed entry is being written
    private boolean finished;

    StoredZip(OutputStream out) {
        this(out, false);
    }

    /** {@code forceZip64}: ZIP64 records for every size, offset and the end (tests of the layout on small archives). */
    StoredZip(OutputStream out, boolean forceZip64) {
        this.out = out;
        this.forceZip64 = forceZip64;
    }

    /** Bytes written so far. */
    long written() {
        return written;
    }

    /** An entry of {@code header} followed by {@code data}, both in memory: CRC and sizes go in its local header. */
    void add(String name, byte[] header, MemorySegment data) throws IOException {
        checkState();
        CRC32 crc = new CRC32();
        crc.update(header);
        for (long at = 0; at < data.byteSize(); at += buffer.length) {
            int n = (int) Math.min(buffer.length, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, buffer, 0, n);
            crc.update(buffer, 0, n);
        }
        Entry e = new Entry(ascii(name), header.length + data.byteSize(), crc.getValue(), written, false);
        localHeader(e);
        write(header, 0, header.length);
        for (long at = 0; at < data.byteSize(); at += buffer.length) {
            int n = (int) Math.min(buffer.length, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, buffer, 0, n);
            write(buffer, 0, n);
        }
        entries.add(e);
    }

    /**
     * A streamed entry of exactly {@code size} bytes: write them to the stream returned, then
     * close it (which writes the data descriptor; it does not close the archive's stream).
     */
    OutputStream open(String name, long size) throws IOException {
        checkState();
        Entry e = new Entry(ascii(name), size, 0, written, true);
        localHeader(e);
        open = true;
        CRC32 crc = new CRC32();
        long start = written;
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) throw new IOException("zip entry already closed");
                if (written - start + len > size) throw new IOException("zip entry " + name + ": more than the " + size + " bytes announced");
                crc.update(b, off, len);
                StoredZip.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) return;
                closed = true;
                if (written - start != size) throw new IOException("zip entry " + name + ": " + (written - start) + " bytes written, " + size + " announced");
                Entry done = new Entry(e.name(), size, crc.getValue(), e.offset(), true);
                boolean zip64 = zip64Sizes(size);
                byte[] d = new byte[zip64 ? 24 : 16];
                int p = le32(d, 0, 0x08074b50);
                p = le32(d, p, done.crc());
                if (zip64) {
                    p = le64(d, p, size);
                    le64(d, p, size);
                } else {
                    p = le32(d, p, size);
                    le32(d, p, size);
                }
                StoredZip.this.write(d, 0, d.length);
                entries.add(done);
                open = false;
            }
        };
    }

    /** Write the central directory (entries in the order added) and end records; the stream is flushed, not closed. */
    void finish() throws IOException {
        finish(null);
    }

    /**
     * Write the central directory, its entries in {@code centralOrder} of their names (null: in
     * the order added), which is the order readers list them in ({@code numpy.load(...).files},
     * {@code zipfile.namelist()}), and the end records. The stream is flushed, not closed.
     */
    void finish(Comparator<String> centralOrder) throws IOException {
        checkState();
        finished = true;
        long cdStart = written;
        // Offsets in ZIP64 form for every entry once the entries reach 4 GiB, whatever their
        // order: so the archive's length does not depend on the order they were written in.
        boolean offsets64 = forceZip64 || cdStart >= MAX32;
        List<Entry> central = new ArrayList<>(entries);
        if (centralOrder != null) central.sort((a, b) -> centralOrder.compare(name(a), name(b)));
        for (Entry e : central) centralHeader(e, offsets64);
        long cdSize = written - cdStart;
        boolean zip64 = forceZip64 || entries.size() >= MAX16 || cdStart >= MAX32 || cdSize >= MAX32;
        if (zip64) {
            long endAt = written;
            byte[] z = new byte[ZIP64_END + ZIP64_LOCATOR];
            int p = le32(z, 0, 0x06064b50);
            p = le64(z, p, ZIP64_END - 12);
            p = le16(z, p, 45);
            p = le16(z, p, 45);
            p = le32(z, p, 0);
            p = le32(z, p, 0);
            p = le64(z, p, entries.size());
            p = le64(z, p, entries.size());
            p = le64(z, p, cdSize);
            p = le64(z, p, cdStart);
            p = le32(z, p, 0x07064b50);
            p = le32(z, p, 0);
            p = le64(z, p, endAt);
            le32(z, p, 1);
            write(z, 0, z.length);
        }
        byte[] end = new byte[END];
        int p = le32(end, 0, 0x06054b50);
        p = le16(end, p, 0);
        p = le16(end, p, 0);
        p = le16(end, p, zip64 ? MAX16 : entries.size());
        p = le16(end, p, zip64 ? MAX16 : entries.size());
        p = le32(end, p, zip64 ? MAX32 : cdSize);
        p = le32(end, p, zip64 ? MAX32 : cdStart);
        le16(end, p, 0);
        write(end, 0, end.length);
        out.flush();
    }

    /**
     * The length of an archive of entries named {@code names} with {@code sizes} bytes each,
     * {@code streamed[i]} telling which are written with {@link #open}: what this class writes.
     */
    static long size(List<String> names, long[] sizes, boolean[] streamed, boolean forceZip64) {
        long at = 0;
        long cd = 0;
        for (int i = 0; i < names.size(); i++) {
            int name = names.get(i).length();
            boolean z = zip64Sizes(sizes[i], forceZip64);
            at += LOCAL_HEADER + name + (z ? 20 : 0) + sizes[i];
            if (streamed[i]) at += z ? 24 : 16;
            cd += CENTRAL_HEADER + name + centralExtra(sizes[i], forceZip64);
        }
        if (forceZip64 || at >= MAX32) cd += names.size() * 8L + countSmall(sizes, forceZip64) * 4L; // offsets in ZIP64 form
        boolean zip64 = forceZip64 || names.size() >= MAX16 || at >= MAX32 || cd >= MAX32;
        return at + cd + (zip64 ? ZIP64_END + ZIP64_LOCATOR : 0) + END;
    }

    private void checkState() {
        if (open) throw new IllegalStateException("a streamed zip entry is still open");
        if (finished) throw new IllegalStateException("zip archive already finished");
    }

    private boolean zip64Sizes(long size) {
        return zip64Sizes(size, forceZip64);
    }

    private static boolean zip64Sizes(long size, boolean force) {
        return force || size >= MAX32;
    }

    /** Bytes of a central entry's ZIP64 extra for its sizes alone (its offset adds 8, plus 4 if there was none). */
    private static long centralExtra(long size, boolean force) {
        return force || size >= MAX32 ? 4 + 16 : 0;
    }

    private static long centralExtra(long size, boolean offset64, boolean force) {
        int n = 0;
        if (force || size >= MAX32) n += 16;
        if (offset64) n += 8;
        return n == 0 ? 0 : 4 + n;
    }

    /** Entries whose sizes fit 32 bits (their ZIP64 extra, if any, is for the offset alone). */
    private static long countSmall(long[] sizes, boolean force) {
        long n = 0;
        for (long s : sizes) if (!(force || s >= MAX32)) n++;
        return n;
    }

    private static String name(Entry e) {
        return new String(e.name(), StandardCharsets.US_ASCII);
    }

    private void localHeader(Entry e) throws IOException {
        boolean z = zip64Sizes(e.size());
        byte[] h = new byte[LOCAL_HEADER + e.name().length + (z ? 20 : 0)];
        int p = le32(h, 0, 0x04034b50);
        p = le16(h, p, z ? 45 : 20);
        p = le16(h, p, e.descriptor() ? 1 << 3 : 0);
        p = le16(h, p, 0); // stored
        p = le16(h, p, DOS_TIME);
        p = le16(h, p, DOS_DATE);
        // With a data descriptor, CRC and sizes come after the data (zero here, APPNOTE 4.4.4).
        p = le32(h, p, e.descriptor() ? 0 : e.crc());
        long size32 = z ? MAX32 : e.descriptor() ? 0 : e.size();
        p = le32(h, p, size32);
        p = le32(h, p, size32);
        p = le16(h, p, e.name().length);
        p = le16(h, p, z ? 20 : 0);
        System.arraycopy(e.name(), 0, h, p, e.name().length);
        p += e.name().length;
        if (z) {
            long size64 = e.descriptor() ? 0 : e.size();
            p = le16(h, p, 0x0001);
            p = le16(h, p, 16);
            p = le64(h, p, size64);
            le64(h, p, size64);
        }
        write(h, 0, h.length);
    }

    private void centralHeader(Entry e, boolean offsets64) throws IOException {
        boolean bigSize = forceZip64 || e.size() >= MAX32;
        boolean bigOffset = offsets64;
        int extra = (int) centralExtra(e.size(), offsets64, forceZip64);
        byte[] h = new byte[CENTRAL_HEADER + e.name().length + extra];
        boolean z = extra > 0;
        int p = le32(h, 0, 0x02014b50);
        p = le16(h, p, 45); // made by: version 4.5, MS-DOS attributes
        p = le16(h, p, z ? 45 : 20);
        p = le16(h, p, e.descriptor() ? 1 << 3 : 0);
        p = le16(h, p, 0);
        p = le16(h, p, DOS_TIME);
        p = le16(h, p, DOS_DATE);
        p = le32(h, p, e.crc());
        p = le32(h, p, bigSize ? MAX32 : e.size());
        p = le32(h, p, bigSize ? MAX32 : e.size());
        p = le16(h, p, e.name().length);
        p = le16(h, p, extra);
        p = le16(h, p, 0); // comment
        p = le16(h, p, 0); // disk
        p = le16(h, p, 0); // internal attributes
        p = le32(h, p, 0); // external attributes
        p = le32(h, p, bigOffset ? MAX32 : e.offset());
        System.arraycopy(e.name(), 0, h, p, e.name().length);
        p += e.name().length;
        if (z) {
            // The ZIP64 extra holds exactly the fields marked 0xFFFFFFFF above, in this order.
            p = le16(h, p, 0x0001);
            p = le16(h, p, extra - 4);
            if (bigSize) {
                p = le64(h, p, e.size());
                p = le64(h, p, e.size());
            }
            if (bigOffset) le64(h, p, e.offset());
        }
        write(h, 0, h.length);
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        written += len;
    }

    private static byte[] ascii(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) > 0x7e || name.charAt(i) < 0x20) throw new IllegalArgumentException("zip entry name '" + name + "' is not printable ASCII");
        }
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    private static int le16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        return p + 2;
    }

    private static int le32(byte[] b, int p, long v) {
        for (int i = 0; i < 4; i++) b[p + i] = (byte) (v >>> (8 * i));
        return p + 4;
    }

    private static int le64(byte[] b, int p, long v) {
        for (int i = 0; i < 8; i++) b[p + i] = (byte) (v >>> (8 * i));
        return p + 8;
    }
}
