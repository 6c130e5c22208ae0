package org.bigarrays.array;

import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;

/**
 * How a {@link BigArray} reads and writes. Immutable; start from {@link #defaults()}.
 *
 * <pre>{@code
 * Options o = Options.defaults().withStrict(true).withThreads(4, 64);
 * }</pre>
 *
 * @param fillValue value of voxels outside the volume or in missing chunks
 * @param strict fail instead of filling: on a box outside the volume and on missing chunks
 * @param readModifyWrite let writes of unaligned boxes read, patch and rewrite the edge chunks
 * @param compression transport compression for written chunks (gzip: {@code <key>.gz})
 * @param cpuThreads workers that decode, copy and encode (default: cores)
 * @param ioConcurrency chunk fetches/stores in flight at once (default: 4 × cores, ≥ 16)
 * @param progress told of each chunk done
 */
public record Options(double fillValue, boolean strict, boolean readModifyWrite, Compression compression,
                      int cpuThreads, int ioConcurrency, ProgressListener progress) {
    public Options {
        if (cpuThreads < 1 || ioConcurrency < 1) {
            throw new InvalidInputException("threads must be ≥ 1, found cpu " + cpuThreads + ", io " + ioConcurrency);
        }
    }

    public static Options defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new Options(0, false, false, Compression.NONE, cores, Math.max(16, 4 * cores), ProgressListener.NONE);
    }

    public Options withFillValue(double v) {
        return new Options(v, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress);
    }

    public Options withStrict(boolean s) {
        return new Options(fillValue, s, readModifyWrite, compression, cpuThreads, ioConcurrency, progress);
    }

    public Options withReadModifyWrite(boolean r) {
        return new Options(fillValue, strict, r, compression, cpuThreads, ioConcurrency, progress);
    }

    public Options withCompression(Compression c) {
        return new Options(fillValue, strict, readModifyWrite, c, cpuThreads, ioConcurrency, progress);
    }

    /** Worker counts; {@code withThreads(1, 1)} runs everything on the caller's thread. */
    public Options withThreads(int cpu, int io) {
        return new Options(fillValue, strict, readModifyWrite, compression, cpu, io, progress);
    }

    public Options withProgress(ProgressListener p) {
        return new Options(fillValue, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, p);
    }
}
