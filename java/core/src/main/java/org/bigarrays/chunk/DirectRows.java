package org.bigarrays.chunk;

import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.ScaleChunkStore;

/**
 * Reads raw chunks straight into a cutout: each row of a chunk inside the box goes from the file
 * to its place in the output by one vectored read per chunk (a few where a chunk has more than
 * {@link org.bigarrays.nativ.ScatterRead#IOV_MAX} rows), with no buffer and no gather between,
 * so the kernel's page-cache copy is the only pass over the bytes. Only where rows are long enough
 * for that to pay: the kernel's vectored read costs about 40–55 ns per piece on top of the copy,
 * so rows under ~1 KiB are cheaper read whole into a buffer that stays in cache and gathered,
 * 1 KiB rows cost the same either way, and from 2 KiB direct reads cost less (measured: see the
 * README's "Raw cutouts and read memory"). Thread-safe.
 */
final class DirectRows {
    /**
     * System property: the shortest row, in bytes, that is read straight into the output
     * (environment variable {@code BIGARRAYS_DIRECT_ROW_BYTES}); a negative value turns direct
     * reads off.
     */
    static final String MIN_ROW_BYTES_PROPERTY = "bigarrays.read.directRowBytes";
    private static final long DEFAULT_MIN_ROW_BYTES = 2048;
    private static final String ENV_MIN_ROW_BYTES = System.getenv("BIGARRAYS_DIRECT_ROW_BYTES");

    private final ScaleChunkStore chunks;
    private final Box box;
    private final NdView out;
    private final int elemSize;
    private final long minRowBytes;

    private DirectRows(ScaleChunkStore chunks, Box box, NdView out, long minRowBytes) {
        this.chunks = chunks;
        this.box = box;
        this.out = out;
        this.elemSize = chunks.info().dataType().size();
        this.minRowBytes = minRowBytes;
    }

    /**
     * A direct reader for {@code box} into {@code out}, or null where the chunks cannot be read
     * that way: chunks not raw one-per-file on local disk, a cache in between, an output on the
     * Java heap (its addresses cannot be handed to the C library) or read-only, output rows not
     * contiguous along x, or rows shorter than {@link #minRowBytes()}.
     */
    static DirectRows of(ScaleChunkStore chunks, ChunkCache cache, Box box, NdView out) {
        long min = minRowBytes();
        if (cache != null || min < 0 || !chunks.readsPlainInto()) return null;
        if (!out.segment().isNative() || out.segment().isReadOnly()) return null;
        int e = chunks.info().dataType().size();
        if (out.strides()[0] != e) return null;
        long row = Math.min(box.size(0), chunks.grid().chunkShape()[0]) * e;
        return row >= min ? new DirectRows(chunks, box, out, min) : null;
    }

    /**
     * Read the chunk of {@code cell} into the output if its rows in the box are long enough and
     * it is stored as the chunk array itself.
     * @return false when it was not (short rows, missing, compressed, another size): read it the ordinary way
     */
    boolean read(long[] cell) {
        Box chunkBox = chunks.chunkBox(cell);
        Box overlap = chunkBox.intersect(box);
        long rowBytes = overlap.size(0) * elemSize;
        if (rowBytes < minRowBytes) return false;
        ChunkLayout layout = chunks.layout(cell);
        long[] cs = layout.strides4();
        long[] os = out.strides();
        long ny = overlap.size(1), nz = overlap.size(2);
        int channels = layout.channels();
        long rows = ny * nz * channels;
        if (rows > Integer.MAX_VALUE / 3) return false;
        long[] spans = new long[(int) (3 * rows)];
        long file0 = Planning.offsetIn(layout, chunkBox, overlap);
        long dst0 = Planning.offsetOf(out, overlap);
        int n = 0;
        for (int c = 0; c < channels; c++) {
            for (long z = 0; z < nz; z++) {
                for (long y = 0; y < ny; y++) {
                    long f = file0 + c * cs[3] + z * cs[2] + y * cs[1];
                    long d = dst0 + c * os[3] + z * os[2] + y * os[1];
                    if (n > 0 && spans[3 * n - 3] + spans[3 * n - 1] == f && spans[3 * n - 2] + spans[3 * n - 1] == d) {
                        spans[3 * n - 1] += rowBytes; // contiguous in both: one longer piece
                    } else {
                        spans[3 * n] = f;
                        spans[3 * n + 1] = d;
                        spans[3 * n + 2] = rowBytes;
                        n++;
                    }
                }
            }
        }
        return chunks.readPlainInto(cell, out.segment(), spans, n);
    }

    /** The shortest row read directly: {@link #MIN_ROW_BYTES_PROPERTY}, else the environment's, else 2048. Read per cutout (tests set it). */
    static long minRowBytes() {
        String v = System.getProperty(MIN_ROW_BYTES_PROPERTY);
        if (v == null || v.isBlank()) v = ENV_MIN_ROW_BYTES;
        if (v == null || v.isBlank()) return DEFAULT_MIN_ROW_BYTES;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_MIN_ROW_BYTES;
        }
    }
}
