package org.bigarrays.core;

import java.util.Arrays;
import org.bigarrays.InvalidInputException;

/**
 * An axis-aligned, half-open box of voxels {@code [min, max)} in absolute coordinates
 * (may be negative). Immutable.
 */
public final class Box {
    private final long[] min;
    private final long[] max;

    private Box(long[] min, long[] max) {
        this.min = min;
        this.max = max;
    }

    /**
     * The box {@code [min, max)}; max must be ≥ min on every axis, and each side's length
     * {@code max - min} must fit a long (so that {@link #shape} never overflows).
     */
    public static Box of(long[] min, long[] max) {
        if (min.length != max.length || min.length == 0) {
            throw new InvalidInputException("box min and max need the same, non-zero rank: " + Arrays.toString(min) + " vs " + Arrays.toString(max));
        }
        for (int i = 0; i < min.length; i++) {
            if (max[i] < min[i]) {
                throw new InvalidInputException("box " + fmt(min, max) + " has max < min on axis " + i);
            }
            if (max[i] - min[i] < 0) {
                throw new InvalidInputException("box " + fmt(min, max) + " is wider than 2^63-1 voxels on axis " + i);
            }
        }
        return new Box(min.clone(), max.clone());
    }

    /** The box at {@code origin} with {@code shape}; an end beyond 2^63-1 is an error. */
    public static Box at(long[] origin, long[] shape) {
        if (origin.length != shape.length) {
            throw new InvalidInputException("box origin and shape need the same rank: " + Arrays.toString(origin) + " vs " + Arrays.toString(shape));
        }
        long[] max = new long[origin.length];
        for (int i = 0; i < origin.length; i++) {
            if (shape[i] < 0) throw new InvalidInputException("negative shape " + Arrays.toString(shape) + " at " + Arrays.toString(origin));
            try {
                max[i] = Math.addExact(origin[i], shape[i]);
            } catch (ArithmeticException overflow) {
                throw new InvalidInputException("box at " + Arrays.toString(origin) + " with shape " + Arrays.toString(shape)
                        + " ends beyond 2^63-1 on axis " + i);
            }
        }
        return of(origin, max);
    }

    /** Parse "x0,y0,z0:x1,y1,z1" (the CLI syntax). */
    public static Box parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 2) {
            throw new InvalidInputException("invalid box '" + text + "': expected x0,y0,z0:x1,y1,z1");
        }
        long[] a = parseLongs(parts[0], text);
        long[] b = parseLongs(parts[1], text);
        if (a.length != b.length) {
            throw new InvalidInputException("invalid box '" + text + "': min has " + a.length + " coordinates, max has " + b.length);
        }
        return of(a, b);
    }

    /** Parse "a,b,c" into longs; {@code context} names the whole argument in errors. */
    public static long[] parseLongs(String csv, String context) {
        String[] s = csv.split(",");
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            try {
                out[i] = Long.parseLong(s[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("invalid number '" + s[i] + "' in '" + context + "'");
            }
        }
        return out;
    }

    public int rank() {
        return min.length;
    }

    public long[] min() {
        return min.clone();
    }

    public long[] max() {
        return max.clone();
    }

    public long min(int axis) {
        return min[axis];
    }

    public long max(int axis) {
        return max[axis];
    }

    public long size(int axis) {
        return max[axis] - min[axis];
    }

    public long[] shape() {
        long[] s = new long[min.length];
        for (int i = 0; i < s.length; i++) s[i] = max[i] - min[i];
        return s;
    }

    /** Number of voxels. @throws ArithmeticException when it exceeds 2^63-1 */
    public long volume() {
        long v = 1;
        for (int i = 0; i < min.length; i++) v = Math.multiplyExact(v, max[i] - min[i]);
        return v;
    }

    public boolean isEmpty() {
        for (int i = 0; i < min.length; i++) if (max[i] <= min[i]) return true;
        return false;
    }

    /** The overlap of two boxes (possibly empty, with max clamped to min). */
    public Box intersect(Box o) {
        long[] a = new long[min.length];
        long[] b = new long[min.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(min[i], o.min[i]);
            b[i] = Math.max(a[i], Math.min(max[i], o.max[i]));
        }
        return new Box(a, b);
    }

    /** Whether {@code o} lies wholly inside this box. */
    public boolean contains(Box o) {
        for (int i = 0; i < min.length; i++) {
            if (o.min[i] < min[i] || o.max[i] > max[i]) return false;
        }
        return true;
    }

    /** The same box moved by {@code delta}. */
    public Box translate(long[] delta) {
        long[] a = new long[min.length];
        long[] b = new long[min.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.addExact(min[i], delta[i]);
            b[i] = Math.addExact(max[i], delta[i]);
        }
        return new Box(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Box b && Arrays.equals(min, b.min) && Arrays.equals(max, b.max);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(min) + Arrays.hashCode(max);
    }

    /** "x0,y0,z0:x1,y1,z1", the syntax {@link #parse} reads. */
    @Override
    public String toString() {
        return fmt(min, max);
    }

    private static String fmt(long[] a, long[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
        sb.append(':');
        for (int i = 0; i < b.length; i++) sb.append(i == 0 ? "" : ",").append(b[i]);
        return sb.toString();
    }
}
