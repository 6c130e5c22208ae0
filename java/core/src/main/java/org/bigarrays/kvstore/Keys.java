package org.bigarrays.kvstore;

import org.bigarrays.InvalidInputException;

/**
 * Key syntax, checked in one place for store keys, scale keys from an info, and keys taken from
 * the command line: a relative, '/'-separated path that stays inside the layer however it is
 * used, as a file path, an object name, or (as Neuroglancer does with a scale key) a URL
 * relative to the layer.
 *
 * <p>Rejected: an empty key; a leading or trailing '/'; empty, "." or ".." segments; a ':' in the
 * first segment (it would read as a URL scheme, {@code s3:}, {@code file:}, {@code C:});
 * backslashes (Windows separators, and browsers read them as '/'); '%' (a URL resolver decodes
 * {@code %2e%2e} to "..", so no percent sign is allowed at all: precomputed keys never need one,
 * and allowing only "harmless" escapes would mean re-implementing each consumer's decoder);
 * '?' and '#' (they end the path of a URL); control characters.
 */
public final class Keys {
    private Keys() {}

    /** Returns {@code key} if valid, else throws an {@link InvalidInputException} naming it. */
    public static String check(String key) {
        String why = problem(key);
        if (why != null) throw new InvalidInputException("invalid key '" + printable(key) + "': " + why);
        return key;
    }

    /**
     * Why {@code key} is not a valid relative key, or null when it is. One rule set for every
     * caller, so a key that a store accepts can also never leave a layer as a URL.
     */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) return "expected a relative path, found an empty key";
        if (key.startsWith("/")) return "expected a relative path, found an absolute one";
        if (key.endsWith("/")) return "expected a relative path without a trailing '/'";
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) return "control character at position " + i;
            if (c == '\\') return "backslash at position " + i + " (the separator is '/')";
            if (c == '%') return "'%' at position " + i + " (percent-escapes could decode to '.' or '/')";
            if (c == '?' || c == '#') return "'" + c + "' at position " + i + " (it would end a URL's path)";
        }
        int firstSlash = key.indexOf('/');
        String first = firstSlash < 0 ? key : key.substring(0, firstSlash);
        if (first.indexOf(':') >= 0) return "':' in the first segment would read as a URL scheme";
        for (String part : key.split("/", -1)) {
            if (part.isEmpty()) return "empty segment ('//')";
            if (part.equals(".") || part.equals("..")) return "'" + part + "' segment";
        }
        return null;
    }

    /** Whether {@code key} passes {@link #check}. */
    public static boolean isValid(String key) {
        return problem(key) == null;
    }

    /**
     * Whether some valid key can start with {@code prefix}: the part before its last '/' must
     * itself be a valid key path. Stores list nothing for other prefixes ("../", "/x"), so a
     * listing can never reach outside the store's root.
     */
    public static boolean isListablePrefix(String prefix) {
        if (prefix.startsWith("/")) return false;
        int slash = prefix.lastIndexOf('/');
        if (slash < 0) return true;
        return isValid(prefix.substring(0, slash));
    }

    /** {@code prefix + "/" + key}, or {@code key} when prefix is empty. */
    public static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /** The key with control characters escaped, so that an error message stays on one line. */
    public static String printable(String key) {
        if (key == null) return "null";
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }
}
