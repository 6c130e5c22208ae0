package org.bigarrays.kvstore;

/**
 * A byte range of a value: {@code [start, end)}, or the last {@code -start} bytes when
 * {@code start < 0} (a suffix, as shard indexes at the end of a file need), or everything.
 */
public record ByteRange(long start, long end) {
    /** The whole value. */
    public static final ByteRange ALL = new ByteRange(0, Long.MAX_VALUE);

    public ByteRange {
        if (start >= 0 && end < start) {
            throw new IllegalArgumentException("byte range [" + start + ", " + end + ") has end before start");
        }
    }

    /** Bytes {@code [start, end)}. */
    public static ByteRange of(long start, long end) {
        return new ByteRange(start, end);
    }

    /** The last {@code n} bytes. */
    public static ByteRange suffix(long n) {
        if (n <= 0) throw new IllegalArgumentException("suffix length must be > 0, found " + n);
        return new ByteRange(-n, Long.MAX_VALUE);
    }

    public boolean isAll() {
        return start == 0 && end == Long.MAX_VALUE;
    }

    public boolean isSuffix() {
        return start < 0;
    }

    /** Resolve against a value of {@code size} bytes: the absolute {@code [start, end)}, clipped. */
    public long[] resolve(long size) {
        if (isSuffix()) return new long[] {Math.max(0, size + start), size};
        return new long[] {Math.min(start, size), Math.min(end, size)};
    }

    @Override
    public String toString() {
        if (isAll()) return "all";
        if (isSuffix()) return "last " + (-start) + " bytes";
        return "[" + start + ", " + end + ")";
    }
}
