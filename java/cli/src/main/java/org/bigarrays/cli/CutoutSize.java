package org.bigarrays.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;

/**
 * The bytes a cutout takes (voxels × channels × bytes per voxel), checked before anything is
 * read: it must fit 64 bits and the memory this machine has free, since a cutout is held whole
 * in (off-heap) memory before it is written.
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

    /** Refuse a cutout larger than the memory available now, with its size and a hint. */
    static void checkFits(Box box, long bytes, long available) {
        if (bytes > available) {
            throw new InvalidInputException("--box " + box + " needs " + human(bytes) + " of memory, but only " + human(available)
                    + " is available; cut out smaller boxes");
        }
    }

    /** Memory this process could still get: MemAvailable, capped by the (container's) total memory. */
    static long availableMemory() {
        long total = Long.MAX_VALUE;
        long free = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
            free = os.getFreeMemorySize();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    free = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    break;
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // keep the MXBean's figure
        }
        if (free < 0) return Long.MAX_VALUE; // unknown: let the allocation decide
        return Math.min(free, total);
    }

    static String human(long bytes) {
        if (bytes < 1L << 20) return bytes + " bytes";
        if (bytes < 1L << 30) return String.format("%.1f MiB", bytes / (double) (1L << 20));
        if (bytes < 1L << 40) return String.format("%.1f GiB", bytes / (double) (1L << 30));
        return String.format("%.1f TiB", bytes / (double) (1L << 40));
    }
}
