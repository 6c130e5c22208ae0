package org.bigarrays.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Natural order against a model: names built from numbers sort as the numbers do. */
class NaturalOrderTest {
    record Name(long a, long b, int padA) {
        String text() {
            return "slice_" + "0".repeat(padA) + a + "_z" + b + ".tif";
        }
    }

    @Property(tries = 300)
    void sortsByTheNumbersInTheName(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 100000) Integer> as,
                                    @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 3) Integer> pads) {
        List<Name> names = new ArrayList<>();
        for (int i = 0; i < as.size(); i++) names.add(new Name(as.get(i), i, pads.isEmpty() ? 0 : pads.get(i % pads.size())));
        List<String> got = new ArrayList<>(names.stream().map(Name::text).toList());
        got.sort(NaturalOrder.INSTANCE);
        List<Name> model = new ArrayList<>(names);
        model.sort(Comparator.comparingLong(Name::a).thenComparingLong(Name::b).thenComparing(Name::text));
        // Ties on value (different zero padding) fall back to plain string order, as the model's last key.
        List<String> want = model.stream().map(Name::text).toList();
        assertEquals(want.stream().map(NaturalOrderTest::numbers).toList(), got.stream().map(NaturalOrderTest::numbers).toList());
    }

    @org.junit.jupiter.api.Test
    void examples() {
        List<String> l = new ArrayList<>(List.of("z10.tif", "z2.tif", "z1.tif", "z01.tif", "a.tif", "z.tif", "z100000000000000000000001.tif"));
        l.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("a.tif", "z.tif", "z01.tif", "z1.tif", "z2.tif", "z10.tif", "z100000000000000000000001.tif"), l);
    }

    private static String numbers(String s) {
        return s.replaceAll("[^0-9_]", "").replaceAll("_0+(\\d)", "_$1");
    }
}
