package org.bigarrays.cli;

import java.util.concurrent.Callable;

/**
 * The hot commands' plain command lines ({@code cutout URL --box B -o OUT [options]},
 * {@code info URL [--json] [--count]}) parsed without picocli. Building picocli's model costs more than a one-chunk
 * cutout (reflection over annotations, ~170 classes that the JDK's AOT cache cannot hold: picocli
 * is compiled for Java 5), so a command line in its simplest form goes straight to the command.
 *
 * <p>Anything else is declined ({@link #parse} returns null) and picocli parses it, so help,
 * usage errors, messages and exit codes stay picocli's: a missing or repeated option, an unknown
 * or abbreviated one, a value that begins with {@code -} (except {@code -} itself and negative
 * numbers or boxes) or {@code @} (picocli's argument files), {@code --}, {@code -h}, {@code -V},
 * clustered short options, an empty value or a number that is not plain decimal digits.
 * FastPathTest checks on random command lines that whatever is accepted here picocli parses to
 * the same fields.
 */
final class FastPath {
    private FastPath() {}

    /** The command ready to call, or null when picocli must parse {@code args}. */
    static Callable<Integer> parse(String[] args) {
        if (args.length == 0) return null;
        return switch (args[0]) {
            case "cutout" -> cutout(args);
            case "info" -> info(args);
            default -> null;
        };
    }

    private static InfoCommand info(String[] args) {
        String url = null;
        boolean json = false, count = false, debug = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            // Flags once each, as picocli takes them (a repeated one is picocli's error to report).
            switch (a) {
                case "--debug" -> {
                    if (debug) return null;
                    debug = true;
                }
                case "--json" -> {
                    if (json) return null;
                    json = true;
                }
                case "--count" -> {
                    if (count) return null;
                    count = true;
                }
                default -> {
                    if (url != null || !plainPositional(a)) return null;
                    url = a;
                }
            }
        }
        if (url == null) return null;
        InfoCommand c = new InfoCommand();
        c.url = url;
        c.json = json;
        c.count = count;
        return c;
    }

    private static CutoutCommand cutout(String[] args) {
        CutoutCommand c = new CutoutCommand();
        c.rw = new ReadWriteOptions();
        c.memory = CutoutCommand.DEFAULT_MEMORY;
        boolean memory = false, mip = false, fill = false, strict = false, debug = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                if (c.url != null || !plainPositional(a)) return null;
                c.url = a;
                continue;
            }
            String name = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("--strict") || name.equals("--debug")) {
                if (value != null) return null;
                if (name.equals("--strict") ? strict : debug) return null;
                if (name.equals("--strict")) strict = c.strict = true;
                else debug = true;
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) return null;
                value = args[++i];
            }
            if (!plainValue(value)) return null;
            switch (name) {
                case "--box" -> {
                    if (c.box != null) return null;
                    c.box = value;
                }
                case "-o", "--output" -> {
                    if (c.output != null) return null;
                    c.output = value;
                }
                case "--memory" -> {
                    if (memory) return null;
                    memory = true;
                    c.memory = value;
                }
                case "--mip" -> {
                    if (mip || !digits(value)) return null;
                    mip = true;
                    c.rw.mip = Integer.parseInt(value);
                }
                case "--fill" -> {
                    if (fill) return null;
                    fill = true;
                    c.rw.fill = value;
                }
                case "--threads" -> {
                    if (c.rw.threads != null || !digits(value)) return null;
                    c.rw.threads = Integer.parseInt(value);
                }
                case "--io" -> {
                    if (c.rw.io != null || !digits(value)) return null;
                    c.rw.io = Integer.parseInt(value);
                }
                default -> {
                    return null;
                }
            }
        }
        return c.url == null || c.box == null || c.output == null ? null : c;
    }

    /** A positional parameter picocli takes as it is: not an option, not an argument file. */
    private static boolean plainPositional(String a) {
        return !a.isEmpty() && !a.startsWith("-") && !a.startsWith("@");
    }

    /** An option value picocli takes as it is: {@code -}, a negative number or box, or text that is no option or argument file. */
    private static boolean plainValue(String v) {
        if (v.isEmpty() || v.startsWith("@")) return false;
        if (!v.startsWith("-")) return true;
        return v.length() == 1 || v.length() > 1 && Character.isDigit(v.charAt(1)) && v.charAt(1) < 128;
    }

    /** 1 to 9 ASCII digits: a value picocli converts to the same int. */
    private static boolean digits(String v) {
        if (v.isEmpty() || v.length() > 9) return false;
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        }
        return true;
    }
}
