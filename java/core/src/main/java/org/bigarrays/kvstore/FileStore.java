package org.bigarrays.kvstore;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * leaves a torn value and no write is lost between another's check and rename). The lock is the
 * temp file itself, as in TensorStore's file kvstore; no other file is ever made:
 * <ol>
 *   <li>the first write into a directory creates it, checks that its real path is inside the
 *       layer's (the root's, or for a scale store made by {@link #under}, its layer's: no writing
 *       through a symbolic link out of the layer unless {@code followLinks}), and sweeps it: temp
 *       files whose lock can be taken are a dead writer's and are deleted;
 *   <li>take a JVM-wide lock for the key (a striped {@link ReentrantLock}: POSIX drops all of a
 *       process's {@code fcntl} locks on a file when any descriptor of it closes, so one thread
 *       per temp file);
 *   <li>open (or create) the key's temp sibling {@code .<name>.__lock} and lock it
 *       ({@link LockedTempFile}: {@code fcntl}, then a check that the path still names the locked
 *       file, else again);
 *   <li>write the bytes (truncating what a dead writer left) and, if durable, fsync;
 *   <li>read the key's current generation; if the write is conditional and it is not the
 *       expected one, delete the temp file and report "condition not met";
 *   <li>set the temp file's mtime to after the current value's (see above), by path
 *       ({@code utimensat}): the JDK's {@code setTimes} opens and closes the file, dropping the lock;
 *   <li>rename it over the key (atomic replace on POSIX), read the new generation, unlock;
 *   <li>if durable, fsync the directory so the rename itself survives a power loss;
 *   <li>on any failure, delete the temp file while still holding its lock: the previous value is
 *       untouched.
 * </ol>
 * {@link #delete} takes the same lock (and deletes the temp file after the key). Readers take no
 * lock: they see the old file or the new one, never a torn one. A read checks the generation
 * before opening the file and again after, and retries if they differ, so the generation it
 * reports is that of the bytes it returns.
 *
 * <p><b>Leftovers</b>: a writer killed between steps 3 and 7 leaves its temp file, unlocked (the
 * kernel drops a dead process's locks). Temp files are never listed or read as keys; the next
 * writer of that key takes it over, the next store to write into the directory deletes it, and so
 * does {@link #removeStaleTemporaries}. {@link #removeOwnTemporaries} deletes this JVM's own on
 * SIGINT/SIGTERM. Files of older versions: the per-directory {@code .bigarrays.lock} is deleted by
 * the sweep, and their temp files {@code .<name>.tmp-<hex>} (which carry no lock) once older than
 * {@link #LEGACY_TEMPORARY_AGE}.
 *
 * <p>Only regular files are values: a directory, FIFO, socket or device at a key, or a regular
 * file where a directory of the key's path should be, is a {@link StorageException} naming the
 * key (never "missing", never an open that blocks forever).
 */
public final class FileStore implements KeyValueStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    /** End of a temp file's name: {@code .<name>.__lock}. */
    static final String TEMP_SUFFIX = ".__lock";
    private static final Pattern TEMPORARY = Pattern.compile("\\..+" + Pattern.quote(TEMP_SUFFIX));
    /** Temp files of older versions ({@code .<name>.tmp-<hex>}), and their per-directory lock file. */
    static final String LEGACY_TEMP_MARK = ".tmp-";
    private static final Pattern LEGACY_TEMPORARY = Pattern.compile("\\..+" + Pattern.quote(LEGACY_TEMP_MARK) + "[0-9a-f]{1,16}");
    static final String LEGACY_LOCK_FILE = ".bigarrays.lock";
    /** An older version's temp file (which has no lock) older than this is a dead writer's. */
    public static final Duration LEGACY_TEMPORARY_AGE = Duration.ofMinutes(1);
    /** System property: the default of {@code followLinks} for stores opened by URL. */
    public static final String FOLLOW_LINKS_PROPERTY = "bigarrays.file.followLinks";
    private static final int READ_TRIES = 100;
    private static final ReentrantLock[] STRIPES = new ReentrantLock[1024];

    static {
        for (int i = 0; i < STRIPES.length; i++) STRIPES[i] = new ReentrantLock();
    }

    private final Path root;
    private final String uri;
    private final boolean durable;
    private final boolean followLinks;
    private final Path layer; // writes stay inside its real path: the root, or the root of the store this one is under()
    private volatile Path realLayer; // its real path, once it exists
    /**
     * Directories this store created or found while writing, each to its real path: a write into
     * one skips {@code createDirectories}, the symbolic-link check and the sweep (a failing mkdir
     * and stats per chunk). One removed behind our back is noticed when the temp file cannot be
     * created, and made again.
     */
    private final Map<Path, Path> knownDirectories = new ConcurrentHashMap<>();
    private static final int MAX_KNOWN_DIRECTORIES = 4096;

    /**
     * @param root directory holding the keys (created on first write)
     * @param durable fsync each written file and its directory (survives power loss, slower)
     * @param followLinks allow writes and deletes in directories whose real path is outside the
     *     root's (a scale directory linked to another disk on purpose); reads always follow links
     */
    public FileStore(Path root, boolean durable, boolean followLinks) {
        this(root.toAbsolutePath().normalize(), durable, followLinks, null);
    }

    private FileStore(Path root, boolean durable, boolean followLinks, Path layer) {
        this.root = root;
        this.uri = root.toUri().toString();
        this.durable = durable;
        this.followLinks = followLinks;
        this.layer = layer == null ? root : layer;
    }

    /**
     * The store of the keys under {@code prefix/} (a scale directory), with this one's options;
     * its writes must still stay inside this store's root, so a scale directory that is a
     * symbolic link out of the layer is refused there too.
     */
    public FileStore under(String prefix) {
        return new FileStore(root.resolve(Keys.check(prefix)), durable, followLinks, layer);
    }

    /**
     * @param root directory holding the keys (created on first write)
     * @param durable fsync each written file and its directory (survives power loss, slower)
     */
    public FileStore(Path root, boolean durable) {
        this(root, durable, false);
    }

    public FileStore(Path root) {
        this(root, true);
    }

    public Path root() {
        return root;
    }

    /** Whether this store was opened to allow directories linked from outside its layer ({@code followLinks}). */
    public boolean followsLinks() {
        return followLinks;
    }

    private Path path(String key) {
        return root.resolve(Keys.check(key));
    }

    /** Whether a file name is a writer's temp file or an old lock file: never a key. */
    static boolean isReserved(String fileName) {
        return fileName.equals(LEGACY_LOCK_FILE) || TEMPORARY.matcher(fileName).matches() || LEGACY_TEMPORARY.matcher(fileName).matches();
    }

    /**
     * Delete the temp files this JVM is writing now (the file store's and cutouts'), best effort:
     * for a shutdown hook on SIGINT/SIGTERM, when the writers are about to die with the JVM.
     * @return how many were deleted
     */
    public static int removeOwnTemporaries() {
        return LockedTempFile.removeOwn();
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
        try {
            WriteResult written = null;
            for (int attempt = 0; written == null; attempt++) {
                Path tmp = directory(key, dir, true, "write").resolve("." + name + TEMP_SUFFIX);
                ReentrantLock stripe = stripe(tmp);
                stripe.lock();
                try (LockedTempFile t = acquire(dir, tmp, attempt)) {
                    if (t == null) continue; // the directory was removed since we saw it: made again
                    written = writeLocked(key, target, t, value, options);
                } finally {
                    stripe.unlock();
                }
            }
            // The directory is synced after the lock is released: the rename is already visible and
            // atomic, and the lock only orders check-and-rename; holding it through a disk flush made
            // concurrent writers wait (durable small-chunk writes ran at ~0.8x the old store).
            if (durable && written.written()) fsyncDirectory(dir);
            return written;
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
            Path file = fileAbove(target);
            if (file != null) why = file.equals(root) ? "the store's root is a file, not a directory" : "'" + root.relativize(file).toString().replace('\\', '/') + "' is a file, not a directory";
            throw new StorageException(uri, key, "write", why, e);
        }
    }

    /**
     * The locked temp file {@code tmp}; null (once) if its directory {@code dir} was removed
     * behind our back, after forgetting it, so that the caller makes it again.
     */
    private LockedTempFile acquire(Path dir, Path tmp, int attempt) throws IOException {
        try {
            return LockedTempFile.acquire(tmp);
        } catch (NoSuchFileException e) {
            if (attempt > 0) throw e;
            knownDirectories.remove(dir);
            return null;
        }
    }

    /** Steps 4 to 7 of the write protocol, holding the temp file's lock. Null: start over. */
    private WriteResult writeLocked(String key, Path target, LockedTempFile t, MemorySegment value, WriteOptions options) throws IOException {
        boolean keep = false;
        try {
            FileChannel ch = t.channel();
            ByteBuffer buf = value.asByteBuffer();
            for (long pos = 0; buf.hasRemaining(); ) pos += ch.write(buf, pos);
            // A dead writer's longer value may be there; truncate only then (the JDK's truncate also seeks).
            if (ch.size() != value.byteSize()) ch.truncate(value.byteSize());
            if (durable) ch.force(false);
            String current = generation(key, target, "write");
            if (options.ifEqual() != null && !options.ifEqual().equals(current)) return WriteResult.conditionNotMet(current);
            if (!t.setModifiedTime(nextMtime(current), value)) {
                keep = true; // someone else has it now (only without native access): not ours to delete
                return null;
            }
            t.renameTo(target);
            keep = true;
            return WriteResult.written(generation(key, target, "write"));
        } finally {
            if (!keep) t.delete(); // failed or condition not met: under the lock, so never another's file
        }
    }

    private static ReentrantLock stripe(Path tmp) {
        return STRIPES[Math.floorMod(tmp.hashCode() * 0x9E3779B1L, STRIPES.length)];
    }

    /**
     * The real path of directory {@code dir} of {@code key}, made if missing (when {@code create}):
     * the first time, checked to be inside the root (see {@code followLinks}) and swept of dead
     * writers' temp files; then remembered.
     * @throws NoSuchFileException if it is missing and not {@code create}
     */
    private Path directory(String key, Path dir, boolean create, String op) throws IOException {
        Path real = knownDirectories.get(dir);
        if (real != null) return real;
        if (!followLinks) {
            // Check the part that exists before making the rest: mkdir must not create through a link.
            Path existing = dir;
            while (existing != null && existing.startsWith(layer) && !Files.exists(existing)) existing = existing.getParent();
            if (existing != null && existing.startsWith(layer)) checkInside(key, existing, op);
        }
        if (create) {
            try {
                Files.createDirectories(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir)) throw e; // a file in the way (a dangling link in the way: also refused)
            }
        }
        real = dir.toRealPath();
        if (!followLinks) checkInside(key, dir, op);
        sweep(real);
        if (knownDirectories.size() >= MAX_KNOWN_DIRECTORIES) knownDirectories.clear();
        knownDirectories.put(dir, real);
        return real;
    }

    /** Refuse (one line naming the link) if {@code dir}, inside the layer, resolves outside the layer's real path. */
    private void checkInside(String key, Path dir, String op) throws IOException {
        Path real = realLayer;
        if (real == null) {
            if (!Files.exists(layer)) return; // made by the write; then its subdirectories are checked
            realLayer = real = layer.toRealPath();
        }
        Path resolved = dir.toRealPath();
        if (resolved.startsWith(real)) return;
        String why = "its directory resolves to " + resolved;
        Path p = layer;
        for (Path part : layer.relativize(dir)) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                why = "'" + layer.relativize(p).toString().replace('\\', '/') + "' is a symbolic link to " + p.toRealPath();
                break;
            }
        }
        String shown = root.equals(layer) ? key : layer.relativize(root.resolve(key)).toString().replace('\\', '/');
        throw new InvalidInputException("refusing to " + op + " key '" + shown + "': " + why + ", outside the layer at " + layer
                + "; open it with ?followLinks=true (or -D" + FOLLOW_LINKS_PROPERTY + "=true) to allow it");
    }

    /**
     * Delete the temp files of writers that are gone from directory {@code dir}: ours whose lock
     * can be taken, older versions' once older than {@code legacyAge}, and the older versions' lock file.
     * @return how many temp files were removed
     */
    private static int sweep(Path dir, Duration legacyAge) throws IOException {
        int removed = 0;
        Instant legacyBefore = Instant.now().minus(legacyAge);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith("."))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (TEMPORARY.matcher(name).matches()) {
                    if (LockedTempFile.removeIfAbandoned(p)) {
                        removed++;
                        LOG.info("removed {}, left by a writer that did not finish", p);
                    }
                } else if (LEGACY_TEMPORARY.matcher(name).matches()) {
                    if (removeIfOlder(p, legacyBefore)) removed++;
                } else if (name.equals(LEGACY_LOCK_FILE)) {
                    deleteQuietly(p); // an older version's; nothing uses it now
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        }
        return removed;
    }

    private static void sweep(Path dir) {
        try {
            sweep(dir, LEGACY_TEMPORARY_AGE);
        } catch (IOException e) {
            LOG.debug("could not sweep {}: {}", dir, e.toString()); // a later write into it tries again
        }
    }

    private static boolean removeIfOlder(Path tmp, Instant before) {
        try {
            if (Files.getLastModifiedTime(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
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
            // best effort: a leftover is hidden from list() and never read as a key
        }
    }

    @Override
    public boolean delete(String key) {
        Path p = path(key);
        if (generation(key, p, "delete").equals(Generation.NO_VALUE)) return false;
        Path dir = p.getParent();
        String name = p.getFileName().toString();
        boolean existed;
        try {
            Path tmp = directory(key, dir, false, "delete").resolve("." + name + TEMP_SUFFIX);
            ReentrantLock stripe = stripe(tmp);
            stripe.lock();
            try (LockedTempFile t = LockedTempFile.acquire(tmp)) {
                try {
                    existed = Files.deleteIfExists(p);
                } finally {
                    t.delete();
                }
            } finally {
                stripe.unlock();
            }
        } catch (NoSuchFileException e) {
            knownDirectories.remove(dir);
            return false; // the directory went away meanwhile
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
            throw new StorageException(uri, key, "delete", why, e);
        }
        if (existed) removeEmptyDirectories(dir);
        if (existed && durable) fsyncDirectory(dir);
        return existed;
    }

    /**
     * Remove {@code dir} and its parents below the root while they are empty: directories are not
     * part of the key space (as on object stores), and a layer should hold only the format's files
     * once a job's record is gone. rmdir fails on a non-empty directory, so a concurrent writer's
     * file is never lost; a writer that finds its directory gone makes it again.
     */
    private void removeEmptyDirectories(Path dir) {
        for (Path d = dir; d != null && !d.equals(root) && d.startsWith(root); d = d.getParent()) {
            try {
                Files.delete(d);
                knownDirectories.remove(d);
            } catch (IOException e) {
                return; // not empty (or not ours to remove): stop here
            }
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
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    if (prefix.startsWith(rel + "/") || (rel + "/").startsWith(prefix) || prefix.isEmpty()) walk(p, out, prefix);
                } else if (!isReserved(name) && rel.startsWith(prefix)) {
                    out.add(rel);
                }
            }
        }
    }

    /**
     * Delete the temp files of writers that did not finish (killed mid-write) in the directory of
     * {@code prefix} (the part before its last '/') and below: those whose lock can be taken (a
     * live writer holds its own), and older versions' temp files (which have no lock) if older than
     * {@code olderThan}. Writing into a directory does this once per store.
     * @return how many were removed
     */
    public int removeStaleTemporaries(String prefix, Duration olderThan) {
        if (!Keys.isListablePrefix(prefix)) return 0;
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        int removed = 0;
        try {
            if (!Files.isDirectory(start)) return 0;
            List<Path> dirs;
            try (var s = Files.walk(start)) {
                dirs = s.filter(Files::isDirectory).toList();
            }
            for (Path d : dirs) removed += sweep(d, olderThan);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new StorageException(uri, prefix, "remove leftovers", e.toString(), e);
        }
        return removed;
    }

    /** {@link #removeStaleTemporaries(String, Duration)} with older versions' temp files older than {@link #LEGACY_TEMPORARY_AGE}. */
    public int removeStaleTemporaries(String prefix) {
        return removeStaleTemporaries(prefix, LEGACY_TEMPORARY_AGE);
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
