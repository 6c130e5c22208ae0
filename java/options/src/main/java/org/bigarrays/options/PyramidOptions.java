package org.bigarrays.options;

import org.bigarrays.array.PyramidSpec;
import org.bigarrays.downsample.DownsampleMethod;
import picocli.CommandLine.Option;

/** The pyramid's shape and method ({@code downsample}, CLI and Spark): mips, factor, method, sparse, chunk of new scales. */
public final class PyramidOptions {
    @Option(names = "--mips", paramLabel = "N", description = "coarsest mip to fill (default: the existing scales, or until x and y fit one chunk)")
    Integer mips;

    @Option(names = "--factor", paramLabel = "FX,FY,FZ", description = "factor per step (default: 2,2,1 while z's resolution is over twice x/y's, then 2,2,2; "
            + "existing scales keep the factor their resolutions give)")
    String factor;

    @Option(names = "--method", description = "mean, mode, median, min or max (default: mean for images, mode for segmentation)")
    String method;

    @Option(names = "--sparse", description = "the fill value does not vote or average unless a whole block is fill")
    boolean sparse;

    @Option(names = "--chunk", paramLabel = "X,Y,Z", description = "chunk size of new scales (default: mip 0's)")
    String chunk;

    /** {@code spec} with the options given. */
    public PyramidSpec apply(PyramidSpec spec) {
        PyramidSpec s = spec;
        if (mips != null) s = s.withMips(mips);
        if (factor != null) s = s.withFactor(OptionValues.triple(factor, "--factor"));
        if (method != null) s = s.withMethod(DownsampleMethod.of(method));
        if (sparse) s = s.withSparse(true);
        if (chunk != null) s = s.withChunk(OptionValues.triple(chunk, "--chunk"));
        return s;
    }
}
