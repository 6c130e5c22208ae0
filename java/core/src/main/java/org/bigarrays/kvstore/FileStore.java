package org.bigarrays.kvstore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys as files under a root directory ({@code file:///path} or a plain path).
 *
 * <p><b>Generation</b> of a value: {@code <mtime in ns>.<size>.<file id>}. The file id (inode)
 * changes on every write, since a write renames a new file over the key; but alone it is not
 * enough, because the file system reuses the number of the replaced file at once, so a third
 * write of the same size in the same millisecond could bring back the first generation (A-B-A).
 * Writers therefore set the new file's mtime themselves, under the key's lock, to a nanosecond
 * time strictly after the replaced file's: generations of a key never repeat.
 *
 * <p><b>Write protocol</b> (unconditional and conditional writes alike, so that a crash never
 * leaves a torn value and no write is lost between another's check and rename):
 * <ol>
 *   <li>create the parent directories;
 *   <li>write the bytes to a temp sibling {@code .<name>.tmp-<16 hex>} (same directory, so the
 *       rename below cannot cross file systems) and, if durable, fsync it: the slow part, done
 *       before taking the lock;
 *   <li>take the key's lock ({@link FileKeyLock}: one byte of the directory's
 *       {@code .bigarrays.lock} locked with fcntl, plus a JVM-wide striped lock);
 *   <li>read the key's current generation; if the write is conditional and it is not the
 *       expected one, delete the temp file, unlock and report "condition not met";
 *   <li>set the temp file's mtime to after the current value's (see above);
 *   <li>rename it over the key (atomic replace on POSIX);
 *   <li>if durable, fsync the directory so the rename itself survives a power loss;
 *   <li>read the new generation and unlock;
 *   <li>on any failure, delete the temp file and report: the previous value is untouched.
 * </ol>
 * {@link #delete} takes the same lock. Readers take no lock: they see the old file or the new
 * one, never a torn one. A read checks the generation before opening the file and again after,
 * and retries if they differ, so the generation it reports is that of the bytes it returns.
 *
 * <p><b>Leftovers</b>: a writer killed between steps 2 and 6 leaves its temp file. Temp files
 * are never listed or read as keys, and {@link #list} removes those older than
 * {@link #STALE_TEMPORARY_AGE} in the directories it walks (no live writer takes that long,
 * and listing already visits them); {@link #removeStaleTemporaries} does it on demand.
 *
 * <p>Only regular files are values: a directory, FIFO, socket or device at a key, or a regular
 * file where a directory of the key's path should be, is a {@link StorageException} naming the
 * key (never "missing", never an open that blocks forever).
 */
public final class FileStore implements KeyValueStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    static final String TEMP_MARK = ".tmp-";
    private static final Pattern TEMPORARY = Pattern.compile("\\..+" + Pattern.quote(TEMP_MARK) + "[0-9a-f]{1,16}");
    /** Temp files older than this are leftovers of a crashed writer. */
    public static final Duration STALE_TEMPORARY_AGE = Duration.ofHours(1);
    private static final int READ_TRIES = 100;

    private final Path root;
    private final String uri;
    private final boolean durable;
    /**
     * Directories this store created or found while writing: a write into one skips
     * {@code createDirectories} (a failing mkdir and a stat per chunk). One removed behind our
     * back is noticed when the temp file cannot be created, and made again.
     */
    private final java.util.Set<Path> knownDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_KNOWN_DIRECTORIES = 4096;

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

    /** Whether a file name is a writer's temp file or the lock file: never a key. */
    static boolean isReserved(String fileName) {
        return fileName.equals(FileKeyLock.LOCK_FILE) || TEMPORARY.matcher(fileName).matches();
    }

    @Override
    public ReadResult read(String key, ReadOptions options) {
        Path p = path(key);
        BufferPool pool = options.buffers();
        for (int attempt = 0; attempt < READ_TRIES; attempt++) {
            String before = generation(key, p, "read");
            if (!options.admits(before)) return ReadResult.conditionNotMet(before);
            if (before.equals(Generation.NO_VALUE)) return ReadResult.MISSING;
            Lease lease = null;
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                // A conditional read checks that the file at the path still had generation `before`
                // just after the open: then the open file is that one (a replaced file's generation
                // never comes back). An unconditional read skips that stat: at worst it returns an
                // older generation with newer bytes, which only makes a later ifEqual write fail and
                // retry, never succeed wrongly.
                boolean conditional = options.ifEqual() != null || options.ifNotEqual() != null;
                if (conditional && !generation(key, p, "read").equals(before)) continue;
                long size = ch.size();
                long[] r = options.range().resolve(size);
                long n = r[1] - r[0];
                if (n > Integer.MAX_VALUE - 8) {
                    throw new StorageException(uri, key, "read", "range of " + n + " bytes exceeds 2 GiB; read it in parts");
                }
                MemorySegment out;
                if (pool == null) {
                    out = MemorySegment.ofArray(new byte[(int) n]);
                } else {
                    lease = pool.lease(n);
                    out = lease.segment();
                }
                ByteBuffer buf = out.asByteBuffer();
                long pos = r[0];
                while (buf.hasRemaining()) { // loop: one read() may return fewer bytes than asked
                    int got = ch.read(buf, pos);
                    if (got < 0) {
                        throw new StorageException(uri, key, "read", "file shrank while reading: expected " + n + " bytes, got " + buf.position());
                    }
                    pos += got;
                }
                return lease == null ? ReadResult.of(out, before) : ReadResult.leased(out, before, lease);
            } catch (IOException | RuntimeException e) {
                if (lease != null) lease.close();
                if (e instanceof NoSuchFileException) continue; // deleted or replaced between the check and the open: look again
                if (e instanceof AccessDeniedException) throw new StorageException(uri, key, "read", "permission denied", e);
                if (e instanceof RuntimeException re) throw re;
                throw new StorageException(uri, key, "read", e.toString(), e);
            }
        }
        throw new StorageException(uri, key, "read", "value replaced on every one of " + READ_TRIES + " tries to read it");
    }

    /**
     * The generation of the value at {@code p}, {@link Generation#NO_VALUE} if there is none.
     * @throws StorageException if something other than a regular file is there, or a parent is a file
     */
    private String generation(String key, Path p, String op) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            throw new StorageException(uri, key, op, "permission denied", e);
        } catch (FileSystemException e) { // ENOENT, or ENOTDIR (which the JDK may also report as NoSuchFileException)
            Path file = fileAbove(p);
            if (file != null && file.equals(root)) {
                throw new InvalidInputException("cannot " + op + " key '" + key + "': the store's root " + root + " is a file, not a directory");
            }
            if (file != null) {
                throw new StorageException(uri, key, op, "'" + root.relativize(file).toString().replace('\\', '/') + "' is a file, not a directory");
            }
            if (e instanceof NoSuchFileException) return Generation.NO_VALUE;
            throw new StorageException(uri, key, op, e.toString(), e);
        } catch (IOException e) {
            throw new StorageException(uri, key, op, e.toString(), e);
        }
        if (a.isDirectory()) throw new StorageException(uri, key, op, "is a directory, not a value");
        if (!a.isRegularFile()) throw new StorageException(uri, key, op, "is not a regular file (a FIFO, socket or device?); refusing to open it");
        return generationOf(a);
    }

    private static String generationOf(BasicFileAttributes a) {
        StringBuilder g = new StringBuilder(48).append(a.lastModifiedTime().to(TimeUnit.NANOSECONDS)).append('.').append(a.size()).append('.');
        if (a.fileKey() != null) {
            // "(dev=803,ino=1234)" -> "dev=803,ino=1234"; by hand: this runs once or twice per chunk read
            String k = a.fileKey().toString();
            for (int i = 0; i < k.length(); i++) {
                char c = k.charAt(i);
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '=' || c == ',') g.append(c);
            }
        }
        return g.toString();
    }

    /** The nearest parent of {@code p} inside the root that is a regular file, or null. */
    private Path fileAbove(Path p) {
        for (Path q = p.getParent(); q != null && q.startsWith(root); q = q.getParent()) {
            if (Files.isRegularFile(q)) return q;
        }
        return null;
    }

    @Override
    public WriteResult write(String key, MemorySegment value, WriteOptions options) {
        Path target = path(key);
        String name = target.getFileName().toString();
        if (isReserved(name)) throw new InvalidInputException("invalid key '" + key + "': the name '" + name + "' is reserved by the file store");
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + name + TEMP_MARK + String.format("%016x", ThreadLocalRandom.current().nextLong()));
        try {
            writeTemporary(dir, tmp, value);
            WriteResult written;
            try (FileKeyLock lock = FileKeyLock.acquire(dir, name)) {
                String current = generation(key, target, "write");
                if (options.ifEqual() != null && !options.ifEqual().equals(current)) {
                    deleteQuietly(tmp);
                    return WriteResult.conditionNotMet(current);
                }
                FileTime mtime = nextMtime(current);
                // Both times given: with one of them null the JDK stats the file first to keep the other.
                Files.getFileAttributeView(tmp, BasicFileAttributeView.class).setTimes(mtime, mtime, null);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new StorageException(uri, key, "write", "file system cannot rename atomically", e);
                }
                written = WriteResult.written(generation(key, target, "write"));
            }
            // The directory is synced after the lock is released: the rename is already visible and
            // atomic, and the lock only orders check-and-rename; holding it through a disk flush made
            // concurrent writers wait (durable small-chunk writes ran at ~0.8x the old store).
            if (durable) fsyncDirectory(dir);
            return written;
        } catch (IOException e) {
            deleteQuietly(tmp);
            String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
            Path file = fileAbove(target);
            if (file != null) why = file.equals(root) ? "the store's root is a file, not a directory" : "'" + root.relativize(file).toString().replace('\\', '/') + "' is a file, not a directory";
            throw new StorageException(uri, key, "write", why, e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Write {@code value} to the new file {@code tmp} in {@code dir} (made if missing), synced if durable. */
    private void writeTemporary(Path dir, Path tmp, MemorySegment value) throws IOException {
        if (!knownDirectories.contains(dir)) createDirectories(dir);
        FileChannel opened;
        try {
            opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) { // the directory was removed since we saw it
            knownDirectories.remove(dir);
            createDirectories(dir);
            opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        try (FileChannel ch = opened) {
            ByteBuffer buf = value.asByteBuffer();
            while (buf.hasRemaining()) ch.write(buf);
            if (durable) ch.force(false);
        }
    }

    private void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (knownDirectories.size() >= MAX_KNOWN_DIRECTORIES) knownDirectories.clear();
        knownDirectories.add(dir);
    }

    /**
     * A modification time after the current value's (1 µs later at least, for µs-precise file
     * systems) and not before now. The current one is the first field of its generation (read
     * under the same lock), so no second stat.
     */
    private static FileTime nextMtime(String currentGeneration) {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        if (!currentGeneration.equals(Generation.NO_VALUE)) {
            long current = Long.parseLong(currentGeneration, 0, currentGeneration.indexOf('.'), 10);
            nanos = Math.max(nanos, current + 1_000);
        }
        return FileTime.from(nanos, TimeUnit.NANOSECONDS);
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
        Path p = path(key);
        if (generation(key, p, "delete").equals(Generation.NO_VALUE)) return false;
        try (FileKeyLock lock = FileKeyLock.acquire(p.getParent(), p.getFileName().toString())) {
            boolean existed = Files.deleteIfExists(p);
            if (existed && durable) fsyncDirectory(p.getParent());
            return existed;
        } catch (NoSuchFileException e) {
            return false; // the directory went away meanwhile
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
            throw new StorageException(uri, key, "delete", why, e);
        }
    }

    @Override
    public boolean exists(String key) {
        Path p = path(key);
        if (Files.isDirectory(p)) return false; // a key prefix, as on object stores
        return !generation(key, p, "exists").equals(Generation.NO_VALUE);
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
            walk(start, out, prefix, Instant.now().minus(STALE_TEMPORARY_AGE));
        } catch (IOException e) {
            throw new StorageException(uri, prefix, "list", e.toString(), e);
        }
        Collections.sort(out);
        return out;
    }

    private void walk(Path dir, List<String> out, String prefix, Instant staleBefore) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (prefix.startsWith(rel + "/") || (rel + "/").startsWith(prefix) || prefix.isEmpty()) walk(p, out, prefix, staleBefore);
                } else if (isReserved(name)) {
                    if (!name.equals(FileKeyLock.LOCK_FILE)) removeIfStale(p, staleBefore);
                } else if (rel.startsWith(prefix)) {
                    out.add(rel);
                }
            }
        }
    }

    private static boolean removeIfStale(Path tmp, Instant staleBefore) {
        try {
            if (Files.getLastModifiedTime(tmp).toInstant().isBefore(staleBefore)) {
                Files.deleteIfExists(tmp);
                LOG.info("removed {}, left by a writer that did not finish", tmp);
                return true;
            }
        } catch (IOException e) {
            LOG.debug("could not remove leftover temp file {}: {}", tmp, e.toString()); // read-only layer: harmless, never listed
        }
        return false;
    }

    /**
     * Delete the temp files of writers that did not finish (killed mid-write) in the directory
     * of {@code prefix} (the part before its last '/') and below, if older than {@code olderThan} (a live writer's temp file is young).
     * {@link #list} does this with {@link #STALE_TEMPORARY_AGE}.
     * @return how many were removed
     */
    public int removeStaleTemporaries(String prefix, Duration olderThan) {
        if (!Keys.isListablePrefix(prefix)) return 0;
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        Instant before = Instant.now().minus(olderThan);
        int[] removed = {0};
        try {
            if (!Files.isDirectory(start)) return 0;
            try (var s = Files.walk(start)) {
                s.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches())
                        .forEach(p -> removed[0] += removeIfStale(p, before) ? 1 : 0);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new StorageException(uri, prefix, "remove leftovers", e.toString(), e);
        }
        return removed[0];
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public boolean local() {
        return true; // local disk and the page cache
    }
}
