package org.bigarrays.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * A z-stack of 2-D images: one page per slice, files in natural name order, the pages of a
 * multi-page TIFF one after another (so one 3-D TIFF is a stack too). Images are read with the
 * JDK's ImageIO (TIFF, PNG, JPEG, BMP, GIF built in; more formats when a plugin such as
 * TwelveMonkeys is on the class path). Every page must have the first page's width, height,
 * sample type and band count; the scan checks that from the headers before any voxel is read.
 *
 * <p>Serializable (file names and the shape), so a Spark task can decode its own slices.
 */
public final class ImageSlices implements VolumeSource, Serializable {
    private static final long serialVersionUID = 1L;

    /** File name endings taken from a directory (case-insensitive). */
    public static final List<String> IMAGE_SUFFIXES = List.of(".tif", ".tiff", ".png", ".jpg", ".jpeg");

    /** One slice: page {@code page} of {@code file}. */
    public record Page(String file, int page) implements Serializable {}

    private final List<Page> pages;
    private final SliceFormat format;
    /**
     * Streaming state of the pages of the z range being read, by z: a {@link TiffStrips} for a page
     * in tall strips, {@link #IMAGE_IO} for one that ImageIO decodes. Boxes come z-slab by z-slab,
     * so a page's tall strip is inflated once per slab; a page leaves the map when a box outside
     * its z comes. Transient: a deserialized copy (a Spark task) starts empty.
     */
    private transient java.util.Map<Integer, Object> streams;
    private static final Object IMAGE_IO = new Object();

    private ImageSlices(List<Page> pages, SliceFormat format) {
        this.pages = List.copyOf(pages);
        this.format = format;
    }

    /**
     * An ingest source as a local path: a plain path or glob as it is, a {@code file:} URL
     * ({@code file:///data/em}, with or without a trailing slash) as its path. A file URL with a
     * glob in it loses only its prefix ('*' and '?' would not survive URL parsing).
     * @throws InvalidInputException for a remote URL (s3://, gs://, http://, precomputed://): sources are local files
     */
    public static String localPath(String spec) {
        String s = spec.trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):").matcher(s);
        if (!m.find()) return s;
        if (m.group(1).equalsIgnoreCase("file")) {
            if (s.matches(".*[*?\\[{].*")) return s.replaceFirst("^(?i)file:(//(localhost)?)?", "");
            return Path.of(org.bigarrays.kvstore.KeyValueStores.toUri(s)).toString();
        }
        if (s.startsWith("//", m.end())) {
            throw new InvalidInputException("ingest source '" + spec + "': images and arrays are read from local files: a path, a glob or file:///path");
        }
        return s; // a relative name with a colon in it
    }

    /**
     * The image files {@code spec} names: a directory (its files ending in a
     * {@linkplain #IMAGE_SUFFIXES known suffix}), a glob such as {@code /data/em/z*.tif} (glob in
     * the last path element only), or one file; sorted in {@linkplain NaturalOrder natural order}.
     * Every name found must be a readable regular file (a symbolic link to one is fine): skipping
     * one would move every later slice down one z.
     * @throws InvalidInputException when nothing matches, or naming the first name that is not a
     *     readable regular file (a dangling symbolic link, a link loop, a FIFO, a directory...)
     */
    public static List<Path> listFiles(String spec) {
        Path p = Path.of(spec);
        List<Path> out = new ArrayList<>();
        try {
            if (Files.isDirectory(p)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                    for (Path f : ds) {
                        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        if (IMAGE_SUFFIXES.stream().anyMatch(n::endsWith)) out.add(checkSlice(f));
                    }
                }
                if (out.isEmpty()) throw new InvalidInputException("no image files (" + String.join(" ", IMAGE_SUFFIXES) + ") in directory " + spec);
            } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(checkSlice(p));
            } else {
                Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
                String glob = p.getFileName() == null ? "" : p.getFileName().toString();
                if (!Files.isDirectory(dir) || !glob.matches(".*[*?\\[{].*")) throw new InvalidInputException("ingest source not found: " + spec);
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path f : ds) if (m.matches(f.getFileName())) out.add(checkSlice(f));
                }
                if (out.isEmpty()) throw new InvalidInputException("no files match " + spec);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + spec + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.getFileName().toString(), b.getFileName().toString()));
        return out;
    }

    /** Unix file types in st_mode (S_IFMT bits), to name what a non-regular file is. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    /**
     * {@code f} if it is a readable regular file or a symbolic link to one. Only metadata is read
     * (stat, readlink, access): a FIFO is never opened, since opening one blocks until a writer comes.
     * @throws InvalidInputException naming {@code f} and what it is instead
     */
    static Path checkSlice(Path f) {
        String broken = brokenLink(f);
        if (broken != null) throw new InvalidInputException("slice '" + f + "' is " + broken);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(f, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new InvalidInputException("slice '" + f + "' cannot be read: " + e.getMessage(), e);
        }
        if (a.isDirectory()) throw new InvalidInputException("slice '" + f + "' is a directory, not a regular file");
        if (!a.isRegularFile()) throw new InvalidInputException("slice '" + f + "' is " + kind(f) + ", not a regular file");
        if (!Files.isReadable(f)) throw new InvalidInputException("slice '" + f + "' is not readable (permission denied)");
        return f;
    }

    /** "a dangling symbolic link" or "a symbolic link loop" when following {@code f}'s links fails so, else null. */
    private static String brokenLink(Path f) {
        java.util.Set<Path> seen = new java.util.HashSet<>();
        Path p = f.toAbsolutePath();
        try {
            // 40 is Linux's limit on links followed in one lookup.
            for (int i = 0; i < 40 && Files.isSymbolicLink(p); i++) {
                if (!seen.add(p.normalize())) return "a symbolic link loop";
                p = p.getParent().resolve(Files.readSymbolicLink(p));
            }
            if (Files.isSymbolicLink(p)) return "a symbolic link loop";
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Files.exists(f) ? null : "a dangling symbolic link";
        } catch (IOException e) {
            return null; // let the stat that follows name it
        }
    }

    /** What a file that is neither regular nor a directory is, from its mode. */
    private static String kind(Path f) {
        try {
            int type = (Integer) Files.getAttribute(f, "unix:mode") & S_IFMT;
            return switch (type) {
                case S_IFIFO -> "a FIFO";
                case S_IFSOCK -> "a socket";
                case S_IFCHR -> "a character device";
                case S_IFBLK -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /**
     * Read the headers of {@code files} (in parallel on {@code workers}) and check that every page
     * has the same size and sample type.
     * @throws InvalidInputException naming the file when it is not a readable image, or when its
     *     size or type differs from the first page's (both named)
     */
    public static ImageSlices scan(List<Path> files, ExecutorService workers) {
        if (files.isEmpty()) throw new InvalidInputException("no image files to ingest");
        List<Future<SliceFormat.Header>> headers = new ArrayList<>();
        for (Path f : files) headers.add(workers.submit(() -> SliceFormat.header(f)));
        List<Page> pages = new ArrayList<>();
        SliceFormat first = null;
        String firstFile = null;
        for (int i = 0; i < files.size(); i++) {
            SliceFormat.Header h = await(headers.get(i));
            for (int p = 0; p < h.pages().size(); p++) {
                SliceFormat f = h.pages().get(p);
                String where = files.get(i) + (h.pages().size() > 1 ? " page " + p : "");
                if (first == null) {
                    first = f;
                    firstFile = where;
                } else if (f.width() != first.width() || f.height() != first.height()) {
                    throw new InvalidInputException("slice " + where + " is " + f.width() + "x" + f.height() + " pixels, expected "
                            + first.width() + "x" + first.height() + " as " + firstFile);
                } else if (f.type() != first.type() || f.bands() != first.bands()) {
                    throw new InvalidInputException("slice " + where + " has " + f.bands() + " band(s) of " + f.type() + ", expected "
                            + first.bands() + " of " + first.type() + " as " + firstFile);
                }
                pages.add(new Page(files.get(i).toString(), p));
            }
        }
        return new ImageSlices(pages, first);
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading image headers", e);
        }
    }

    /** The slices in z order. */
    public List<Page> pages() {
        return pages;
    }

    @Override
    public DataType dataType() {
        return format.type();
    }

    @Override
    public long[] shape() {
        return new long[] {format.width(), format.height(), pages.size(), format.bands()};
    }

    /** Decode the slices {@code box} covers, one task per slice on {@code workers}, each slice's region into its plane of {@code into}. */
    @Override
    public void read(Box box, NdView into, ExecutorService workers) {
        long[] s = shape();
        if (box.rank() != 3 || !Box.of(new long[3], new long[] {s[0], s[1], s[2]}).contains(box)) {
            throw new InvalidInputException("box " + box + " is not inside the stack [0,0,0]..[" + s[0] + "," + s[1] + "," + s[2] + ")");
        }
        long[] o = into.origin();
        java.util.Map<Integer, Object> live = streams(box.min(2), box.max(2));
        List<Future<?>> tasks = new ArrayList<>();
        for (long z = box.min(2); z < box.max(2); z++) {
            int zi = (int) z;
            Page page = pages.get(zi);
            long dz = o[2] + (z - box.min(2));
            NdView plane = into.subView(Box.of(new long[] {o[0], o[1], dz, o[3]}, new long[] {o[0] + box.size(0), o[1] + box.size(1), dz + 1, o[3] + s[3]}));
            int x = (int) box.min(0), y = (int) box.min(1), w = (int) box.size(0), h = (int) box.size(1);
            tasks.add(workers.submit(() -> {
                Object st = live.computeIfAbsent(zi, k -> {
                    TiffStrips.Layout l = SliceFormat.stripLayout(page, format);
                    return l == null ? IMAGE_IO : new TiffStrips(Path.of(page.file()), where(page), l, format.type());
                });
                if (st instanceof TiffStrips t) t.read(x, y, w, h, plane);
                else SliceFormat.decode(page, x, y, w, h, format, plane);
            }));
        }
        RuntimeException failure = null;
        for (Future<?> t : tasks) {
            try {
                await(t);
            } catch (RuntimeException e) {
                if (failure == null) failure = e; // first slice in z order; the rest still finish (they write into our buffer)
            }
        }
        if (failure != null) throw failure;
    }

    /** The streaming states, those of pages outside {@code [z0, z1)} ended and dropped (their slab is done). */
    private synchronized java.util.Map<Integer, Object> streams(long z0, long z1) {
        if (streams == null) streams = new java.util.concurrent.ConcurrentHashMap<>();
        streams.entrySet().removeIf(e -> {
            boolean out = e.getKey() < z0 || e.getKey() >= z1;
            if (out && e.getValue() instanceof TiffStrips t) t.end();
            return out;
        });
        return streams;
    }

    private static String where(Page page) {
        return page.file() + (page.page() > 0 ? " page " + page.page() : "");
    }

    @Override
    public String toString() {
        return pages.size() + " slice(s) " + format.width() + "x" + format.height() + " " + format.bands() + "x" + format.type()
                + (pages.isEmpty() ? "" : " from " + pages.getFirst().file() + (pages.size() > 1 ? " .. " + pages.getLast().file() : ""));
    }

    /**
     * Identifies this stack for resuming: slice count, shape, type and a SHA-256 over every
     * slice's file name, size and page (not the directory, so a moved stack still resumes).
     */
    public String fingerprint() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (Page p : pages) {
                Path f = Path.of(p.file());
                md.update((f.getFileName() + "\t" + Files.size(f) + "\t" + p.page() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "images " + Arrays.toString(shape()) + " " + dataType() + " sha256:" + java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat the slices: " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
