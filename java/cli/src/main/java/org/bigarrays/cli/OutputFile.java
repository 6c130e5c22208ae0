package org.bigarrays.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.bigarrays.InvalidInputException;

/**
 * Where {@code cutout} writes: stdout ({@code -}), or a file, checked before anything is read
 * (its directory exists and is writable; it is not a directory). A regular file is written whole
 * or not at all by {@link org.bigarrays.array.BigArray#read(org.bigarrays.core.Box, Path, long)}
 * (a locked temporary sibling {@code .<name>.bigarrays-tmp-<hex>} renamed over it, deleted on
 * SIGINT/SIGTERM or by the next cutout into the folder once its writer is dead); an existing symlink or non-regular file
 * ({@code /dev/null}, a FIFO) is written in place, as a stream.
 */
final class OutputFile {
    /** What is written, from the name's extension (case-insensitive). */
    enum Format { NPY, RAW, TIFF }

    /** The accepted names, for the error on any other. */
    static final String ACCEPTED = ".npy, .raw or .bin (raw little-endian), .tif or .tiff (multi-page TIFF), or - (raw to stdout)";

    private final String name;
    private final Path path; // null for stdout
    private final boolean inPlace;
    private final Format format;

    private OutputFile(String name, Path path, boolean inPlace, Format format) {
        this.name = name;
        this.path = path;
        this.inPlace = inPlace;
        this.format = format;
    }

    /** The format {@code name}'s extension names, or null. */
    static Format formatOf(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".npy")) return Format.NPY;
        if (n.endsWith(".raw") || n.endsWith(".bin")) return Format.RAW;
        if (n.endsWith(".tif") || n.endsWith(".tiff")) return Format.TIFF;
        return null;
    }

    /** Check {@code output} (the {@code -o} argument) without creating anything. */
    static OutputFile check(String output) {
        if (output.equals("-")) return new OutputFile(output, null, true, Format.RAW);
        Path p;
        try {
            p = Path.of(output).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new InvalidInputException("-o " + output + ": invalid path (" + e.getReason() + ")");
        }
        if (Files.isDirectory(p)) throw new InvalidInputException("-o " + output + " is a directory; give a file name");
        Path dir = p.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new InvalidInputException("-o " + output + ": directory " + dir + " does not exist");
        boolean exists = Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.exists(p);
        if (exists && !Files.isWritable(p)) throw new InvalidInputException("-o " + output + " exists and is not writable");
        // A symlink, device or FIFO is written through in place; only a regular file (or a new
        // one) is replaced by renaming.
        boolean regular = !exists || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
        Format f = formatOf(p.getFileName().toString());
        if (f == null) {
            // A guess would be wrong half the time (a .dat read as .npy, a .h5 full of raw bytes): the
            // name must say. Devices and FIFOs (/dev/null) have no extension and get raw bytes.
            boolean device = exists && !Files.isSymbolicLink(p) && !Files.isRegularFile(p);
            if (!device) throw new InvalidInputException("-o " + output + ": unknown output format; name it " + ACCEPTED);
            f = Format.RAW;
        }
        if (regular && !Files.isWritable(dir)) throw new InvalidInputException("-o " + output + ": directory " + dir + " is not writable");
        return new OutputFile(output, p, !regular, f);
    }

    boolean isStdout() {
        return path == null;
    }

    boolean isNpy() {
        return format == Format.NPY;
    }

    Format format() {
        return format;
    }

    /** The file (absolute); null for stdout. */
    Path path() {
        return path;
    }

    /** Whether the target is written through in place (a symlink, device or FIFO), not replaced. */
    boolean inPlace() {
        return path != null && inPlace;
    }
}
