package org.bigarrays.zarr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bigarrays.FormatException;

/**
 * The stated mapping between a Zarr array's stored dimensions and the library's array axes
 * {@code x, y, z, c} (x fastest, as precomputed). Nothing is transposed silently: the driver asks
 * this mapping where each library axis is stored and whether the stored layout already is ours.
 *
 * <h2>How stored dimensions are identified</h2>
 * <ol>
 *   <li>By name, where the array has {@code dimension_names} (v3), {@code _ARRAY_DIMENSIONS}
 *       (xarray, v2) or OME-Zarr {@code axes}: names {@code x}, {@code y}, {@code z} are the
 *       spatial axes, {@code c} is the channel axis, {@code t} is time (names compared without
 *       case). OME axis types come first: type {@code channel} is c whatever its name, type
 *       {@code time} is t, type {@code space} is x, y or z by name.
 *   <li>Time must have size 1 (it is dropped): "dimension 't' has size 5; only a single time
 *       point is supported". Any other dimension that is not identified (an unknown name, or a
 *       null name beside named ones) must have size 1 too, and is dropped likewise.
 *   <li>Without names, or when no name is one of the above (the spec's own example names its
 *       dimensions "rows" and "columns"), by position, the OME-Zarr/NumPy convention (slowest
 *       first): rank 1 = (x), rank 2 = (y, x), rank 3 = (z, y, x), rank 4 = (c, z, y, x),
 *       rank 5 = (t, c, z, y, x).
 * </ol>
 * A library axis no dimension maps to is absent: size 1, {@link #storedDimension} -1. A name used
 * twice, or a rank above 5 without names, is an error.
 *
 * <h2>Layout</h2>
 * The library's decoded chunk is x fastest, then y, z, c: that is C order over (c, z, y, x). A
 * Zarr chunk as its codecs decode it (C order over the stored dimensions; a {@code transpose}
 * codec is undone by the codecs themselves, a v2 "F" order is not: pass its order to
 * {@link #isLibraryLayout(long[], int[])}) is already that layout when its dimensions of extent
 * above 1 come in the order c, z, y, x (any of them absent; extent-1 dimensions anywhere): then
 * {@link #isLibraryLayout} is true and no transpose is needed. It is asked of the chunk shape,
 * not the array's: an array dimension of size 1 may still have chunks of extent 64 along it.
 *
 * <h2>Writing</h2>
 * Arrays we write use dimension order (c, z, y, x), or (z, y, x) without channels, always with
 * {@code dimension_names}: {@link #forWriting}.
 */
public final class AxisMapping {
    /** Library axis indices, as in {@code [x, y, z, c]} vectors. */
    public static final int X = 0, Y = 1, Z = 2, C = 3;
    private static final int T = 4;
    private static final int UNKNOWN = -1;
    private static final String[] ROLE_NAMES = {"x", "y", "z", "c", "t"};

    private final long[] storedShape;
    private final int[] libraryAxisOf; // per stored dimension: X..C, or -1 (dropped: t or unknown, size 1)
    private final int[] storedDimensionOf; // per library axis: the stored dimension, or -1

    private AxisMapping(long[] storedShape, int[] libraryAxisOf) {
        this.storedShape = storedShape.clone();
        this.libraryAxisOf = libraryAxisOf;
        this.storedDimensionOf = new int[] {-1, -1, -1, -1};
        for (int d = 0; d < libraryAxisOf.length; d++) {
            if (libraryAxisOf[d] >= 0) storedDimensionOf[libraryAxisOf[d]] = d;
        }
    }

    /**
     * The mapping of an array of {@code storedShape} with {@code dimensionNames} (null, or one
     * name or null per dimension).
     *
     * @param where opens error messages ("zarr.json at URL")
     * @throws FormatException when a name is used twice, a time or unidentified dimension has a
     *     size above 1, or the rank is above 5 without names
     */
    public static AxisMapping of(long[] storedShape, List<String> dimensionNames, String where) {
        int rank = storedShape.length;
        if (dimensionNames != null && dimensionNames.size() != rank) {
            throw new FormatException(where + ": dimension_names: expected " + rank + " names, found " + dimensionNames.size());
        }
        String[] names = new String[rank];
        for (int d = 0; d < rank; d++) names[d] = dimensionNames == null ? null : dimensionNames.get(d);
        return identify(storedShape, names, new String[rank], where);
    }

    /**
     * The mapping of an OME-Zarr image level of {@code storedShape} with the multiscale's {@code axes}.
     *
     * @throws FormatException as {@link #of}, and when the axes are not one per dimension
     */
    public static AxisMapping ofOme(long[] storedShape, List<Multiscales.Axis> axes, String where) {
        if (axes.size() != storedShape.length) {
            throw new FormatException(where + ": multiscales axes: expected " + storedShape.length + " axes (the array's rank), found " + axes.size());
        }
        String[] names = new String[axes.size()];
        String[] types = new String[axes.size()];
        for (int d = 0; d < names.length; d++) {
            names[d] = axes.get(d).name();
            types[d] = axes.get(d).type();
        }
        return identify(storedShape, names, types, where);
    }

    /**
     * The mapping of an array we write: dimensions (c, z, y, x) when {@code channels}, else (z, y, x).
     *
     * @param librarySize {@code [x, y, z, c]}; c must be 1 without {@code channels}
     */
    public static AxisMapping forWriting(long[] librarySize, boolean channels) {
        if (!channels && librarySize[C] != 1) throw new IllegalArgumentException(librarySize[C] + " channels need a channel dimension");
        int[] roles = channels ? new int[] {C, Z, Y, X} : new int[] {Z, Y, X};
        long[] shape = new long[roles.length];
        for (int d = 0; d < roles.length; d++) shape[d] = librarySize[roles[d]];
        return new AxisMapping(shape, roles);
    }

    private static AxisMapping identify(long[] shape, String[] names, String[] types, String where) {
        int rank = shape.length;
        int[] role = new int[rank];
        boolean any = false;
        for (int d = 0; d < rank; d++) {
            role[d] = roleOf(names[d], types[d]);
            any |= role[d] != UNKNOWN;
        }
        if (!any) {
            role = switch (rank) {
                case 1 -> new int[] {X};
                case 2 -> new int[] {Y, X};
                case 3 -> new int[] {Z, Y, X};
                case 4 -> new int[] {C, Z, Y, X};
                case 5 -> new int[] {T, C, Z, Y, X};
                default -> throw new FormatException(where + ": dimension_names: expected names among x, y, z, c, t, or a rank of 1 to 5 "
                        + "(read as (x), (y, x), (z, y, x), (c, z, y, x), (t, c, z, y, x)), found rank " + rank
                        + (Arrays.stream(names).allMatch(n -> n == null) ? " without names" : " with names " + Arrays.toString(names)));
            };
        }
        int[] seen = {-1, -1, -1, -1, -1};
        int[] libraryAxisOf = new int[rank];
        for (int d = 0; d < rank; d++) {
            String label = names[d] != null ? "'" + names[d] + "'" : any ? d + " (unnamed)" : "'" + ROLE_NAMES[role[d]] + "'";
            if (role[d] == UNKNOWN || role[d] == T) {
                if (shape[d] != 1) {
                    throw new FormatException(where + ": dimension " + label + " has size " + shape[d] + "; "
                            + (role[d] == T ? "only a single time point is supported"
                                    : "only dimensions x, y, z, c (and t of size 1) are supported, others must have size 1"));
                }
                libraryAxisOf[d] = -1;
                continue;
            }
            if (seen[role[d]] >= 0) {
                throw new FormatException(where + ": dimension_names: expected each of x, y, z, c at most once, found " + ROLE_NAMES[role[d]]
                        + " on dimensions " + seen[role[d]] + " and " + d);
            }
            seen[role[d]] = d;
            libraryAxisOf[d] = role[d];
        }
        return new AxisMapping(shape, libraryAxisOf);
    }

    private static int roleOf(String name, String type) {
        String t = type == null ? null : type.toLowerCase(Locale.ROOT);
        String n = name == null ? null : name.toLowerCase(Locale.ROOT);
        if ("channel".equals(t)) return C;
        if ("time".equals(t)) return T;
        if (n == null) return UNKNOWN;
        int r = switch (n) {
            case "x" -> X;
            case "y" -> Y;
            case "z" -> Z;
            case "c" -> C;
            case "t" -> T;
            default -> UNKNOWN;
        };
        // A space axis must be x, y or z; another type (custom) named like a role is taken by its name.
        if ("space".equals(t) && (r == C || r == T)) return UNKNOWN;
        return r;
    }

    /** The stored dimension of library axis {@link #X}, {@link #Y}, {@link #Z} or {@link #C}; -1 when absent (size 1). */
    public int storedDimension(int libraryAxis) {
        return storedDimensionOf[libraryAxis];
    }

    /** The library axis of stored dimension {@code d}; -1 for a dropped one (time, or unidentified; size 1). */
    public int libraryAxis(int storedDimension) {
        return libraryAxisOf[storedDimension];
    }

    /** The stored rank. */
    public int rank() {
        return libraryAxisOf.length;
    }

    /** The array's size as {@code [x, y, z, c]} (1 for absent axes). */
    public long[] librarySize() {
        return toLibrary(storedShape, 1);
    }

    /** A per-dimension vector (shape, chunk shape, grid position) as {@code [x, y, z, c]}, {@code absent} for absent axes. */
    public long[] toLibrary(long[] stored, long absent) {
        long[] out = {absent, absent, absent, absent};
        for (int a = 0; a < 4; a++) {
            if (storedDimensionOf[a] >= 0) out[a] = stored[storedDimensionOf[a]];
        }
        return out;
    }

    /** A {@code [x, y, z, c]} vector in stored order, {@code dropped} for dropped dimensions (0 for a chunk position, 1 for a size). */
    public long[] toStored(long[] library, long dropped) {
        long[] out = new long[libraryAxisOf.length];
        for (int d = 0; d < out.length; d++) out[d] = libraryAxisOf[d] >= 0 ? library[libraryAxisOf[d]] : dropped;
        return out;
    }

    /**
     * Whether a chunk of {@code storedChunkShape} in C order (last dimension fastest) already is
     * the library's layout (x fastest, then y, z, c): its dimensions of extent above 1 are
     * library axes in the order c, z, y, x.
     */
    public boolean isLibraryLayout(long[] storedChunkShape) {
        int[] cOrder = new int[storedChunkShape.length];
        for (int d = 0; d < cOrder.length; d++) cOrder[d] = d;
        return isLibraryLayout(storedChunkShape, cOrder);
    }

    /**
     * As {@link #isLibraryLayout(long[])} for a chunk whose dimensions lie in memory in
     * {@code slowestToFastest} order (a permutation of the stored dimensions: {@code [0, 1, …]}
     * for C order, reversed for Fortran order, the order of a {@code transpose} codec's output).
     */
    public boolean isLibraryLayout(long[] storedChunkShape, int[] slowestToFastest) {
        int previous = Integer.MAX_VALUE;
        for (int d : slowestToFastest) {
            if (storedChunkShape[d] == 1) continue;
            int a = libraryAxisOf[d];
            if (a < 0 || a >= previous) return false;
            previous = a;
        }
        return true;
    }

    /**
     * Names for the stored dimensions, as written in {@code dimension_names}: the library axis
     * names, and {@code t} or null for dropped dimensions as they were identified.
     */
    public List<String> dimensionNames() {
        List<String> out = new ArrayList<>();
        for (int a : libraryAxisOf) out.add(a >= 0 ? ROLE_NAMES[a] : null);
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int d = 0; d < libraryAxisOf.length; d++) {
            if (d > 0) sb.append(", ");
            sb.append(libraryAxisOf[d] >= 0 ? ROLE_NAMES[libraryAxisOf[d]] : "-").append(':').append(storedShape[d]);
        }
        return sb.append(") → [x, y, z, c] = ").append(Arrays.toString(librarySize())).toString();
    }
}
