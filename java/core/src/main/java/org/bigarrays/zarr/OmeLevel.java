package org.bigarrays.zarr;

import java.util.Arrays;
import java.util.List;

/**
 * One level (mip) of an OME-Zarr multiscale image in the library's terms: where its array is,
 * its voxel size and its offset, each as {@code [x, y, z]}. Made by {@link Multiscales.Multiscale#levels}
 * from the level's {@code scale} and {@code translation} (after the multiscale's own, where it
 * has them), or given to {@link Multiscales.Multiscale#forPyramid} to write a pyramid.
 *
 * @param path the level's array, relative to the image group
 * @param resolution the voxel size along x, y, z: in nanometres where {@code units} says
 *     "nanometer" (converted from any OME length unit), else the number as stored, in the
 *     stored unit (unknown unit) or in no stated unit (none given); 1 for an absent axis
 * @param units per x, y, z: "nanometer" when {@code resolution} is in nanometres, else the stored
 *     unit as written, or null where the axis has none (or is absent)
 * @param voxelOffset the level's origin in voxels of this level: translation / scale per axis,
 *     where that is within 1e-6 of an integer; 0 otherwise (see {@code fractionalOffset})
 * @param fractionalOffset translation / scale per axis where it is not within 1e-6 of an
 *     integer (the origin lies between voxels, which a voxel offset cannot say), else 0
 */
public record OmeLevel(String path, double[] resolution, List<String> units, long[] voxelOffset, double[] fractionalOffset) {
    /** Copies the arrays. */
    public OmeLevel {
        resolution = resolution.clone();
        voxelOffset = voxelOffset.clone();
        fractionalOffset = fractionalOffset.clone();
        units = units == null ? java.util.Collections.nCopies(3, null) : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(units));
    }

    /** A level to write: resolution in nanometres, integral offset. */
    public static OmeLevel of(String path, double[] resolutionNm, long[] voxelOffset) {
        return new OmeLevel(path, resolutionNm, List.of("nanometer", "nanometer", "nanometer"), voxelOffset, new double[3]);
    }

    @Override
    public double[] resolution() {
        return resolution.clone();
    }

    @Override
    public long[] voxelOffset() {
        return voxelOffset.clone();
    }

    @Override
    public double[] fractionalOffset() {
        return fractionalOffset.clone();
    }

    /** Whether the origin lies between voxels on some axis (then {@link #voxelOffset} is 0 there). */
    public boolean hasFractionalOffset() {
        return fractionalOffset[0] != 0 || fractionalOffset[1] != 0 || fractionalOffset[2] != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OmeLevel l && l.path.equals(path) && Arrays.equals(l.resolution, resolution) && l.units.equals(units)
                && Arrays.equals(l.voxelOffset, voxelOffset) && Arrays.equals(l.fractionalOffset, fractionalOffset);
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + Arrays.hashCode(resolution) * 17 + Arrays.hashCode(voxelOffset);
    }

    @Override
    public String toString() {
        return path + ": resolution " + Arrays.toString(resolution) + " " + units + ", offset " + Arrays.toString(voxelOffset)
                + (hasFractionalOffset() ? " + fractional " + Arrays.toString(fractionalOffset) : "");
    }
}
