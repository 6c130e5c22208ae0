package org.bigarrays;

/** A stored chunk could not be decoded; names the chunk key and what was wrong with it. */
public class CorruptChunkException extends FormatException {
    private final String key;

    public CorruptChunkException(String key, String detail) {
        this(key, detail, null);
    }

    public CorruptChunkException(String key, String detail, Throwable cause) {
        super("corrupt chunk '" + key + "': " + detail, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
