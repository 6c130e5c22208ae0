package org.bigarrays.kvstore;

import org.bigarrays.InvalidInputException;

/** Key syntax, checked in one place: relative, '/'-separated, no empty, "." or ".." segments. */
public final class Keys {
    private Keys() {}

    /** Returns {@code key} if valid, else throws naming it. */
    public static String check(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new InvalidInputException("invalid key '" + key + "': expected a relative path without leading or trailing '/'");
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new InvalidInputException("invalid key '" + key + "': empty, '.' or '..' segment");
            }
        }
        return key;
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
        try {
            check(prefix.substring(0, slash));
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** {@code prefix + "/" + key}, or {@code key} when prefix is empty. */
    public static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }
}
