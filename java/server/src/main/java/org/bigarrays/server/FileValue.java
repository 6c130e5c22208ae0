package org.bigarrays.server;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.bigarrays.StorageException;

/**
 * A value of a layer on local disk, read from one open file: a writer renaming a new version over
 * the key does not change what this sends. Opened only if the key's real path lies inside the
 * layer's real root: a symbolic link (or a directory linked) to anything outside is refused as if
 * the key did not exist, unless the layer was opened with {@code followLinks=true}.
 */
final class FileValue implements StoredValue {
    private final FileChannel channel;
    private final long size;
    private final String key;
    private final String where;

    private FileValue(FileChannel channel, long size, String key, String where) {
        this.channel = channel;
        this.size = size;
        this.key = key;
        this.where = where;
    }

    /**
     * The value at {@code key} under {@code root}, or null when there is none (or it lies outside
     * the layer and links are not followed).
     * @throws StorageException when something other than a regular file is there, or it cannot be read
     */
    static FileValue open(Path root, Path realRoot, boolean followLinks, String key) {
        Path p = root.resolve(key);
        String where = root.toUri().toString();
        try {
            Path real;
            try {
                real = p.toRealPath();
            } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
                return null;
            }
            if (!followLinks && !real.startsWith(realRoot)) return null; // never say what is outside
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) throw new StorageException(where, key, "read", "is a directory, not a value");
            if (!a.isRegularFile()) throw new StorageException(where, key, "read", "is not a regular file (a FIFO, socket or device?); refusing to open it");
            FileChannel ch;
            try {
                ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null; // deleted between the check and the open
            }
            return new FileValue(ch, ch.size(), key, where);
        } catch (AccessDeniedException e) {
            throw new StorageException(where, key, "read", "permission denied", e);
        } catch (FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) return null;
            throw new StorageException(where, key, "read", e.toString(), e);
        } catch (IOException e) {
            throw new StorageException(where, key, "read", e.toString(), e);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long position, MemorySegment dst) {
        ByteBuffer buf = dst.asByteBuffer();
        long pos = position;
        try {
            while (buf.hasRemaining()) { // one read() may return fewer bytes than asked
                int got = channel.read(buf, pos);
                if (got < 0) throw new StorageException(where, key, "read", "file shrank while reading: expected " + size + " bytes, found " + pos);
                pos += got;
            }
        } catch (IOException e) {
            throw new StorageException(where, key, "read", e.toString(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // a read-only descriptor: nothing was lost
        }
    }
}
