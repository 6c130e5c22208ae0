package org.bigarrays.sharding;

import java.util.Arrays;
import org.bigarrays.InvalidInputException;

/**
 * The chunk id of a sharded scale: the compressed Morton code of a grid cell. Bits are taken
 * LSB first, for i = 0, 1, ... and axis x, y, z in turn, bit i of cell[axis] only while
 * {@code 2^i < grid[axis]}, so ids stay dense for non-cubic, non-power-of-two grids.
 */
public final class CompressedMorton {
    private CompressedMorton() {}

    /** Bits per axis: {@code bit_length(grid[d] - 1)} (0 for a grid of 0 or 1 cells). */
    public static int[] bits(long[] gridShape) {
        int[] b = new int[gridShape.length];
        for (int d = 0; d < b.length; d++) b[d] = gridShape[d] <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(gridShape[d] - 1);
        return b;
    }

    /** Interleave {@code cell} with {@code bits} per axis. */
    public static long encodeBits(long[] cell, int[] bits) {
        long id = 0;
        int out = 0;
        int max = Arrays.stream(bits).max().orElse(0);
        for (int i = 0; i < max; i++) {
            for (int d = 0; d < cell.length; d++) {
                if (i < bits[d]) {
                    id |= ((cell[d] >>> i) & 1L) << out;
                    out++;
                }
            }
        }
        if (out > 64) throw new InvalidInputException("compressed Morton code needs " + out + " bits, more than 64");
        return id;
    }

    /**
     * The id of {@code cell} in a grid of {@code gridShape} cells.
     * @throws InvalidInputException if the cell is outside the grid
     */
    public static long encode(long[] cell, long[] gridShape) {
        for (int d = 0; d < cell.length; d++) {
            if (cell[d] < 0 || cell[d] >= gridShape[d]) {
                throw new InvalidInputException("grid cell " + Arrays.toString(cell) + " is outside the grid " + Arrays.toString(gridShape));
            }
        }
        return encodeBits(cell, bits(gridShape));
    }

    /** The cell of {@code id} for {@code bits} per axis (the inverse of {@link #encodeBits}). */
    public static long[] decodeBits(long id, int[] bits) {
        long[] cell = new long[bits.length];
        int in = 0;
        int max = Arrays.stream(bits).max().orElse(0);
        for (int i = 0; i < max; i++) {
            for (int d = 0; d < bits.length; d++) {
                if (i < bits[d]) {
                    cell[d] |= ((id >>> in) & 1L) << i;
                    in++;
                }
            }
        }
        return cell;
    }
}
