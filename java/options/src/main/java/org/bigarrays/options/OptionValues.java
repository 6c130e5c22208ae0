package org.bigarrays.options;

import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;

/** Parsing of option values shared by the mixins, with errors naming the option. */
public final class OptionValues {
    private OptionValues() {}

    /** Three integers "X,Y,Z" of option {@code what}. */
    public static long[] triple(String s, String what) {
        long[] v = Box.parseLongs(s, what + " " + s);
        if (v.length != 3) throw new InvalidInputException(what + ": expected 3 values X,Y,Z, found '" + s + "'");
        return v;
    }
}
