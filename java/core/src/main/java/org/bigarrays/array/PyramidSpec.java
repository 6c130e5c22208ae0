package org.bigarrays.array;

import java.util.Arrays;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.downsample.DownsampleMethod;

/**
 * What {@link Pyramid#build} does; every member has a default ({@link #defaults()}), changed with
 * the {@code with…} methods.
 *
 * @param mips the coarsest mip to fill (mips 1..mips are added or filled); 0: every existing
 *     scale above mip 0, or, on a single-scale layer, mips until x and y fit one chunk
 * @param factor the factor per step for new scales, or null for the default rule ({@code 2,2,1}
 *     while z's resolution is over twice x/y's, then {@code 2,2,2}); existing scales keep theirs
 * @param method null: mean for images, mode for segmentation
 * @param sparse the fill value does not vote unless a whole block is fill
 * @param box null: everything; else the mip-0 box that changed (only what it affects is rewritten)
 * @param chunk chunk shape of new scales, or null for mip 0's
 * @param compression transport compression of written chunks; null: as mip 0's chunks are stored
 * @param taskBytes the most bytes of the finest mip one task reads (memory per task: about 1.15 to
 *     1.34 times this plus the chunk buffers in flight; {@link #parallelTasks} run at once)
 * @param parallelTasks tasks run at once
 */
public record PyramidSpec(int mips, long[] factor, DownsampleMethod method, boolean sparse, Box box, long[] chunk,
                          Compression compression, long taskBytes, int parallelTasks) {
    /** Default bytes of the finest mip per task: 256 MiB. */
    public static final long DEFAULT_TASK_BYTES = 256L << 20;

    public PyramidSpec {
        if (mips < 0) throw new InvalidInputException("mips: expected ≥ 1, found " + mips);
        if (factor != null) {
            if (factor.length != 3 || Arrays.stream(factor).anyMatch(f -> f < 1)) {
                throw new InvalidInputException("factor: expected 3 positive integers FX,FY,FZ, found " + Arrays.toString(factor));
            }
            if (Arrays.stream(factor).allMatch(f -> f == 1)) throw new InvalidInputException("factor: 1,1,1 does not downsample");
            factor = factor.clone();
        }
        if (box != null && box.rank() != 3) throw new InvalidInputException("box " + box + ": expected 3 dimensions x,y,z");
        if (chunk != null) {
            if (chunk.length != 3 || Arrays.stream(chunk).anyMatch(c -> c < 1)) {
                throw new InvalidInputException("chunk: expected 3 positive integers X,Y,Z, found " + Arrays.toString(chunk));
            }
            chunk = chunk.clone();
        }
        if (taskBytes < 1 || parallelTasks < 1) throw new InvalidInputException("taskBytes and parallelTasks must be ≥ 1, found " + taskBytes + ", " + parallelTasks);
    }

    public static PyramidSpec defaults() {
        return new PyramidSpec(0, null, null, false, null, null, null, DEFAULT_TASK_BYTES, Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    public PyramidSpec withMips(int n) {
        if (n < 1) throw new InvalidInputException("mips: expected ≥ 1, found " + n);
        return new PyramidSpec(n, factor, method, sparse, box, chunk, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withFactor(long... f) {
        return new PyramidSpec(mips, f, method, sparse, box, chunk, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withMethod(DownsampleMethod m) {
        return new PyramidSpec(mips, factor, m, sparse, box, chunk, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withSparse(boolean s) {
        return new PyramidSpec(mips, factor, method, s, box, chunk, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withBox(Box b) {
        return new PyramidSpec(mips, factor, method, sparse, b, chunk, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withChunk(long... c) {
        return new PyramidSpec(mips, factor, method, sparse, box, c, compression, taskBytes, parallelTasks);
    }

    public PyramidSpec withCompression(Compression c) {
        return new PyramidSpec(mips, factor, method, sparse, box, chunk, c, taskBytes, parallelTasks);
    }

    public PyramidSpec withTaskBytes(long b) {
        return new PyramidSpec(mips, factor, method, sparse, box, chunk, compression, b, parallelTasks);
    }

    public PyramidSpec withParallelTasks(int n) {
        return new PyramidSpec(mips, factor, method, sparse, box, chunk, compression, taskBytes, n);
    }
}
