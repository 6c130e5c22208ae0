package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;

/**
 * Transport compression around a chunk's encoded bytes. On read it is detected by magic bytes
 * (CloudVolume stores gzip as {@code <key>.gz}, BigArrays.jl under the plain key); on write
 * it is chosen by the caller, and gzip goes to {@code <key>.gz}.
 */
public enum Compression {
    NONE(""),
    GZIP(".gz");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The key suffix chunks compressed this way are written under ("" or ".gz"). */
    public String suffix() {
        return suffix;
    }

    /** Parse a CLI/option name: gzip, none. */
    public static Compression of(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "none", "raw", "" -> NONE;
            case "gzip", "gz" -> GZIP;
            default -> throw new InvalidInputException("unknown compression '" + name + "': expected none or gzip");
        };
    }

    /** The compression the bytes start with, judged by magic number; NONE if none matches. */
    public static Compression detect(MemorySegment bytes) {
        if (bytes.byteSize() >= 2 && bytes.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x1f
                && bytes.get(ValueLayout.JAVA_BYTE, 1) == (byte) 0x8b) {
            return GZIP;
        }
        return NONE;
    }

    /**
     * Decompress {@code bytes} into {@code into}; returns the number of bytes produced, at most
     * {@code into.byteSize()}.
     * @throws CorruptChunkException naming {@code key} on malformed input or output overflow
     */
    public long decompress(MemorySegment bytes, MemorySegment into, String key) {
        return switch (this) {
            case NONE -> {
                if (bytes.byteSize() > into.byteSize()) throw new CorruptChunkException(key, "larger than the chunk: " + bytes.byteSize() + " bytes");
                MemorySegment.copy(bytes, 0, into, 0, bytes.byteSize());
                yield bytes.byteSize();
            }
            case GZIP -> Gzip.decompress(bytes, into, key);
        };
    }

    /** Compress {@code bytes}. */
    public MemorySegment compress(MemorySegment bytes) {
        return switch (this) {
            case NONE -> bytes;
            case GZIP -> Gzip.compress(bytes, 6);
        };
    }
}
