package org.bigarrays.cli;

import java.util.Locale;

/**
 * A double with a fixed number of decimals, as {@code String.format(Locale.ROOT, "%.<n>f", v)}
 * writes it (the shortest decimal that identifies the double, {@link Double#toString}'s digits,
 * rounded half up), without {@link java.util.Formatter}: a one-chunk cutout's summary line spent
 * ~15 ms of CPU starting Formatter and the locale data it reads.
 */
final class FixedPoint {
    private FixedPoint() {}

    /** Whether printf in the default format locale writes numbers as {@link #format} does ('.', ASCII digits). */
    static boolean plainLocale() {
        Locale l = Locale.getDefault(Locale.Category.FORMAT);
        return l.equals(Locale.ROOT) || l.equals(Locale.ENGLISH) || l.equals(Locale.US);
    }

    /** {@code v} with {@code decimals} (≥ 1) digits after the point; NaN, infinities and negative values as Formatter writes them. */
    static String format(double v, int decimals) {
        if (decimals < 1 || Double.isNaN(v) || Double.isInfinite(v) || Double.doubleToRawLongBits(v) < 0) {
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        String s = Double.toString(v); // "123.45", or "1.2345E7" / "1.0E-5"
        int e = s.indexOf('E');
        int end = e < 0 ? s.length() : e;
        int dot = s.indexOf('.');
        // The digits with a leading zero that takes a carry; point: how many of them precede the decimal point.
        StringBuilder d = new StringBuilder(end + decimals + 2).append('0').append(s, 0, dot).append(s, dot + 1, end);
        int point = 1 + dot + (e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10));
        while (point < 1) {
            d.insert(0, '0');
            point++;
        }
        int keep = point + decimals;
        if (keep < d.length()) {
            boolean up = d.charAt(keep) >= '5';
            d.setLength(keep);
            for (int i = keep - 1; up; i--) {
                char c = d.charAt(i);
                d.setCharAt(i, c == '9' ? '0' : (char) (c + 1));
                up = c == '9';
            }
        }
        while (d.length() < keep) d.append('0');
        int lead = 0;
        while (lead < point - 1 && d.charAt(lead) == '0') lead++;
        return d.substring(lead, point) + "." + d.substring(point, keep);
    }
}
