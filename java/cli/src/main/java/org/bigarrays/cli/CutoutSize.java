package org.bigarrays.cli;

import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;

/**
 * The bytes a cutout takes (voxels × channels × bytes per voxel), checked before anything is
 * read: it must fit 64 bits (cutouts are streamed, so memory does not limit them; the library
 * checks the disk).
 */
final class CutoutSize {
    private CutoutSize() {}

    /** The cutout's size in bytes; an overflow is an error naming the box. */
    static long bytes(Box box, int channels, DataType type) {
        try {
            return Math.multiplyExact(Math.multiplyExact(box.volume(), channels), type.size());
        } catch (ArithmeticException overflow) {
            throw new InvalidInputException("--box " + box + ": " + channels + " channel(s) of " + type
                    + " take more than 2^63 bytes; cut out smaller boxes");
        }
    }

    static String human(long bytes) {
        if (bytes < 1L << 20) return bytes + " bytes";
        if (bytes < 1L << 30) return String.format("%.1f MiB", bytes / (double) (1L << 20));
        if (bytes < 1L << 40) return String.format("%.1f GiB", bytes / (double) (1L << 30));
        return String.format("%.1f TiB", bytes / (double) (1L << 40));
    }
}
