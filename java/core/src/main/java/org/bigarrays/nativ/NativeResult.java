package org.bigarrays.nativ;

import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;

/**
 * The results of libbigarrays' functions: {@code ba_result} of {@code native/include/bigarrays.h},
 * value for value (the ordinal is the C value), and the one place that turns a failed call into
 * an exception. Every message names the function and ends with the code and its C name, e.g.
 * {@code native ba_copy of box [4, 4] ...: outside a buffer (result 1, BA_OUT_OF_BOUNDS)}.
 */
enum NativeResult {
    /** {@code BA_OK}. */
    OK,
    /** {@code BA_OUT_OF_BOUNDS}: a box does not lie inside a buffer; {@link IndexOutOfBoundsException}. */
    OUT_OF_BOUNDS,
    /** {@code BA_BAD_ARGUMENT}: a null pointer, rank, negative size or an overflow; {@link IllegalArgumentException}. */
    BAD_ARGUMENT,
    /** {@code BA_CORRUPT_INPUT}: encoded bytes are malformed; {@link CorruptChunkException} naming the chunk. */
    CORRUPT_INPUT,
    /** {@code BA_INSUFFICIENT_SPACE}: an output buffer is smaller than the result; {@link IllegalArgumentException}. */
    INSUFFICIENT_SPACE,
    /** {@code BA_NO_MEMORY}: C could not allocate its scratch memory; {@link OutOfMemoryError}. */
    NO_MEMORY,
    /** {@code BA_TOO_LARGE}: the input cannot be represented in the format; {@link FormatException}, as the Java twins throw. */
    TOO_LARGE;

    private static final NativeResult[] BY_CODE = values();

    /** The result with C value {@code code}, or null for a value bigarrays.h does not declare. */
    static NativeResult of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The C name, e.g. {@code BA_CORRUPT_INPUT}. */
    String cName() {
        return "BA_" + name();
    }

    /**
     * The exception for a call of {@code function} that returned {@code code} (not {@code BA_OK}).
     * {@code BA_NO_MEMORY} is thrown here as an {@link OutOfMemoryError}; everything else is
     * returned for the caller to throw.
     *
     * @param key the chunk's key, named by a {@link CorruptChunkException}; null when no chunk is involved
     * @param detail what was asked, e.g. {@code "copy of box [4, 4] with strides [1, 4] / [1, 8]"} or,
     *     for a decoder, what is wrong with the data
     */
    static RuntimeException failure(int code, String function, String key, String detail) {
        NativeResult r = of(code);
        if (r == null) return new IllegalStateException("native " + function + ": " + detail + ": unknown result " + code + " (libbigarrays and the Java code disagree)");
        String tag = " (result " + code + ", " + r.cName() + ")";
        return switch (r) {
            case OK -> new IllegalStateException("native " + function + " succeeded; no failure to report" + tag);
            case OUT_OF_BOUNDS -> new IndexOutOfBoundsException("native " + function + ": " + detail + ": outside a buffer" + tag);
            case BAD_ARGUMENT -> new IllegalArgumentException("native " + function + ": " + detail + ": bad argument" + tag);
            case CORRUPT_INPUT -> key == null
                    ? new FormatException(detail + tag)
                    : new CorruptChunkException(key, detail + tag);
            case INSUFFICIENT_SPACE -> new IllegalArgumentException("native " + function + ": " + detail + ": the output buffer is too small" + tag);
            case NO_MEMORY -> throw new OutOfMemoryError("native " + function + ": " + detail + ": no memory for its scratch space" + tag);
            case TOO_LARGE -> new FormatException(detail + tag);
        };
    }
}
