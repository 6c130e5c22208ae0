package org.bigarrays.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;

/** A duration on the command line: a number with ms, s, m or h ({@code 500ms}, {@code 30s}, {@code 2m}). */
final class DurationOption {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private DurationOption() {}

    static Duration parse(String text, String option) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) throw new InvalidInputException(option + " '" + text + "': expected a number with ms, s, m or h, e.g. 30s");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
