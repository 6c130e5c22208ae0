package org.bigarrays.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;

/** Sizes given on the command line: {@code 512M}, {@code 2GiB}, {@code 1g}, {@code 1048576} (powers of 1024). */
final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {}

    static long parse(String text, String option) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) throw new InvalidInputException(option + " " + text + ": expected a size such as 512M, 2G or 1048576");
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) throw new InvalidInputException(option + " " + text + ": too large");
        return n << shift;
    }
}
