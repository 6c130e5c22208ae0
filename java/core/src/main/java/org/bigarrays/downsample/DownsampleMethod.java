package org.bigarrays.downsample;

import java.util.Locale;
import org.bigarrays.InvalidInputException;

/**
 * How a block of voxels of mip k becomes one voxel of mip k+1 (TensorStore's downsample methods).
 * Values are ordered numerically; floats by IEEE total order (-NaN &lt; -inf &lt; -0 &lt; +0 &lt; +inf &lt; NaN).
 */
public enum DownsampleMethod {
    /** Integers: the exact mean rounded to nearest, ties to even; floats: mean in double, rounded once; bool: {@link #MODE}. */
    MEAN,
    /** The most frequent value; ties go to the lowest value. */
    MODE,
    /** The lower median (element {@code (n-1)/2} of the sorted block). */
    MEDIAN,
    MIN,
    MAX;

    /** The kernel's method code ({@code ba_ds_method} in bigarrays.h). */
    int code() {
        return ordinal();
    }

    /** The name on the command line: mean, mode, median, min, max. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parse a method name, case-insensitive.
     * @throws InvalidInputException naming the value and the choices
     */
    public static DownsampleMethod of(String name) {
        for (DownsampleMethod m : values()) if (m.cliName().equalsIgnoreCase(name.trim())) return m;
        throw new InvalidInputException("unknown downsample method '" + name + "': expected mean, mode, median, min or max");
    }

    /** The default for a layer of {@code type} ("segmentation": mode; else mean). */
    public static DownsampleMethod defaultFor(String layerType) {
        return "segmentation".equals(layerType) ? MODE : MEAN;
    }
}
