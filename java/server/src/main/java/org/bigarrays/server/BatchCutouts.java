package org.bigarrays.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

/**
 * Batch cutouts as a NumPy {@code .npz}, streamed: a zip of STORED entries {@code arr_0.npy},
 * {@code arr_1.npy}, ... (listed in request order), which {@code numpy.load} reads (each array of shape
 * (x, y, z, c) in Fortran order, or (c, z, y, x) in C order when asked; the same bytes). Server
 * independent: a handler parses the body with {@link BatchRequest#read}, sets
 * {@link #CONTENT_TYPE} and {@code Content-Length: }{@link #size}, and calls {@link #write}.
 *
 * <p>The boxes are read with {@link BigArray#read(List, long, java.util.function.ObjIntConsumer)}:
 * each shard index read once for the whole batch (once per run of boxes between two boxes
 * streamed on their own, see below), each chunk fetched and decoded once while the chunks shared
 * between windows fit the memory bound, and each array written as soon as its window of boxes is
 * read (a client that went away is noticed at the next write, after its window). Windows are boxes near one another, so the entries are written in
 * that order; the central directory lists them in request order, which is the order
 * {@code numpy.load(...).files} and {@code zipfile.namelist()} give. A box whose result is larger than
 * half the memory bound is streamed on its own, tile by tile ({@link BigArray#read(Box,
 * java.nio.channels.WritableByteChannel, boolean, long)}), between the windows around it.
 * Memory: {@code memoryBytes}, plus the chunks being read and the plan (about 100 bytes per
 * distinct chunk), plus the zip's central directory (about 100 bytes per box).
 */
public final class BatchCutouts {
    /** The response's media type: an .npz is a zip. */
    public static final String CONTENT_TYPE = "application/zip";
    /** The default memory bound of one batch: 64 MiB. */
    public static final long DEFAULT_MEMORY = 64L << 20;

    private BatchCutouts() {}

    /** {@link #write(BigArray, BatchRequest, OutputStream, long)} with {@link #DEFAULT_MEMORY}. */
    public static void write(BigArray array, BatchRequest request, OutputStream out) throws IOException {
        write(array, request, out, DEFAULT_MEMORY);
    }

    /**
     * Write the .npz of {@code request}'s boxes of {@code array} (at the request's mip) to
     * {@code out}, exactly {@link #size} bytes; {@code out} is flushed, not closed. A failure
     * after the first byte leaves a truncated archive (the handler then cuts the connection).
     * @throws IOException when writing to {@code out} fails (e.g. the client went away)
     * @throws org.bigarrays.BigArraysException when reading the layer fails
     */
    public static void write(BigArray array, BatchRequest request, OutputStream out, long memoryBytes) throws IOException {
        BigArray a = array.mip(request.mip());
        List<Box> boxes = request.boxes();
        StoredZip zip = new StoredZip(out);
        long half = Math.max(1, memoryBytes / 2);
        int i = 0;
        while (i < boxes.size()) {
            if (resultBytes(a, boxes.get(i)) > half) {
                Box box = boxes.get(i);
                byte[] header = header(a, box, request.channelsFirst());
                OutputStream entry = zip.open(name(i), header.length + resultBytes(a, box));
                entry.write(header);
                try {
                    a.read(box, Channels.newChannel(entry), false, memoryBytes);
                } catch (org.bigarrays.StorageException e) {
                    // The tile-by-tile writer reports a failed write as a storage error: here it is the client's stream.
                    if (e.getCause() instanceof IOException io) throw io;
                    throw e;
                }
                entry.close();
                i++;
                continue;
            }
            int from = i;
            while (i < boxes.size() && resultBytes(a, boxes.get(i)) <= half) i++;
            int base = from;
            try {
                a.read(boxes.subList(from, i), memoryBytes, (NdView v, int k) -> {
                    try {
                        zip.add(name(base + k), header(a, boxes.get(base + k), request.channelsFirst()), v.segment().asSlice(v.byteOffset(), v.byteSize()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        zip.finish(java.util.Comparator.comparingInt(BatchCutouts::index));
    }

    /** The box index of entry name {@code arr_<i>.npy}. */
    private static int index(String name) {
        return Integer.parseInt(name, 4, name.length() - 4, 10);
    }

    /** The length of the .npz {@link #write} writes for {@code request}: a Content-Length. */
    public static long size(BigArray array, BatchRequest request, long memoryBytes) {
        BigArray a = array.mip(request.mip());
        List<Box> boxes = request.boxes();
        List<String> names = new ArrayList<>(boxes.size());
        long[] sizes = new long[boxes.size()];
        boolean[] streamed = new boolean[boxes.size()];
        long half = Math.max(1, memoryBytes / 2);
        for (int i = 0; i < boxes.size(); i++) {
            names.add(name(i));
            long bytes = resultBytes(a, boxes.get(i));
            sizes[i] = header(a, boxes.get(i), request.channelsFirst()).length + bytes;
            streamed[i] = bytes > half;
        }
        return StoredZip.size(names, sizes, streamed, false);
    }

    /** {@link #size(BigArray, BatchRequest, long)} with {@link #DEFAULT_MEMORY}. */
    public static long size(BigArray array, BatchRequest request) {
        return size(array, request, DEFAULT_MEMORY);
    }

    private static String name(int i) {
        return "arr_" + i + ".npy";
    }

    private static long resultBytes(BigArray a, Box b) {
        return b.volume() * a.channels() * a.dataType().size(); // checked by BatchRequest against the byte limit
    }

    private static byte[] header(BigArray a, Box b, boolean channelsFirst) {
        return channelsFirst
                ? NpyHeader.of(a.dataType(), new long[] {a.channels(), b.size(2), b.size(1), b.size(0)}, false)
                : NpyHeader.of(a.dataType(), new long[] {b.size(0), b.size(1), b.size(2), a.channels()}, true);
    }
}
