package org.bigarrays.kvstore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongFunction;
import java.util.concurrent.ThreadLocalRandom;
import org.bigarrays.StorageException;

/**
 * Keys as files under a root directory ({@code file:///path} or a plain path).
 *
 * <p>Write protocol, so that a crash never leaves a torn value under a key:
 * <ol>
 *   <li>create the parent directories;
 *   <li>write the bytes to a temp sibling {@code .<name>.tmp-<random>} (same directory, so the
 *       rename below cannot cross file systems);
 *   <li>if durable, fsync the temp file;
 *   <li>rename it over the key (atomic replace on POSIX);
 *   <li>if durable, fsync the directory so the rename itself survives a power loss;
 *   <li>on any failure, delete the temp file and report: the previous value is untouched.
 * </ol>
 * Readers therefore see the old bytes or the new ones. Temp files are hidden from {@link #list}.
 */
public final class FileStore implements KeyValueStore {
    static final String TEMP_MARK = ".tmp-";
    private final Path root;
    private final String uri;
    private final boolean durable;

    /**
     * @param root directory holding the keys (created on first write)
     * @param durable fsync each written file and its directory (survives power loss, slower)
     */
    public FileStore(Path root, boolean durable) {
        this.root = root.toAbsolutePath().normalize();
        this.uri = this.root.toUri().toString();
        this.durable = durable;
    }

    public FileStore(Path root) {
        this(root, true);
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        return root.resolve(Keys.check(key));
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        Path p = path(key);
        // TODO(kvstore helper): generation checked in the same step as the read.
        if (options.ifEqual() != null || options.ifNotEqual() != null) {
            String gen;
            try {
                gen = generation(p);
            } catch (NoSuchFileException | NotDirectoryException e) {
                gen = Generation.NO_VALUE;
            } catch (IOException e) {
                throw new StorageException(uri, key, "read", e.toString(), e);
            }
            if (!options.admits(gen)) return ReadResult.conditionNotMet(gen);
        }
        org.bigarrays.core.BufferPool pool = options.buffers();
        org.bigarrays.core.Lease[] lease = new org.bigarrays.core.Lease[1];
        LongFunction<MemorySegment> allocator = pool == null ? n -> MemorySegment.ofArray(new byte[(int) n]) : n -> (lease[0] = pool.lease(n)).segment();
        try {
            ReadResult r = read(key, p, options.range(), allocator, pool == null);
            return lease[0] == null || !r.found() ? r : ReadResult.leased(r.value(), r.generation(), lease[0]);
        } catch (RuntimeException e) {
            if (lease[0] != null) lease[0].close();
            throw e;
        }
    }

    private ReadResult read(String key, Path p, ByteRange range, LongFunction<MemorySegment> allocator, boolean withGeneration) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            long[] r = range.resolve(size);
            long n = r[1] - r[0];
            if (n > Integer.MAX_VALUE - 8) {
                throw new StorageException(uri, key, "read", "range of " + n + " bytes exceeds 2 GiB; read it in parts");
            }
            MemorySegment out = allocator.apply(n).asSlice(0, n);
            ByteBuffer buf = out.asByteBuffer();
            long pos = r[0];
            while (buf.hasRemaining()) { // loop: one read() may return fewer bytes than asked
                int got = ch.read(buf, pos);
                if (got < 0) {
                    throw new StorageException(uri, key, "read", "file shrank while reading: expected " + n + " bytes, got " + buf.position());
                }
                pos += got;
            }
            return ReadResult.of(out, withGeneration ? generation(p) : Generation.UNKNOWN);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return ReadResult.MISSING;
        } catch (AccessDeniedException e) {
            throw new StorageException(uri, key, "read", "permission denied", e);
        } catch (IOException e) {
            if (Files.isDirectory(p)) throw new StorageException(uri, key, "read", "is a directory, not a value");
            if (underAFile(p)) return ReadResult.MISSING; // "a/b" when "a" is a value: ENOTDIR, not always NotDirectoryException
            throw new StorageException(uri, key, "read", e.toString(), e);
        }
    }

    /** Whether a parent of {@code p}, up to the root itself, is a regular file (so {@code p} cannot exist). */
    private boolean underAFile(Path p) {
        for (Path q = p.getParent(); q != null && q.startsWith(root); q = q.getParent()) {
            if (Files.isRegularFile(q)) return true;
        }
        return false;
    }

    private static String generation(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        if (options.conditional()) throw new UnsupportedOperationException("TODO(kvstore helper): conditional writes on file stores");
        Path target = path(key);
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + TEMP_MARK + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = value.asByteBuffer();
                while (buf.hasRemaining()) ch.write(buf);
                if (durable) ch.force(false);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StorageException(uri, key, "write", "file system cannot rename atomically", e);
            }
            if (durable) fsyncDirectory(dir);
            return WriteResult.written(generation(target));
        } catch (IOException e) {
            deleteQuietly(tmp);
            String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
            throw new StorageException(uri, key, "write", why, e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open or sync a directory; the rename is still atomic.
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover temp file is hidden from list() and never read as a key
        }
    }

    @Override
    public boolean delete(String key) {
        try {
            return Files.deleteIfExists(path(key));
        } catch (IOException e) {
            if (underAFile(path(key))) return false;
            throw new StorageException(uri, key, "delete", e.toString(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    @Override
    public List<String> list(String prefix) {
        int slash = prefix.lastIndexOf('/');
        // The part before the last '/' must be a valid key path, or no key starts with the prefix
        // (and "../" must not walk outside the root).
        if (!Keys.isListablePrefix(prefix)) return List.of();
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        List<String> out = new ArrayList<>();
        try {
            walk(start, out, prefix);
        } catch (IOException e) {
            throw new StorageException(uri, prefix, "list", e.toString(), e);
        }
        Collections.sort(out);
        return out;
    }

    private void walk(Path dir, List<String> out, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    if (prefix.startsWith(rel + "/") || (rel + "/").startsWith(prefix) || prefix.isEmpty()) walk(p, out, prefix);
                } else if (rel.startsWith(prefix) && !p.getFileName().toString().contains(TEMP_MARK)) {
                    out.add(rel);
                }
            }
        }
    }

    @Override
    public String uri() {
        return uri;
    }
}
