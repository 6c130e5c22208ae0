package org.bigarrays.array;

import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.DataType;

/**
 * How a {@link BigArray} reads and writes. Immutable; start from {@link #defaults()}.
 *
 * <pre>{@code
 * Options o = Options.defaults().withStrict(true).withThreads(4, 64);
 * }</pre>
 *
 * @param fillValue value of voxels outside the volume or in missing chunks; it must fit the
 *     array's data type (300 on uint8 or 2.7 on an integer type is an error when the array reads
 *     or writes, not a wrapped value). A double holds every integer up to 2^53 exactly; for
 *     int64/uint64 values beyond that, use {@link #withFillValue(String)}
 * @param fillText the fill value exactly as given to {@link #withFillValue(String)}, or null when
 *     it was given as a double
 * @param strict fail instead of filling: on a box outside the volume and on missing chunks
 * @param readModifyWrite let writes of unaligned boxes read, patch and rewrite the edge chunks
 * @param compression transport compression for written chunks, always under the plain key (gzip chunks on s3/gs carry
 *     {@code Content-Encoding: gzip}); zstd and lz4 are logged as a warning: Neuroglancer cannot read them
 * @param cpuThreads workers that decode, copy and encode (default: cores)
 * @param ioConcurrency chunk fetches/stores in flight at once (default: 4 × cores, ≥ 16)
 * @param progress told of each chunk done
 * @param storeFillChunks whether writes store chunks that are entirely the fill value (default
 *     false: they are left out, and a stored chunk they replace is deleted, since a missing chunk
 *     reads back as the fill value; sparse layers stay sparse). Only with fill value 0, the
 *     format's implicit one: Neuroglancer shows a missing chunk as 0, so chunks of another fill
 *     value are always stored. A reader that asks for another fill value sees it where all-zero
 *     chunks were left out
 * @param zstdLevel the level zstd writes at: transport {@code zstd} and the BigArrays.jl {@code zstd}
 *     encoding (default 3; see {@link #withZstdLevel})
 * @param format the format a new layer is written in ({@code precomputed}, {@code zarr3},
 *     {@code ome-zarr}); null: precomputed for new layers, and for opening, whatever format is
 *     stored (a format given there must be the one stored)
 */
public record Options(double fillValue, String fillText, boolean strict, boolean readModifyWrite, Compression compression,
                      int cpuThreads, int ioConcurrency, ProgressListener progress, boolean storeFillChunks, int zstdLevel,
                      String format) {
    public Options {
        // Only a level other than the default is checked: the call initializes ZstdCodec, which
        // loads and links libzstd (nine downcalls), and a one-chunk cutout of a raw layer has no use for it.
        if (zstdLevel != ZstdCodec.LEVEL) ZstdCodec.checkLevel(zstdLevel);
        if (cpuThreads < 1 || ioConcurrency < 1) {
            throw new InvalidInputException("threads must be ≥ 1, found cpu " + cpuThreads + ", io " + ioConcurrency);
        }
    }

    public static Options defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new Options(0, null, false, false, Compression.NONE, cores, Math.max(16, 4 * cores), ProgressListener.NONE, false, ZstdCodec.LEVEL, null);
    }

    /** The fill value {@code v}; exact for every integer up to 2^53 and every float. */
    public Options withFillValue(double v) {
        return new Options(v, null, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, format);
    }

    /**
     * The fill value written as decimal {@code text} ("0", "255", "-1.5", "NaN",
     * "18446744073709551615"), kept exactly so that every int64 and uint64 value can be used;
     * whether it fits the array's type is checked by {@link #fillPattern}.
     *
     * @throws InvalidInputException when {@code text} is not a number
     */
    public Options withFillValue(String text) {
        DataType.FLOAT64.bitsOf(text, "fill value"); // syntax only: every number parses as float64
        String t = text.trim();
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        double approx = lower.contains("nan") ? Double.NaN
                : lower.contains("inf") ? (t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(t);
        return new Options(approx, t, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, format);
    }

    /**
     * The fill value's bit pattern in {@code type}, exact (from {@link #fillText} when given).
     *
     * @throws InvalidInputException when the fill value does not fit {@code type}, naming both
     */
    public long fillPattern(DataType type) {
        return fillText != null ? type.bitsOf(fillText, "fill value") : type.bitsOf(fillValue, "fill value");
    }

    public Options withStrict(boolean s) {
        return new Options(fillValue, fillText, s, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, format);
    }

    public Options withReadModifyWrite(boolean r) {
        return new Options(fillValue, fillText, strict, r, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, format);
    }

    public Options withCompression(Compression c) {
        return new Options(fillValue, fillText, strict, readModifyWrite, c, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, format);
    }

    /** Worker counts; {@code withThreads(1, 1)} runs everything on the caller's thread. */
    public Options withThreads(int cpu, int io) {
        return new Options(fillValue, fillText, strict, readModifyWrite, compression, cpu, io, progress, storeFillChunks, zstdLevel, format);
    }

    public Options withProgress(ProgressListener p) {
        return new Options(fillValue, fillText, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, p, storeFillChunks, zstdLevel, format);
    }

    /** Whether writes store chunks that are entirely the fill value (see {@link #storeFillChunks()}). */
    public Options withStoreFillChunks(boolean store) {
        return new Options(fillValue, fillText, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, store, zstdLevel, format);
    }

    /**
     * The level zstd writes at (transport {@code zstd}, and the BigArrays.jl {@code zstd} encoding):
     * libzstd's −131072 to 22, default 3. Higher levels store smaller chunks and write slower (on
     * EM-like uint8, level 1 writes about 6× faster than 3 for chunks 5% larger; 19 stores 8% less
     * than 3 at a tenth of its speed); reads are the same at every level. Other compressions ignore it.
     *
     * @throws InvalidInputException naming {@code level} and the range when it is outside it
     */
    public Options withZstdLevel(int level) {
        return new Options(fillValue, fillText, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, level, format);
    }

    /**
     * The format of new layers, and the one expected when opening: precomputed, zarr3, ome-zarr
     * (zarr2 is read only). Null: detect on open, precomputed on create.
     */
    public Options withFormat(String f) {
        return new Options(fillValue, fillText, strict, readModifyWrite, compression, cpuThreads, ioConcurrency, progress, storeFillChunks, zstdLevel, f);
    }
}
