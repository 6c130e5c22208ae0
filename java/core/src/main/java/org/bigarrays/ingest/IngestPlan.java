package org.bigarrays.ingest;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;

/**
 * How a layer is cut for ingest: boxes one write unit deep in z (a chunk, or a shard on a
 * sharded scale), as wide as the volume in x where a box that wide fits the memory budget (image
 * files are decoded row by row, so narrower boxes would decode the same rows again), and as
 * many units tall in y as the budget allows. When even one unit row of the full width exceeds
 * the budget, boxes are also cut in x. Every box is aligned to the write unit, so writing it
 * writes whole chunks (or shards) and no two boxes write the same one: boxes can be written in
 * any order, concurrently, and again.
 *
 * <p>The plan depends only on the layer and the budget, so a rerun finds the same boxes.
 */
public final class IngestPlan {
    /** Default bytes of one box: 256 MiB. */
    public static final long DEFAULT_BOX_BYTES = 256L << 20;

    private IngestPlan() {}

    /**
     * The boxes of {@code dst} (mip 0; absolute coordinates), z slowest then y then x.
     * @param boxBytes the budget of one box's voxels; a box is never smaller than one write unit
     * @throws InvalidInputException when the scale's shards are hashed (not spatial blocks)
     */
    public static List<Box> boxes(BigArray dst, long boxBytes) {
        long[] unit = writeUnit(dst);
        long bpv = (long) dst.dataType().size() * dst.channels();
        Box vol = dst.bounds();
        long width = vol.size(0);
        long[] step = new long[3];
        step[2] = unit[2];
        long unitRow = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(width, unit[1]), unit[2]), bpv);
        if (unitRow <= boxBytes) {
            step[0] = width;
            step[1] = unit[1] * Math.max(1, boxBytes / unitRow);
        } else {
            long unitBytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(unit[0], unit[1]), unit[2]), bpv);
            step[0] = unit[0] * Math.max(1, boxBytes / unitBytes);
            step[1] = unit[1];
        }
        List<Box> out = new ArrayList<>();
        for (long z = vol.min(2); z < vol.max(2); z += step[2]) {
            for (long y = vol.min(1); y < vol.max(1); y += step[1]) {
                for (long x = vol.min(0); x < vol.max(0); x += step[0]) {
                    out.add(Box.of(new long[] {x, y, z}, new long[] {sat(x, step[0]), sat(y, step[1]), sat(z, step[2])}).intersect(vol));
                }
            }
        }
        return out;
    }

    private static long sat(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * A chunk, or a spatial shard in voxels, of {@code dst}'s scale: the unit a box must be a multiple of.
     * @throws InvalidInputException when the scale's shards are hashed (not spatial blocks)
     */
    public static long[] writeUnit(BigArray dst) {
        long[] unit = dst.writeUnit();
        if (unit == null) {
            throw new InvalidInputException("writing by boxes needs spatial shards (identity hash); shards hashed over the whole volume ("
                    + dst.sharding() + ") cannot be written box by box: write unsharded (or with identity-hash sharding) and then run"
                    + " 'bigarrays transcode --sharding ...' on one machine");
        }
        return unit;
    }
}
