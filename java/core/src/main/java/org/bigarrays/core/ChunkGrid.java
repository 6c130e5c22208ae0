package org.bigarrays.core;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;

/**
 * The regular grid of chunks over a volume {@code [offset, offset + size)}, anchored at the
 * volume's offset (precomputed's {@code voxel_offset}). Cell g covers
 * {@code [offset + g*chunk, min(offset + (g+1)*chunk, offset + size))}: edge chunks are
 * truncated at the upper bound.
 */
public final class ChunkGrid {
    private final long[] offset;
    private final long[] size;
    private final long[] chunk;
    private final long[] cells;
    private final Box volume;

    public ChunkGrid(long[] offset, long[] size, long[] chunk) {
        if (offset.length != size.length || size.length != chunk.length) throw new IllegalArgumentException("rank mismatch");
        this.offset = offset.clone();
        this.size = size.clone();
        this.chunk = chunk.clone();
        this.cells = new long[size.length];
        for (int i = 0; i < size.length; i++) {
            if (chunk[i] <= 0 || size[i] < 0) throw new IllegalArgumentException("bad chunk " + chunk[i] + " or size " + size[i]);
            cells[i] = Math.ceilDiv(size[i], chunk[i]);
        }
        this.volume = Box.at(offset, size);
    }

    public int rank() {
        return size.length;
    }

    /** The volume's box. */
    public Box volume() {
        return volume;
    }

    public long[] chunkShape() {
        return chunk.clone();
    }

    /** Number of cells per axis. */
    public long[] gridShape() {
        return cells.clone();
    }

    /** The voxels of cell {@code g}, truncated at the volume's upper bound. */
    public Box cellBox(long[] g) {
        long[] a = new long[g.length];
        long[] b = new long[g.length];
        for (int i = 0; i < g.length; i++) {
            if (g[i] < 0 || g[i] >= cells[i]) throw new IndexOutOfBoundsException("cell " + java.util.Arrays.toString(g) + " outside grid");
            a[i] = offset[i] + g[i] * chunk[i];
            b[i] = Math.min(a[i] + chunk[i], offset[i] + size[i]);
        }
        return Box.of(a, b);
    }

    /** The cells that overlap {@code box} (which is clipped to the volume first), x fastest. */
    public List<long[]> cellsOverlapping(Box box) {
        Box b = box.intersect(volume);
        List<long[]> out = new ArrayList<>();
        if (b.isEmpty()) return out;
        int n = rank();
        long[] lo = new long[n];
        long[] hi = new long[n];
        for (int i = 0; i < n; i++) {
            lo[i] = Math.floorDiv(b.min(i) - offset[i], chunk[i]);
            hi[i] = Math.floorDiv(b.max(i) - 1 - offset[i], chunk[i]);
        }
        long[] g = lo.clone();
        while (true) {
            out.add(g.clone());
            int d = 0;
            while (d < n && ++g[d] > hi[d]) {
                g[d] = lo[d];
                d++;
            }
            if (d == n) return out;
        }
    }

    /** The cells that overlap {@code box} (clipped to the volume first) as a range, not a list (3-D grids). */
    public CellRange cellRange(Box box) {
        Box b = box.intersect(volume);
        long[] lo = new long[3];
        long[] hi = new long[3];
        if (b.isEmpty()) return new CellRange(lo, hi);
        for (int i = 0; i < 3; i++) {
            lo[i] = Math.floorDiv(b.min(i) - offset[i], chunk[i]);
            hi[i] = Math.floorDiv(b.max(i) - 1 - offset[i], chunk[i]) + 1;
        }
        return new CellRange(lo, hi);
    }

    /** All cells of the grid (3-D grids). */
    public CellRange allCells() {
        return new CellRange(new long[3], cells);
    }

    /** Whether every face of {@code box} lies on a chunk boundary or on the volume's upper bound. */
    public boolean isAligned(Box box) {
        for (int i = 0; i < rank(); i++) {
            long lo = box.min(i) - offset[i];
            long hi = box.max(i) - offset[i];
            if (Math.floorMod(lo, chunk[i]) != 0) return false;
            if (Math.floorMod(hi, chunk[i]) != 0 && box.max(i) != offset[i] + size[i]) return false;
        }
        return true;
    }

    /** The smallest chunk-aligned box that contains {@code box}, clipped to the volume. */
    public Box alignOutward(Box box) {
        long[] a = new long[rank()];
        long[] b = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            a[i] = offset[i] + Math.floorDiv(box.min(i) - offset[i], chunk[i]) * chunk[i];
            b[i] = offset[i] + Math.ceilDiv(box.max(i) - offset[i], chunk[i]) * chunk[i];
        }
        return Box.of(a, b).intersect(volume);
    }

    /** Throw unless {@code box} lies inside the volume. */
    public void checkInside(Box box, String what) {
        if (box.rank() != rank()) {
            throw new InvalidInputException(what + " box " + box + " has rank " + box.rank() + ", expected " + rank());
        }
        if (!volume.contains(box)) {
            throw new InvalidInputException(what + " box " + box + " is not inside the volume " + volume);
        }
    }
}
