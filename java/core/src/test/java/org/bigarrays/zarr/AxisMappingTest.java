package org.bigarrays.zarr;

import static org.bigarrays.zarr.AxisMapping.C;
import static org.bigarrays.zarr.AxisMapping.X;
import static org.bigarrays.zarr.AxisMapping.Y;
import static org.bigarrays.zarr.AxisMapping.Z;
import static org.bigarrays.zarr.Errors.oneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The stated mapping between stored dimensions and x, y, z, c: by name, by OME type, by position; time of size 1; layout. */
class AxisMappingTest {
    private static final String W = "zarr.json at mem://a";

    static AxisMapping named(long[] shape, String... names) {
        return AxisMapping.of(shape, Arrays.asList(names), W);
    }

    @Test
    void withoutNamesByPositionAsOmeAndNumPyDo() {
        assertArrayEquals(new long[] {7, 1, 1, 1}, AxisMapping.of(new long[] {7}, null, W).librarySize());
        assertArrayEquals(new long[] {20, 10, 1, 1}, AxisMapping.of(new long[] {10, 20}, null, W).librarySize(), "(y, x)");
        assertArrayEquals(new long[] {30, 20, 10, 1}, AxisMapping.of(new long[] {10, 20, 30}, null, W).librarySize(), "(z, y, x)");
        assertArrayEquals(new long[] {40, 30, 20, 2}, AxisMapping.of(new long[] {2, 20, 30, 40}, null, W).librarySize(), "(c, z, y, x)");
        AxisMapping five = AxisMapping.of(new long[] {1, 2, 20, 30, 40}, null, W);
        assertArrayEquals(new long[] {40, 30, 20, 2}, five.librarySize(), "(t, c, z, y, x)");
        assertEquals(-1, five.libraryAxis(0));
        assertEquals(4, five.storedDimension(X));
        assertEquals(1, five.storedDimension(C));
        oneLine(() -> AxisMapping.of(new long[] {5, 2, 20, 30, 40}, null, W), W + ": dimension 't' has size 5; only a single time point is supported");
        oneLine(() -> AxisMapping.of(new long[] {1, 1, 1, 1, 1, 1}, null, W), W + ": dimension_names: expected names among x, y, z, c, t, or a rank of 1 to 5",
                "found rank 6 without names");
        // The spec's example names its dimensions rows and columns: none is ours, so by position.
        AxisMapping rows = named(new long[] {10000, 1000}, "rows", "columns");
        assertArrayEquals(new long[] {1000, 10000, 1, 1}, rows.librarySize());
    }

    @Test
    void byNameInAnyOrder() {
        AxisMapping m = named(new long[] {4, 5, 6, 1, 3}, "x", "y", "z", "t", "c");
        assertArrayEquals(new long[] {4, 5, 6, 3}, m.librarySize());
        assertEquals(0, m.storedDimension(X));
        assertEquals(4, m.storedDimension(C));
        assertEquals(-1, m.libraryAxis(3));
        assertArrayEquals(new long[] {9, 8, 7, 0, 6}, m.toStored(new long[] {9, 8, 7, 6}, 0));
        assertArrayEquals(new long[] {1, 2, 3, 5}, m.toLibrary(new long[] {1, 2, 3, 4, 5}, 1));
        assertFalse(m.isLibraryLayout(new long[] {4, 5, 6, 1, 3}), "x slowest in C order is not x fastest");
        assertTrue(m.isLibraryLayout(new long[] {4, 5, 6, 1, 3}, new int[] {4, 3, 2, 1, 0}), "in Fortran order it is");
        assertArrayEquals(new long[] {2, 1, 1, 1}, named(new long[] {2}, "X").librarySize(), "names without case");
        AxisMapping yx = named(new long[] {1, 10, 20}, "z", "y", "x");
        assertArrayEquals(new long[] {20, 10, 1, 1}, yx.librarySize());
    }

    @Test
    void otherDimensionsMustHaveSizeOne() {
        oneLine(() -> named(new long[] {5, 10, 10}, "t", "y", "x"), W + ": dimension 't' has size 5; only a single time point is supported");
        oneLine(() -> named(new long[] {3, 10, 10}, "w", "y", "x"), W + ": dimension 'w' has size 3; only dimensions x, y, z, c (and t of size 1)");
        oneLine(() -> AxisMapping.of(new long[] {10, 3, 10}, Arrays.asList("y", null, "x"), W), W + ": dimension 1 (unnamed) has size 3");
        AxisMapping dropped = AxisMapping.of(new long[] {10, 1, 10}, Arrays.asList("y", null, "x"), W);
        assertArrayEquals(new long[] {10, 10, 1, 1}, dropped.librarySize());
        assertEquals(Arrays.asList("y", null, "x"), dropped.dimensionNames());
        oneLine(() -> named(new long[] {10, 10}, "x", "X"), W + ": dimension_names: expected each of x, y, z, c at most once, found x on dimensions 0 and 1");
        oneLine(() -> AxisMapping.of(new long[] {10, 10}, List.of("x"), W), W + ": dimension_names: expected 2 names, found 1");
    }

    @Test
    void omeAxisTypesComeFirst() {
        List<Multiscales.Axis> axes = List.of(new Multiscales.Axis("time", "time", "second"), new Multiscales.Axis("ch", "channel", null),
                new Multiscales.Axis("y", "space", "micrometer"), new Multiscales.Axis("x", "space", "micrometer"));
        AxisMapping m = AxisMapping.ofOme(new long[] {1, 3, 100, 200}, axes, W);
        assertArrayEquals(new long[] {200, 100, 1, 3}, m.librarySize());
        assertEquals(1, m.storedDimension(C));
        assertTrue(m.isLibraryLayout(new long[] {1, 3, 64, 64}));
        oneLine(() -> AxisMapping.ofOme(new long[] {4, 3, 100, 200}, axes, W), W + ": dimension 'time' has size 4; only a single time point is supported");
        List<Multiscales.Axis> spaceC = List.of(new Multiscales.Axis("c", "space", null), new Multiscales.Axis("x", "space", null));
        oneLine(() -> AxisMapping.ofOme(new long[] {2, 100}, spaceC, W), "dimension 'c' has size 2");
        oneLine(() -> AxisMapping.ofOme(new long[] {100}, spaceC, W), W + ": multiscales axes: expected 1 axes (the array's rank), found 2");
    }

    @Test
    void arraysWeWriteAreCzyxWithNames() {
        AxisMapping w = AxisMapping.forWriting(new long[] {40, 30, 20, 2}, true);
        assertEquals(List.of("c", "z", "y", "x"), w.dimensionNames());
        assertArrayEquals(new long[] {2, 20, 30, 40}, w.toStored(w.librarySize(), 1));
        assertTrue(w.isLibraryLayout(new long[] {2, 20, 30, 40}));
        AxisMapping gray = AxisMapping.forWriting(new long[] {40, 30, 20, 1}, false);
        assertEquals(List.of("z", "y", "x"), gray.dimensionNames());
        AxisMapping back = AxisMapping.of(gray.toStored(gray.librarySize(), 1), gray.dimensionNames(), W);
        assertArrayEquals(gray.librarySize(), back.librarySize(), "read back as written");
    }

    /**
     * Against a model: the mapping says a C-order chunk is the library's layout exactly when
     * every element lies at the same offset in both layouts (stored C order; library x fastest,
     * then y, z, c).
     */
    @Property(tries = 500)
    void layoutIsLibraryLayoutExactlyWhenEveryElementLiesInPlace(@ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 3) Integer> extents,
            @ForAll long seed, @ForAll boolean withTime) {
        List<String> names = new ArrayList<>(List.of("x", "y", "z", "c").subList(0, extents.size()));
        if (withTime) names.add("t");
        Collections.shuffle(names, new java.util.Random(seed));
        long[] shape = new long[names.size()];
        for (int d = 0, e = 0; d < shape.length; d++) shape[d] = names.get(d).equals("t") ? 1 : extents.get(e++);
        AxisMapping m = AxisMapping.of(shape, names, W);
        long[] lib = m.librarySize();
        boolean inPlace = true;
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        for (long i = 0; i < n; i++) {
            long[] pos = new long[shape.length]; // C order: last dimension fastest
            long r = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                pos[d] = r % shape[d];
                r /= shape[d];
            }
            long[] p = m.toLibrary(pos, 0);
            long libOffset = p[X] + lib[X] * (p[Y] + lib[Y] * (p[Z] + lib[Z] * p[C]));
            inPlace &= libOffset == i;
        }
        assertEquals(inPlace, m.isLibraryLayout(shape), () -> names + " " + Arrays.toString(shape));
        assertArrayEquals(shape, m.toStored(lib, 1), "sizes map back");
    }
}
