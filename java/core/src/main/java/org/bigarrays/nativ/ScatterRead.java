package org.bigarrays.nativ;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads byte ranges of one file straight to their places in memory: the ranges of a chunk file
 * that are rows of a cutout go into the cutout itself, so the kernel's page-cache copy is the only
 * pass over the bytes. Ranges are given as {@code spans}, triples {@code (fileOffset, dstOffset,
 * length)} in increasing file order, not overlapping. Ranges that follow each other in the file
 * (gaps of at most {@link #MAX_GAP} bytes between them, read into a scratch buffer) are read with
 * one vectored read of up to {@link #IOV_MAX} pieces, so a chunk of long rows costs a few calls.
 *
 * <p>Get the implementation in use with {@link #get()}: {@code preadv} from the C library through
 * FFM ({@link LibcScatterRead}) where native calls are on, else {@link JavaScatterRead}
 * ({@code FileChannel}'s scattering reads), which is its twin and the reference in tests. Every
 * span is checked against {@code dst} and the file size here, in Java, before any read.
 */
public interface ScatterRead {
    /** The most pieces one vectored read takes (Linux's {@code IOV_MAX}). */
    int IOV_MAX = 1024;
    /** The largest gap between two ranges read through in the same call (into scratch memory) rather than by another call. */
    long MAX_GAP = 64L << 10;

    /**
     * Read the spans of the regular file {@code path} into {@code dst}, and its first
     * {@code min(head.byteSize(), expectedSize)} bytes into {@code head}, if the file is exactly
     * {@code expectedSize} bytes long. The caller keeps {@code dst} alive for the call.
     *
     * @param spans {@code count} triples {@code (fileOffset, dstOffset, length)}, file offsets increasing
     * @return false, with nothing written, when there is no regular file of {@code expectedSize}
     *     bytes at {@code path} (absent, another size, not a regular file, not openable): the
     *     caller's ordinary read then says what is there
     * @throws IOException when reading fails, or the file shrinks while it is read
     * @throws IndexOutOfBoundsException when a span lies outside {@code dst} or the file's size
     */
    boolean read(Path path, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) throws IOException;

    /** "native" or "java". */
    String name();

    /** The implementation in use for this process: native unless native calls are off or unavailable. */
    static ScatterRead get() {
        return LibcScatterRead.AVAILABLE ? LibcScatterRead.INSTANCE : JavaScatterRead.INSTANCE;
    }

    /**
     * Check every span against {@code dst} and the file size, and the spans' order; throws
     * {@link IndexOutOfBoundsException} or {@link IllegalArgumentException} naming the bad span.
     */
    static void check(long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
        if (count < 0 || (long) count * 3 > spans.length) throw new IllegalArgumentException("scatter read: " + count + " spans, " + spans.length + " values");
        if (dst.isReadOnly() || head.isReadOnly()) throw new IllegalArgumentException("scatter read: destination is a read-only segment");
        if (expectedSize < 0) throw new IllegalArgumentException("scatter read: negative file size " + expectedSize);
        long end = 0;
        for (int i = 0; i < count; i++) {
            long f = spans[3 * i], d = spans[3 * i + 1], n = spans[3 * i + 2];
            if (n <= 0 || f < end || d < 0) {
                throw new IllegalArgumentException("scatter read: span " + i + " " + Arrays.toString(Arrays.copyOfRange(spans, 3 * i, 3 * i + 3))
                        + " is empty, negative or before the previous one's end " + end);
            }
            end = Math.addExact(f, n);
            if (end > expectedSize) throw new IndexOutOfBoundsException("scatter read: span " + i + " ends at byte " + end + " of a " + expectedSize + "-byte file");
            if (Math.addExact(d, n) > dst.byteSize()) {
                throw new IndexOutOfBoundsException("scatter read: span " + i + " ends at byte " + (d + n) + " of a " + dst.byteSize() + "-byte destination");
            }
        }
    }

    /**
     * Where the vectored read that starts at span {@code from} ends (exclusive): spans join it
     * while the gap before each is at most {@link #MAX_GAP} and its pieces (spans and gaps) stay
     * within {@link #IOV_MAX}.
     */
    static int groupEnd(long[] spans, int from, int count) {
        int pieces = 1;
        int i = from + 1;
        for (; i < count; i++) {
            long gap = spans[3 * i] - (spans[3 * (i - 1)] + spans[3 * (i - 1) + 2]);
            int more = gap > 0 ? 2 : 1;
            if (gap > MAX_GAP || pieces + more > IOV_MAX) break;
            pieces += more;
        }
        return i;
    }

    /** The largest gap between spans that {@link #groupEnd} lets one read go through (0: none). */
    static long largestGap(long[] spans, int count) {
        long max = 0;
        for (int i = 1; i < count; i++) {
            long gap = spans[3 * i] - (spans[3 * (i - 1)] + spans[3 * (i - 1) + 2]);
            if (gap <= MAX_GAP) max = Math.max(max, gap);
        }
        return max;
    }
}
