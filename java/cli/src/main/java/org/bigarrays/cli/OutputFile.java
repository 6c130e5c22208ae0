package org.bigarrays.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.core.NdView;

/**
 * Where {@code cutout} writes: stdout ({@code -}), or a file, checked before anything is read
 * (its directory exists and is writable; it is not a directory), and written whole or not at
 * all: to a temporary file beside it, renamed over it at the end, so a failure leaves neither a
 * header-only {@code .npy} nor a half-written file. An existing regular file is replaced, as
 * before; an existing symlink or non-regular file ({@code /dev/null}, a FIFO) is written in place.
 */
final class OutputFile {
    /** Bytes per write call: ByteBuffers hold at most 2 GiB, so larger cutouts go in slices. */
    private static final long SLICE = 1L << 30;

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

    /** Write {@code v} (with a .npy header for a .npy file) whole, or leave nothing new behind. */
    void write(NdView v) {
        if (path == null) {
            try {
                // Not closed: that would close the process's stdout.
                writeData(v, new FileOutputStream(FileDescriptor.out).getChannel());
            } catch (IOException e) {
                throw new StorageException(name, "", "write output", e.toString(), e);
            }
            return;
        }
        Path target = inPlace ? path : path.resolveSibling("." + path.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean done = false;
        try {
            try (FileChannel out = inPlace ? FileChannel.open(target, StandardOpenOption.WRITE)
                    : FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (isNpy()) {
                    ByteArrayOutputStream header = new ByteArrayOutputStream();
                    Npy.writeHeader(header, v.dataType(), v.shape());
                    ByteBuffer hb = ByteBuffer.wrap(header.toByteArray());
                    while (hb.hasRemaining()) out.write(hb);
                }
                writeData(v, out);
            }
            if (!inPlace) Files.move(target, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new StorageException(name, "", "write output", e.toString(), e);
        } finally {
            if (!done && !inPlace) {
                try {
                    Files.deleteIfExists(target);
                } catch (IOException ignored) {
                    // the write failed already; that error is the one to report
                }
            }
        }
    }

    private static void writeData(NdView v, WritableByteChannel ch) throws IOException {
        long size = v.byteSize();
        for (long off = 0; off < size; off += SLICE) {
            ByteBuffer bb = v.segment().asSlice(v.byteOffset() + off, Math.min(SLICE, size - off)).asByteBuffer();
            while (bb.hasRemaining()) ch.write(bb);
        }
    }
}
