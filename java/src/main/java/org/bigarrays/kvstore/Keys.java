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

    /** {@code prefix + "/" + key}, or {@code key} when prefix is empty. */
    public static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }
}
