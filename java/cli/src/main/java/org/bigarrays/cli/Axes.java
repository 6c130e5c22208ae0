package org.bigarrays.cli;

import org.bigarrays.InvalidInputException;

/** {@code --axes xyz|zyx}: the order of the axes of a .npy or raw file (precomputed's own, or the (z,y,x) of tifffile, scikit-image and Fiji). */
final class Axes {
    private Axes() {}

    /** Whether {@code axes} is zyx (false for xyz); anything else is refused naming --axes. */
    static boolean zyx(String axes) {
        return switch (axes.toLowerCase(java.util.Locale.ROOT)) {
            case "xyz" -> false;
            case "zyx" -> true;
            default -> throw new InvalidInputException("--axes " + axes + ": expected xyz or zyx");
        };
    }
}
