package org.bigarrays.array;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.LockedTempFile;

/**
 * A cutout of any size written to a file or a stream tile by tile, in memory bounded by one tile
 * buffer ({@code memoryBytes}) plus the chunk buffers of the reads in flight.
 *
 * <p>The output is the {@code .npy}/raw layout: Fortran order [x, y, z, c], so a tile spanning
 * the box in x and y is one contiguous run of the file per channel. Tiles follow the chunk grid
 * (each chunk is decoded once per tile it falls in): whole x-y slabs a chunk row thick where they
 * fit the memory bound, else bands of chunk rows in y, else runs of chunks in x. A file is
 * written by positional writes to a temporary sibling, renamed over the target at the end;
 * a stream gets the bytes in file order, so its tiles are x-y slabs (thinner than a chunk row,
 * re-reading chunks, when a row does not fit; bands of one plane's rows when a plane does not;
 * one channel at a time).
 *
 * <p>Everything that can fail without reading is checked first: the box's size, the output
 * directory, free disk space, and that a tile fits the memory bound.
 */
final class StreamedCutout {
    /** Bytes per positional write: ByteBuffers hold at most 2 GiB. */
    private static final long SLICE = 1L << 30;

    private final BigArray array;
    private final Box box;
    private final long memoryBytes;
    private final long elemBytes;
    private final long totalBytes;
    private final byte[] header;

    StreamedCutout(BigArray array, Box box, boolean npy, long memoryBytes) {
        if (box.rank() != 3) throw new InvalidInputException("cutout box " + box + ": expected 3 dimensions x,y,z, found " + box.rank());
        if (box.isEmpty()) throw new InvalidInputException("cutout box " + box + " is empty");
        if (memoryBytes < 1) throw new InvalidInputException("cutout memory bound " + memoryBytes + ": expected ≥ 1 byte");
        this.array = array;
        this.box = box;
        this.memoryBytes = memoryBytes;
        this.elemBytes = (long) array.channels() * array.dataType().size();
        try {
            this.totalBytes = Math.multiplyExact(box.volume(), elemBytes);
        } catch (ArithmeticException e) {
            throw new InvalidInputException("cutout box " + box + ": " + array.channels() + " channel(s) of " + array.dataType()
                    + " take more than 2^63 bytes; cut out smaller boxes");
        }
        this.header = npy ? NpyHeader.of(array.dataType(), new long[] {box.size(0), box.size(1), box.size(2), array.channels()}) : new byte[0];
    }

    /** Bytes the output takes: header and voxels. */
    long outputBytes() {
        return header.length + totalBytes;
    }

    // ---- planning ----

    /** Segments of [lo, hi) cut at grid lines {@code origin + k * step}. */
    private static List<long[]> segments(long lo, long hi, long origin, long step) {
        List<long[]> out = new ArrayList<>();
        long a = lo;
        while (a < hi) {
            long b = Math.min(hi, origin + (Math.floorDiv(a - origin, step) + 1) * step);
            out.add(new long[] {a, b});
            a = b;
        }
        return out;
    }

    /** The tiles of a file cutout, z slowest, each at most the memory bound. */
    List<Box> fileTiles() {
        long[] c = array.chunkShape();
        long[] o = array.grid().volume().min();
        long voxels = memoryBytes / elemBytes;
        long x = box.size(0), y = box.size(1);
        long[] step = new long[3];
        if (sat(x, y, c[2]) <= voxels) {
            step = new long[] {Long.MAX_VALUE, Long.MAX_VALUE, c[2] * Math.max(1, voxels / sat(x, y, c[2]))};
        } else if (sat(x, c[1], c[2]) <= voxels) {
            step = new long[] {Long.MAX_VALUE, c[1] * Math.max(1, voxels / sat(x, c[1], c[2])), c[2]};
        } else if (sat(c[0], c[1], c[2]) <= voxels) {
            step = new long[] {c[0] * Math.max(1, voxels / sat(c[0], c[1], c[2])), c[1], c[2]};
        } else {
            throw new InvalidInputException("cutout: one chunk (" + c[0] + "x" + c[1] + "x" + c[2] + " x " + elemBytes + " bytes) is more than the memory bound of "
                    + memoryBytes + " bytes");
        }
        return tiles(step, o);
    }

    private List<Box> tiles(long[] step, long[] origin) {
        List<List<long[]>> seg = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            seg.add(step[d] == Long.MAX_VALUE ? List.of(new long[] {box.min(d), box.max(d)}) : segments(box.min(d), box.max(d), origin[d], step[d]));
        }
        List<Box> out = new ArrayList<>();
        for (long[] z : seg.get(2)) for (long[] y : seg.get(1)) for (long[] x : seg.get(0)) {
            out.add(Box.of(new long[] {x[0], y[0], z[0]}, new long[] {x[1], y[1], z[1]}));
        }
        return out;
    }

    /**
     * The tiles of a streamed cutout, in output order: x-y slabs in z order (chunk rows, or fewer
     * planes if a row is too big); when one x-y plane exceeds the bound, bands of rows of one
     * plane; when one row does, runs of one row. Tiles thinner than a chunk re-read its chunks
     * (from the context's chunk cache, if it has one).
     */
    List<Box> streamTiles() {
        long[] c = array.chunkShape();
        long[] o = array.grid().volume().min();
        long voxels = Math.max(1, memoryBytes / elemBytes);
        long x = box.size(0);
        long plane = sat(x, box.size(1), 1);
        if (plane <= voxels) {
            long rows = voxels / plane;
            long step = rows >= c[2] ? c[2] * (rows / c[2]) : rows;
            return tiles(new long[] {Long.MAX_VALUE, Long.MAX_VALUE, step}, o);
        }
        if (x <= voxels) {
            long rows = voxels / x;
            long step = rows >= c[1] ? c[1] * (rows / c[1]) : rows;
            return tiles(new long[] {Long.MAX_VALUE, step, 1}, o);
        }
        return tiles(new long[] {voxels >= c[0] ? c[0] * (voxels / c[0]) : voxels, 1, 1}, o);
    }

    /** a·b·c, saturating at Long.MAX_VALUE. */
    private static long sat(long a, long b, long c) {
        try {
            return Math.multiplyExact(Math.multiplyExact(a, b), c);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // ---- writing ----

    /**
     * Temp files of cutouts: {@code .<output name>.bigarrays-tmp-<16 hex>}, each locked by its
     * writer ({@link LockedTempFile}) so that one whose cutout died (kill -9) can be told apart.
     */
    static final String TEMP_MARK = ".bigarrays-tmp-";
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..+" + java.util.regex.Pattern.quote(TEMP_MARK) + "[0-9a-f]{16}");

    /**
     * Check that a cutout of {@code box} ({@code bytes} on disk) can go to {@code file} (a regular
     * file or none, in a writable directory with room), delete dead cutouts' temp files there, and
     * name this cutout's temp file: every writer of a cutout file (any format) goes through here,
     * so that its temp is one the next cutout recognises and removes if this process dies.
     */
    static Path outputTemporary(Path file, Box box, long bytes) {
        Path p = file.toAbsolutePath();
        if (Files.isDirectory(p)) throw new InvalidInputException("cutout output " + file + " is a directory; give a file name");
        Path dir = p.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new InvalidInputException("cutout output " + file + ": directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new InvalidInputException("cutout output " + file + ": directory " + dir + " is not writable");
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("cutout output " + file + " exists and is not a regular file; write to it as a stream");
        }
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < bytes) {
                throw new InvalidInputException("cutout box " + box + " needs " + bytes + " bytes on disk, but " + dir + " has " + free + " free");
            }
        } catch (IOException e) {
            throw new StorageException(file.toString(), "", "check free space", e.toString(), e);
        }
        removeAbandonedTemporaries(dir);
        return p.resolveSibling("." + p.getFileName() + TEMP_MARK + java.util.HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    /** Delete the temp files of dead cutouts in {@code dir} (ours by name, unlocked); nothing else there is touched. */
    private static void removeAbandonedTemporaries(Path dir) {
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, f -> TEMPORARY.matcher(f.getFileName().toString()).matches())) {
            for (Path f : ds) LockedTempFile.removeIfAbandoned(f);
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // an unreadable folder: the cutout itself reports what matters
        }
    }

    /** Check the target, then write it whole (or leave nothing new behind). */
    long toFile(Path file) {
        Path p = file.toAbsolutePath();
        Path tmp = outputTemporary(file, box, outputBytes());
        List<Box> tiles = fileTiles();
        try (LockedTempFile t = LockedTempFile.acquire(tmp)) {
            boolean done = false;
            try {
                FileChannel ch = t.channel();
                writeAt(ch, MemorySegment.ofArray(header), 0);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment buf = arena.allocate(maxTileBytes(tiles), 64);
                    long written = 0;
                    for (Box t1 : tiles) {
                        NdView v = readTile(t1, buf);
                        writeTile(ch, t1, v);
                        written += v.byteSize();
                        array.options().progress().update(written, totalBytes);
                    }
                }
                t.renameTo(p);
                done = true;
            } finally {
                if (!done) t.delete(); // still locked: never another cutout's file
            }
        } catch (IOException e) {
            throw new StorageException(file.toString(), "", "write cutout", e.toString(), e);
        }
        return outputBytes();
    }

    /** Write the header and the voxels to {@code out} in order. */
    long toStream(WritableByteChannel out) {
        List<Box> tiles = streamTiles();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(maxTileBytes(tiles), 64);
            writeAll(out, MemorySegment.ofArray(header));
            long written = 0;
            int channels = array.channels();
            for (int c = 0; c < channels; c++) {
                for (Box t : tiles) {
                    NdView v = readTile(t, buf); // all channels; channel c is one contiguous run of the tile
                    long run = v.byteSize() / channels;
                    writeAll(out, buf.asSlice(c * run, run));
                    written += run;
                    array.options().progress().update(written, totalBytes);
                }
            }
        } catch (IOException e) {
            throw new StorageException("stream", "", "write cutout", e.toString(), e);
        }
        return outputBytes();
    }

    private long maxTileBytes(List<Box> tiles) {
        long max = 0;
        for (Box t : tiles) max = Math.max(max, t.volume() * elemBytes);
        return max;
    }

    private NdView readTile(Box t, MemorySegment buf) {
        NdView v = NdView.wrap(buf.asSlice(0, t.volume() * elemBytes), array.dataType(), new long[] {t.min(0), t.min(1), t.min(2), 0},
                new long[] {t.size(0), t.size(1), t.size(2), array.channels()});
        array.withOptions(array.options().withProgress(ProgressListener.NONE)).read(t, v);
        return v;
    }

    /** Each contiguous run of the tile to its place in the file (Fortran order [x, y, z, c]). */
    private void writeTile(FileChannel ch, Box t, NdView v) throws IOException {
        long ts = array.dataType().size();
        long bx = box.size(0), by = box.size(1), bz = box.size(2);
        long dx = t.size(0), dy = t.size(1), dz = t.size(2);
        long x0 = t.min(0) - box.min(0), y0 = t.min(1) - box.min(1), z0 = t.min(2) - box.min(2);
        MemorySegment seg = v.segment();
        for (long c = 0; c < array.channels(); c++) {
            if (dx == bx && dy == by) {
                long fileElem = (c * bz + z0) * by * bx;
                writeAt(ch, seg.asSlice(c * dz * dy * dx * ts, dx * dy * dz * ts), header.length + fileElem * ts);
                continue;
            }
            for (long z = 0; z < dz; z++) {
                if (dx == bx) {
                    long fileElem = ((c * bz + z0 + z) * by + y0) * bx;
                    writeAt(ch, seg.asSlice(((c * dz + z) * dy) * dx * ts, dx * dy * ts), header.length + fileElem * ts);
                    continue;
                }
                for (long y = 0; y < dy; y++) {
                    long fileElem = ((c * bz + z0 + z) * by + y0 + y) * bx + x0;
                    writeAt(ch, seg.asSlice(((c * dz + z) * dy + y) * dx * ts, dx * ts), header.length + fileElem * ts);
                }
            }
        }
    }

    private static void writeAt(FileChannel ch, MemorySegment s, long pos) throws IOException {
        for (long off = 0; off < s.byteSize(); off += SLICE) {
            ByteBuffer bb = s.asSlice(off, Math.min(SLICE, s.byteSize() - off)).asByteBuffer();
            long p = pos + off;
            while (bb.hasRemaining()) p += ch.write(bb, p);
        }
    }

    private static void writeAll(WritableByteChannel ch, MemorySegment s) throws IOException {
        for (long off = 0; off < s.byteSize(); off += SLICE) {
            ByteBuffer bb = s.asSlice(off, Math.min(SLICE, s.byteSize() - off)).asByteBuffer();
            while (bb.hasRemaining()) ch.write(bb);
        }
    }
}
