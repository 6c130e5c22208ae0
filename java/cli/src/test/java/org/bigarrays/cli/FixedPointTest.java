package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** {@link FixedPoint#format} writes what {@code String.format(Locale.ROOT, "%.<n>f", v)} writes. */
class FixedPointTest {
    @Property(tries = 3000)
    void asFormatterWritesMegabytesAndSeconds(@ForAll @DoubleRange(min = 0, max = 1e6) double v, @ForAll @IntRange(min = 1, max = 4) int decimals) {
        check(v, decimals);
    }

    @Property(tries = 3000)
    void asFormatterWritesAnyDouble(@ForAll double v, @ForAll @IntRange(min = 1, max = 3) int decimals) {
        check(v, decimals);
    }

    @Property(tries = 3000)
    void asFormatterWritesHalfwayDecimals(@ForAll @IntRange(min = 0, max = 100_000) int n, @ForAll @IntRange(min = 1, max = 3) int decimals) {
        check(n / 1000.0 + 0.0005, decimals); // ...5 in the digit rounded away: half up, on the shortest decimal
        check(n / 100.0 + 0.005, decimals);
        check(n / 10.0 + 0.05, decimals);
    }

    @Example
    void edges() {
        for (double v : new double[] {0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 9.95, 9.96, 99.95, 999.5, 1e-5, 4.9e-324, 1e7, 1.5e7, 123456789.95,
                Double.MAX_VALUE, Double.MIN_NORMAL, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1.25}) {
            for (int d = 1; d <= 3; d++) check(v, d);
        }
    }

    private static void check(double v, int decimals) {
        assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", v), FixedPoint.format(v, decimals), () -> "value " + v + ", " + decimals + " decimals");
    }
}
