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
    private final String name;
    private final Path path; // null for stdout
    private final boolean inPlace;

    private OutputFile(String name, Path path, boolean inPlace) {
        this.name = name;
        this.path = path;
        this.inPlace = inPlace;
    }

    /** Check {@code output} (the {@code -o} argument) without creating anything. */
    static OutputFile check(String output) {
        if (output.equals("-")) return new OutputFile(output, null, true);
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
        if (regular && !Files.isWritable(dir)) throw new InvalidInputException("-o " + output + ": directory " + dir + " is not writable");
        return new OutputFile(output, p, !regular);
    }

    boolean isStdout() {
        return path == null;
    }

    boolean isNpy() {
        return path != null && name.endsWith(".npy");
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
