package org.bigarrays.chunk;

import org.bigarrays.core.ChunkGrid;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.Box;

/** Builds the per-chunk copy descriptors for a box, computed once in Java and handed to kernels. */
public final class CopyPlan {
    private CopyPlan() {}

    /** One {@link ChunkCopy} per chunk the box touches inside the volume, x fastest. */
    public static List<ChunkCopy> of(ChunkGrid grid, Box box) {
        List<ChunkCopy> plan = new ArrayList<>();
        for (long[] g : grid.cellsOverlapping(box)) {
            Box cb = grid.cellBox(g);
            plan.add(new ChunkCopy(g, cb, cb.intersect(box)));
        }
        return plan;
    }
}
