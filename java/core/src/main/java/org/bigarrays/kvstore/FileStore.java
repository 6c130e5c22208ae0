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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;
import org.bigarrays.StorageException;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.nativ.ScatterRead;
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
 * temp file itself, as in TensorStore's file kvstore; no other file is ever made (keys with
 * several names, below, add one: their lock is not renamed, so the bytes go to a second temp file):
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
 *   <li>if durable, fsync the directory so the rename itself survives a power loss (inside a
 *       {@link #batch}, once per directory when the batch is closed: see there);
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
 * <p><b>Keys with several names</b> ({@link #readAnyName}, {@link #writeName},
 * {@link #deleteAllNames}): a value stored under one of {@code <key>}, {@code <key>.gz},
 * {@code <key>.zstd} ({@link #NAME_SUFFIXES}: CloudFiles' names, which say the compression).
 * Their <em>precedence</em> is that order: where several exist (only during a write, or after a
 * writer died inside one), the key's value is the first that exists. Every state change is one
 * atomic step as seen by readers, a dead writer leaves the old value or the new one, and a reader
 * never returns a value older than one a finished read already returned:
 * <ol>
 *   <li>the key's lock covers all of its names: the plain name's temp file {@code .<key>.__lock}
 *       (steps 1 to 3 of the write protocol), whatever name is written;
 *   <li>under it, stat every name: the <em>winner</em> is the first that exists (its generation is
 *       the key's, which a conditional write compares), any other is a <em>loser</em> a dead
 *       writer left;
 *   <li>if no name other than the target exists (the common case), the write protocol goes on
 *       unchanged, the lock file itself renamed over the target name: one rename, no removal;
 *   <li>else (a switch between names, or losers to clean) the lock file is marked
 *       ({@link #SWITCH_MARK}) and stays in place until the end, and: the losers are removed, lowest
 *       precedence first; the bytes go to a second temp file {@code .<target>.__data.__lock}
 *       (locked too, so a sweep leaves a live one alone) with an mtime after every existing name's
 *       (so generations of a key never repeat, whatever its name); it is renamed over the target
 *       name; then the old winner is removed; then the lock file is deleted, still locked;
 *   <li>a delete removes every name, lowest precedence first (the winner last), under the same lock.
 * </ol>
 * Why losers go first: a reader looks at the names in precedence order and returns the first it
 * finds; it reaches a lower name only after seeing the winner gone, and a writer removes the
 * winner only after the losers, so no reader returns a loser (an old value after a newer one).
 * Why the winner goes last: until then it is the first name a reader finds, unless the new name is
 * above it, which then shows the new value from its rename on. A writer therefore dies leaving the
 * old value or the new one (the new one if its target is above the old winner) and one loser; its
 * marked lock file tells the next sweep of the directory (a store's first write into it, or
 * {@link #removeStaleTemporaries}) to remove the key's losers, holding the key's lock; the next
 * write of the key removes them too. At rest, after recovery, a key has exactly one name.
 * {@link #removeOwnTemporaries} (SIGTERM) leaves a marked lock file in place for that reason: it
 * still orders the other writers while the dying one finishes, and the sweep removes it after.
 * A loser with no marked lock file beside it (copied in, or left by an older version) is never
 * read and goes with the key's next write; {@code verify} lists it.
 *
 * <p>Readers take no key lock. A value found under a lower name is returned only if, after it is
 * read, every name above is still absent and the name still has the generation read; else the
 * lookup starts over. Without that check two writes in a row could fool a reader: it passes
 * {@code <key>} before the first write makes it, then finds the second's new {@code <key>.gz},
 * which {@code <key>} shadows until the second write removes it, and a later reader would get the
 * older {@code <key>}. With it, the value was the key's at some instant of the read (no write can
 * come between, as every write removes or replaces that name), so reads are linearizable.
 *
 * <p>A write whose target is <em>above</em> the old winner can hide the
 * key from one round of lookups (its target looked at before the rename, the old name after the
 * removal), not from a round that starts after its rename, so an empty round is repeated. Two
 * empty rounds in a row can still be two such writes (a reader preempted while a writer switches
 * back and forth), so a third round runs holding a shared {@link DirectoryLock} ({@code flock} on
 * the key's directory: it needs no file, so it works on a read-only layer), which such a write
 * holds exclusively from its rename to the old winner's removal: a key that exists throughout a
 * read is never reported missing. Without native access (no {@code flock}) the third round runs
 * unlocked.
 *
 * <p>Only regular files are values: a directory, FIFO, socket or device at a key, or a regular
 * file where a directory of the key's path should be, is a {@link StorageException} naming the
 * key (never "missing", never an open that blocks forever).
 */
public final class FileStore implements KeyValueStore {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    }
    /** End of a temp file's name: {@code .<name>.__lock}. */
    static final String TEMP_SUFFIX = ".__lock";
    /** Before {@link #TEMP_SUFFIX} in the data temp file of a key with several names: {@code .<name>.__data.__lock}. */
    static final String DATA_MARK = ".__data";
    /**
     * What the key's lock file holds while a key with several names switches names or drops
     * losers: found in an abandoned lock file, it tells the sweep to remove the key's losers.
     */
    static final String SWITCH_MARK = "bigarrays: key switching names v2\n";
    /** The names of a key with several names after the plain one, in precedence order: CloudFiles' compressed names. */
    public static final List<String> NAME_SUFFIXES = List.of(".gz", ".zstd");
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
    /** The directories the {@link #batch} this thread runs writes for still has to sync; unbound outside one. */
    private static final ScopedValue<Set<Path>> UNSYNCED_DIRECTORIES = ScopedValue.newInstance();
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
     * Read byte ranges of the value stored under exactly {@code key} (its plain name: the one
     * {@link #readAnyName} prefers when it exists) straight to their places in {@code dst}, and
     * its first bytes into {@code head}, with one vectored read per run of ranges
     * ({@link ScatterRead}): a raw chunk's rows go into a cutout without a buffer between. The
     * caller keeps {@code dst} alive for the call.
     *
     * @param spans {@code count} triples {@code (fileOffset, dstOffset, length)}, file offsets increasing
     * @return false, with nothing written, when {@code key} has no regular file of exactly
     *     {@code expectedSize} bytes: absent (it may be stored under another name), another size
     *     (a truncated chunk), anything else; {@link #read} then says what is there
     * @throws StorageException when reading fails or the file shrinks while it is read
     */
    public boolean readScattered(String key, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
        try {
            return ScatterRead.get().read(path(key), expectedSize, dst, spans, count, head);
        } catch (IOException e) {
            throw new StorageException(uri, key, "read", e.getMessage(), e);
        }
    }

    /**
     * The generation of the value at {@code p}, {@link Generation#NO_VALUE} if there is none.
     * @throws StorageException if something other than a regular file is there, or a parent is a file
     */
    private String generation(String key, Path p, String op) {
        BasicFileAttributes a;
        try {
            // Null when missing, without an exception: every chunk of a new layer is missing once
            // per name, and an exception's stack trace cost more than the stat (issue 25, goal 9).
            a = p.getFileSystem().provider().readAttributesIfExists(p, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            throw new StorageException(uri, key, op, "permission denied", e);
        } catch (FileSystemException e) { // ENOTDIR (or ENOENT, where a provider reports it so)
            return missing(key, p, op, e);
        } catch (IOException e) {
            throw new StorageException(uri, key, op, e.toString(), e);
        }
        // Null is ENOENT only: a regular file where a directory of the path should be is ENOTDIR
        // (the catch above), so no look for one here (up to three more stats per missing name).
        if (a == null) return Generation.NO_VALUE;
        if (a.isDirectory()) throw new StorageException(uri, key, op, "is a directory, not a value");
        if (!a.isRegularFile()) throw new StorageException(uri, key, op, "is not a regular file (a FIFO, socket or device?); refusing to open it");
        return generationOf(a);
    }

    /**
     * {@link Generation#NO_VALUE} where {@code e} says no value is at {@code p}, unless a regular
     * file stands where one of its directories should be.
     * @throws StorageException naming the file in the way, or {@code e} if it is another failure
     */
    private String missing(String key, Path p, String op, FileSystemException e) {
        Path file = fileAbove(p);
        if (file != null && file.equals(root)) {
            throw new InvalidInputException("cannot " + op + " key '" + key + "': the store's root " + root + " is a file, not a directory");
        }
        if (file != null) {
            throw new StorageException(uri, key, op, "'" + root.relativize(file).toString().replace('\\', '/') + "' is a file, not a directory");
        }
        if (e instanceof NoSuchFileException) return Generation.NO_VALUE;
        throw new StorageException(uri, key, op, e.toString(), e);
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
        try {
            return underKeyLock(key, target.getParent(), name, (real, t) -> writeLocked(key, target, t, value, options));
        } catch (IOException e) {
            throw writeFailure(key, target, e);
        }
    }

    /** A write's steps under its key's lock; null: start over. */
    @FunctionalInterface
    private interface LockedWrite {
        WriteResult write(Path realDir, LockedTempFile lock) throws IOException;
    }

    /**
     * Runs {@code body} holding the key's lock, the temp file {@code .<lockName>}{@value #TEMP_SUFFIX}
     * in {@code dir} (and its in-process stripe): again when {@code body} says start over, or when
     * the directory was removed before it could be locked (made again, once). The directory of a
     * durable write is synced after the lock is released: the rename is already visible and
     * atomic, and the lock only orders check-and-rename; holding it through a disk flush made
     * concurrent writers wait (durable small-chunk writes ran at ~0.8x the old store).
     */
    private WriteResult underKeyLock(String key, Path dir, String lockName, LockedWrite body) throws IOException {
        WriteResult written = null;
        for (int attempt = 0; written == null; attempt++) {
            Path real = directory(key, dir, true, "write");
            Path lockPath = real.resolve("." + lockName + TEMP_SUFFIX);
            ReentrantLock stripe = stripe(lockPath);
            stripe.lock();
            try (LockedTempFile lock = acquire(dir, lockPath, attempt)) {
                if (lock == null) continue; // the directory was removed since we saw it: made again
                written = body.write(real, lock);
            } finally {
                stripe.unlock();
            }
        }
        if (durable && written.written()) syncDirectory(dir);
        return written;
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
            writeFully(ch, value);
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

    /**
     * The value of {@code key} under whichever of its names wins ({@code <key>}, then each of
     * {@link #NAME_SUFFIXES}: the first that exists); its generation is that name's. See "Keys
     * with several names" in the class comment.
     * @return the value, MISSING if no name exists, or "condition not met" by the winner's generation
     */
    public ReadResult readAnyName(String key, ReadOptions options) {
        List<String> names = names(key);
        boolean conditional = options.ifEqual() != null || options.ifNotEqual() != null;
        int emptyRounds = 0;
        for (int attempt = 0; attempt < READ_TRIES; attempt++) {
            ReadResult r = resolveRound(names, options, conditional);
            if (r == RETRY) continue; // the name found was removed before it was read: a write moved the key
            if (r != null) return r;
            if (++emptyRounds < 2) continue; // one empty round can be one write switching names under us
            // Two: maybe two switching writes. One round with switches held off is exact.
            Path dir = path(key).getParent();
            DirectoryLock held;
            try {
                held = DirectoryLock.lock(dir, false);
            } catch (NoSuchFileException e) {
                return read(key, options); // no directory, no name (MISSING, or "not met" against no value)
            } catch (IOException e) {
                Log.LOG.debug("cannot lock {} for a last lookup of '{}': {}", dir, key, e.toString());
                held = null; // a directory we cannot open: the last round runs unlocked
            }
            try (DirectoryLock ignored = held) {
                for (int locked = 0; locked < READ_TRIES; locked++) {
                    r = resolveRound(names, options, conditional);
                    if (r == null) return read(key, options);
                    if (r != RETRY) return r;
                }
            }
        }
        throw new StorageException(uri, key, "read", "names changed on every one of " + READ_TRIES + " tries to read it");
    }

    /** Marks a lookup round whose name vanished before it was read. */
    private static final ReadResult RETRY = ReadResult.conditionNotMet("retry");

    /**
     * One lookup of the names in precedence order: the winner's read, null if none exists, or
     * {@link #RETRY}. A value found under a lower name is returned only if, after reading it, the
     * names above are still absent and the name still has the generation read: else two writes
     * overlapped the lookup (it passed a higher name before the earlier write made it, then found
     * the later write's new name, which that higher name still shadows), and it looks again.
     */
    private ReadResult resolveRound(List<String> names, ReadOptions options, boolean conditional) {
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            ReadResult r;
            if (!conditional) {
                r = read(n, options); // one stat for a missing name: read() itself says MISSING
                if (r.state() == ReadResult.State.MISSING) continue;
            } else {
                // A condition is on the winner's generation: find the winner first.
                if (generation(n, path(n), "read").equals(Generation.NO_VALUE)) continue;
                r = read(n, options);
                if (r.state() == ReadResult.State.MISSING) return RETRY;
            }
            if (i == 0 || stillWinner(names, i, r.generation())) return r;
            r.close();
            return RETRY;
        }
        return null;
    }

    /** Whether no name above {@code names[i]} exists now and {@code names[i]} still has {@code generation}. */
    private boolean stillWinner(List<String> names, int i, String generation) {
        for (int j = 0; j < i; j++) if (!generation(names.get(j), path(names.get(j)), "read").equals(Generation.NO_VALUE)) return false;
        return generation(names.get(i), path(names.get(i)), "read").equals(generation);
    }

    /**
     * Store {@code value} as {@code <key><suffix>} ({@code suffix} "" or one of
     * {@link #NAME_SUFFIXES}) and remove the key's other names, under the key's one lock; with a
     * condition, only if the winner's generation (see {@link #readAnyName}) is the expected one.
     */
    public WriteResult writeName(String key, String suffix, MemorySegment value, WriteOptions options) {
        if (!suffix.isEmpty() && !NAME_SUFFIXES.contains(suffix)) throw new IllegalArgumentException("suffix '" + suffix + "' is not one of " + NAME_SUFFIXES);
        List<String> names = names(key);
        Path target = path(key + suffix);
        String plainName = path(key).getFileName().toString();
        for (String n : names) {
            String file = path(n).getFileName().toString();
            if (isReserved(file)) throw new InvalidInputException("invalid key '" + n + "': the name '" + file + "' is reserved by the file store");
        }
        try {
            int at = names.indexOf(key + suffix);
            return underKeyLock(key, target.getParent(), plainName, (real, lock) -> writeNameLocked(key, names, at, real, lock, value, options));
        } catch (IOException e) {
            throw writeFailure(key, target, e);
        }
    }

    /** Steps 2 to 4 of "Keys with several names", holding the key's lock {@code lock}. Null: start over. */
    private WriteResult writeNameLocked(String key, List<String> names, int target, Path dir, LockedTempFile lock, MemorySegment value,
            WriteOptions options) throws IOException {
        boolean lockGone = false; // renamed over the target, or deleted
        try {
            String[] generations = new String[names.size()];
            int winner = -1;
            String latest = Generation.NO_VALUE; // the newest mtime of any name: the new one comes after all
            boolean others = false;
            for (int i = 0; i < names.size(); i++) {
                String g = generation(names.get(i), path(names.get(i)), "write");
                generations[i] = g;
                if (g.equals(Generation.NO_VALUE)) continue;
                if (winner < 0) winner = i;
                if (i != target) others = true;
                if (latest.equals(Generation.NO_VALUE) || mtimeOf(g) > mtimeOf(latest)) latest = g;
            }
            String current = winner < 0 ? Generation.NO_VALUE : generations[winner];
            if (options.ifEqual() != null && !options.ifEqual().equals(current)) return WriteResult.conditionNotMet(current);
            Path targetPath = path(names.get(target));
            if (!others) {
                // Only the target name (or none): the plain write protocol, the lock file renamed over it.
                lockGone = true; // fillAndRename renames or deletes it, or leaves it to whoever took it over
                return fillAndRename(key, lock, targetPath, value, latest);
            }
            // Deleted on SIGTERM, this lock would let another writer in while this one still removes names.
            lock.keepOnShutdown();
            writeFully(lock.channel(), MemorySegment.ofArray(SWITCH_MARK.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            if (durable) lock.channel().force(false);
            for (int i = names.size() - 1; i >= 0; i--) { // losers, lowest precedence first
                if (i != winner && i != target && !generations[i].equals(Generation.NO_VALUE)) Files.deleteIfExists(path(names.get(i)));
            }
            Path dataPath = dir.resolve("." + targetPath.getFileName() + DATA_MARK + TEMP_SUFFIX);
            WriteResult w;
            try (LockedTempFile data = LockedTempFile.acquire(dataPath)) {
                // Only a write whose target is above the old winner can hide the key from a reader (see the class comment).
                boolean hides = target < winner;
                w = fillAndRename(key, data, targetPath, value, latest, hides ? dir : null, winner == target ? null : path(names.get(winner)));
            }
            return w;
        } finally {
            if (!lockGone) lock.delete(); // under the lock, so never another's file; the key's lock ends here
        }
    }

    /** {@link #fillAndRename(String, LockedTempFile, Path, MemorySegment, String, Path, Path)} with no old name to remove. */
    private WriteResult fillAndRename(String key, LockedTempFile t, Path target, MemorySegment value, String latest) throws IOException {
        return fillAndRename(key, t, target, value, latest, null, null);
    }

    /**
     * Write {@code value} into temp file {@code t}, give it an mtime after {@code latest}'s,
     * rename it over {@code target}, then remove {@code old} (if not null), holding
     * {@code lockDir}'s exclusive {@link DirectoryLock} (if not null) from the rename to the removal.
     * The temp file is deleted if anything fails. Null: it was taken over meanwhile (only without
     * native access), start over.
     */
    private WriteResult fillAndRename(String key, LockedTempFile t, Path target, MemorySegment value, String latest, Path lockDir, Path old)
            throws IOException {
        boolean keep = false;
        try {
            FileChannel ch = t.channel();
            writeFully(ch, value);
            if (durable) ch.force(false);
            if (!t.setModifiedTime(nextMtime(latest), value)) {
                keep = true; // someone else has it now: not ours to delete
                return null;
            }
            try (DirectoryLock ignored = lockDir == null ? null : DirectoryLock.lock(lockDir, true)) {
                t.renameTo(target);
                keep = true;
                if (old != null) Files.deleteIfExists(old); // after the rename: the key never lacks a name
            }
            return WriteResult.written(generation(key, target, "write"));
        } finally {
            if (!keep) t.delete();
        }
    }

    /** Write all of {@code value} at position 0 of {@code ch}, and cut what a dead writer left after it. */
    private static void writeFully(FileChannel ch, MemorySegment value) throws IOException {
        ByteBuffer buf = value.asByteBuffer();
        for (long pos = 0; buf.hasRemaining(); ) pos += ch.write(buf, pos);
        if (ch.size() != value.byteSize()) ch.truncate(value.byteSize()); // the JDK's truncate also seeks: only when needed
    }

    /**
     * Remove every name of {@code key} ({@code <key>} and each of {@link #NAME_SUFFIXES}) under
     * the key's lock, lowest precedence first.
     * @return whether any existed
     */
    public boolean deleteAllNames(String key) {
        List<String> names = names(key);
        boolean any = false;
        for (String n : names) any |= !generation(n, path(n), "delete").equals(Generation.NO_VALUE);
        if (!any) return false;
        return deleteUnderKeyLock(key, path(key), () -> {
            boolean existed = false;
            for (int i = names.size() - 1; i >= 0; i--) existed |= Files.deleteIfExists(path(names.get(i)));
            return existed;
        });
    }

    /** A delete's step under its key's lock: whether anything existed. */
    @FunctionalInterface
    private interface LockedDelete {
        boolean delete() throws IOException;
    }

    /**
     * Runs {@code body} holding the lock of {@code key} (whose plain name is {@code p}); then
     * removes the directories it left empty and syncs a durable store's directory.
     * @return what {@code body} returned; false when the directory went away meanwhile
     */
    private boolean deleteUnderKeyLock(String key, Path p, LockedDelete body) {
        Path dir = p.getParent();
        boolean existed;
        try {
            Path tmp = directory(key, dir, false, "delete").resolve("." + p.getFileName() + TEMP_SUFFIX);
            ReentrantLock stripe = stripe(tmp);
            stripe.lock();
            try (LockedTempFile t = LockedTempFile.acquire(tmp)) {
                try {
                    existed = body.delete();
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
        if (existed && durable) syncDirectory(dir);
        return existed;
    }

    /**
     * The sweep's part of "Keys with several names": {@code lockFile}, abandoned and locked by us,
     * is a key's lock; if it holds {@link #SWITCH_MARK}, its writer died switching names, so remove
     * the key's losers (every name but the first that exists), lowest precedence first. Anything
     * else in a temp file (a dead writer's partial value) is left alone.
     */
    private static void removeLosers(Path lockFile, FileChannel ch) throws IOException {
        if (ch.size() != SWITCH_MARK.length()) return;
        ByteBuffer buf = ByteBuffer.allocate(SWITCH_MARK.length());
        for (long pos = 0; buf.hasRemaining(); ) {
            int n = ch.read(buf, pos);
            if (n < 0) return;
            pos += n;
        }
        if (!new String(buf.array(), java.nio.charset.StandardCharsets.US_ASCII).equals(SWITCH_MARK)) return;
        String lockName = lockFile.getFileName().toString();
        String plain = lockName.substring(1, lockName.length() - TEMP_SUFFIX.length());
        Path dir = lockFile.getParent();
        List<Path> names = new ArrayList<>();
        names.add(dir.resolve(plain));
        for (String s : NAME_SUFFIXES) names.add(dir.resolve(plain + s));
        int winner = -1;
        for (int i = 0; i < names.size() && winner < 0; i++) if (Files.isRegularFile(names.get(i), java.nio.file.LinkOption.NOFOLLOW_LINKS)) winner = i;
        for (int i = names.size() - 1; i > winner && winner >= 0; i--) {
            if (Files.deleteIfExists(names.get(i))) Log.LOG.info("removed {}, left beside {} by a writer that did not finish", names.get(i), names.get(winner));
        }
    }

    /** {@code key}, then {@code key + suffix} for each of {@link #NAME_SUFFIXES}: the names in precedence order. */
    private static List<String> names(String key) {
        List<String> names = new ArrayList<>(NAME_SUFFIXES.size() + 1);
        names.add(key);
        for (String s : NAME_SUFFIXES) names.add(key + s);
        return names;
    }

    private static long mtimeOf(String generation) {
        return Long.parseLong(generation, 0, generation.indexOf('.'), 10);
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
                    if (LockedTempFile.removeIfAbandoned(p, ch -> removeLosers(p, ch))) {
                        removed++;
                        Log.LOG.info("removed {}, left by a writer that did not finish", p);
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
            Log.LOG.debug("could not sweep {}: {}", dir, e.toString()); // a later write into it tries again
        }
    }

    private static boolean removeIfOlder(Path tmp, Instant before) {
        try {
            if (Files.getLastModifiedTime(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
                Files.deleteIfExists(tmp);
                Log.LOG.info("removed {}, left by a writer that did not finish", tmp);
                return true;
            }
        } catch (IOException e) {
            Log.LOG.debug("could not remove leftover temp file {}: {}", tmp, e.toString()); // read-only layer: harmless, never listed
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

    /**
     * {@inheritDoc}
     *
     * <p>A durable store syncs each directory the batch renamed into (or deleted from) once, at
     * {@link WriteBatch#close}, instead of after every rename. That keeps the guarantee: each file
     * is still fsynced before its rename, so a rename that reaches the disk names a whole file, and
     * a crash before the directory's sync loses whole renames only (those keys keep their old
     * values, as if those writes had not run, and a job record, marked only after its writes
     * return, redoes them); once the batch is closed every rename is on disk. A directory's sync
     * is one flush whether one rename or hundreds wait in it, so this saves a disk round trip per
     * chunk (about 3 ms on the development machine's disk). Without fsync, nothing to defer.
     */
    @Override
    public WriteBatch batch() {
        return durable ? new DirectorySyncs() : WriteBatch.NONE;
    }

    /** A durable store's batch: the directories its writes renamed into, synced at {@link #close}. */
    private static final class DirectorySyncs extends WriteBatch {
        private final Set<Path> dirs = ConcurrentHashMap.newKeySet();

        @Override
        public void run(Runnable writes) {
            ScopedValue.where(UNSYNCED_DIRECTORIES, dirs).run(writes); // a nested batch binds its own set, synced at its own close
        }

        @Override
        public void close() {
            for (Path d : dirs) fsyncDirectory(d);
            dirs.clear();
        }
    }

    /** Sync {@code dir} now, or when the batch this thread runs writes for is closed. */
    private static void syncDirectory(Path dir) {
        if (UNSYNCED_DIRECTORIES.isBound()) {
            UNSYNCED_DIRECTORIES.get().add(dir);
        } else {
            fsyncDirectory(dir);
        }
    }

    /** How many directory syncs durable stores of this JVM have made: tests check that batches make fewer. */
    static final java.util.concurrent.atomic.LongAdder DIRECTORY_SYNCS = new java.util.concurrent.atomic.LongAdder();

    private static void fsyncDirectory(Path dir) {
        DIRECTORY_SYNCS.increment();
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

    /** A failed write in one line: permission, a file where a directory should be, or the I/O error. */
    private StorageException writeFailure(String key, Path target, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
        Path file = fileAbove(target);
        if (file != null) why = file.equals(root) ? "the store's root is a file, not a directory" : "'" + root.relativize(file).toString().replace('\\', '/') + "' is a file, not a directory";
        return new StorageException(uri, key, "write", why, e);
    }

    @Override
    public boolean delete(String key) {
        Path p = path(key);
        if (generation(key, p, "delete").equals(Generation.NO_VALUE)) return false;
        return deleteUnderKeyLock(key, p, () -> Files.deleteIfExists(p));
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
