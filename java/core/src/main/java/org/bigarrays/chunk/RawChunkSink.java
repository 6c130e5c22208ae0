package org.bigarrays.chunk;

import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.BodySink;

/**
 * Places a raw chunk's stored bytes, as they arrive from a remote store, straight into the rows
 * of a cutout that lie in its box, skipping the rest: the one copy a bare client makes too,
 * instead of buffering the chunk and gathering it after. Takes only a value of exactly the
 * chunk's size; keeps its first {@value CodecPipeline#HEAD_BYTES} bytes so that the reader can
 * tell a transport-compressed value of that size ({@link #prefix}). A retried attempt rewrites
 * every byte in the box again (see {@link BodySink}).
 */
final class RawChunkSink implements BodySink {
    private final long size;
    private final long rowBytes;         // one x row of the chunk
    private final long rowsY;            // rows per z plane
    private final long rowsZ;            // planes per channel
    private final long xFrom;            // bytes of a row in the box: [xFrom, xTo)
    private final long xTo;
    private final long y0, y1, z0, z1;   // rows and planes in the box, relative to the chunk
    private final MemorySegment out;
    private final long outBase;          // the box's first voxel of the chunk in out, channel 0
    private final long outY, outZ, outC; // out's byte strides
    private final byte[] prefix = new byte[CodecPipeline.HEAD_BYTES];
    private int prefixLength;

    /**
     * A sink for the chunk of {@code layout} at {@code chunkBox}, whose voxels in {@code box} go
     * to {@code out} (rank 4, origin {@code box.min()}, x contiguous: see {@link #fits}).
     */
    RawChunkSink(ChunkLayout layout, Box chunkBox, Box box, NdView out) {
        int es = layout.dataType().size();
        long[] shape = layout.shape();
        Box overlap = chunkBox.intersect(box);
        this.size = layout.byteSize();
        this.rowBytes = shape[0] * es;
        this.rowsY = shape[1];
        this.rowsZ = shape[2];
        this.xFrom = (overlap.min(0) - chunkBox.min(0)) * es;
        this.xTo = (overlap.max(0) - chunkBox.min(0)) * es;
        this.y0 = overlap.min(1) - chunkBox.min(1);
        this.y1 = overlap.max(1) - chunkBox.min(1);
        this.z0 = overlap.min(2) - chunkBox.min(2);
        this.z1 = overlap.max(2) - chunkBox.min(2);
        this.out = out.segment();
        this.outBase = Planning.offsetOf(out, overlap);
        long[] s = out.strides();
        this.outY = s[1];
        this.outZ = s[2];
        this.outC = s[3];
    }

    /** Whether {@code out} can take rows this way: x contiguous, writable from other threads. */
    static boolean fits(NdView out, int elementSize) {
        return out.strides()[0] == elementSize && ChunkExecutor.sharedAcrossThreads(out);
    }

    @Override
    public boolean begin(long length) {
        prefixLength = 0;
        return length == size;
    }

    @Override
    public void accept(long offset, MemorySegment bytes) {
        long n = bytes.byteSize();
        long end = offset + n;
        if (offset + n > size || offset < 0) throw new IllegalArgumentException("bytes [" + offset + ", " + end + ") past the chunk's " + size);
        if (offset < prefix.length) {
            int k = (int) Math.min(prefix.length - offset, n);
            MemorySegment.copy(bytes, 0, MemorySegment.ofArray(prefix), offset, k);
            prefixLength = (int) Math.max(prefixLength, offset + k);
        }
        long row = offset / rowBytes;
        long rowStart = row * rowBytes;
        long y = row % rowsY;
        long zc = row / rowsY;
        long z = zc % rowsZ;
        long c = zc / rowsZ;
        while (rowStart < end) {
            if (y >= y0 && y < y1 && z >= z0 && z < z1) {
                long lo = Math.max(offset, rowStart + xFrom);
                long hi = Math.min(end, rowStart + xTo);
                if (lo < hi) {
                    long at = outBase + (y - y0) * outY + (z - z0) * outZ + c * outC + (lo - rowStart - xFrom);
                    MemorySegment.copy(bytes, lo - offset, out, at, hi - lo);
                }
            }
            rowStart += rowBytes;
            if (++y == rowsY) {
                y = 0;
                if (++z == rowsZ) {
                    z = 0;
                    c++;
                }
            }
        }
    }

    /** The value's first bytes (all of them if it is shorter than the longest magic number). */
    MemorySegment prefix() {
        return MemorySegment.ofArray(prefix).asSlice(0, prefixLength);
    }
}
