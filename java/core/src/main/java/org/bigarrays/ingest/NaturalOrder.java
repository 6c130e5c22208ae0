package org.bigarrays.ingest;

import java.util.Comparator;

/**
 * File names in the order people number slices: runs of digits compare by value, so
 * {@code z2.tif} comes before {@code z10.tif}; other characters compare as they are. Ties (such
 * as {@code z01} and {@code z1}) fall back to plain string order, so the order is total.
 */
final class NaturalOrder implements Comparator<String> {
    /** The one instance. */
    public static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ea = endOfDigits(a, i);
                int eb = endOfDigits(b, j);
                int c = compareNumbers(a.substring(i, ea), b.substring(j, eb));
                if (c != 0) return c;
                i = ea;
                j = eb;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        int byLength = Integer.compare(a.length() - i, b.length() - j);
        return byLength != 0 ? byLength : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int endOfDigits(String s, int from) {
        int e = from;
        while (e < s.length() && isDigit(s.charAt(e))) e++;
        return e;
    }

    /** Two digit strings by value, any length (no overflow): fewer significant digits is smaller. */
    private static int compareNumbers(String x, String y) {
        String a = stripZeros(x);
        String b = stripZeros(y);
        if (a.length() != b.length()) return Integer.compare(a.length(), b.length());
        return a.compareTo(b);
    }

    private static String stripZeros(String s) {
        int k = 0;
        while (k < s.length() - 1 && s.charAt(k) == '0') k++;
        return s.substring(k);
    }
}
