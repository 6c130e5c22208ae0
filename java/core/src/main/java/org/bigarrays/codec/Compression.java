package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.nativ.LibDeflate;

/**
 * Transport compression around a chunk's encoded bytes. On read it is detected by magic bytes
 * (CloudVolume stores gzip as {@code <key>.gz}, BigArrays.jl under the plain key); on write
 * it is chosen by the caller. gzip goes to {@code <key>.gz}; zstd and lz4 (frame format) are
 * written under the plain key, where the readers detect them by magic number.
 * Neuroglancer itself reads only gzip (as HTTP {@code Content-Encoding}).
 *
 * <p>gzip uses the system's libdeflate through FFM when it loads, else {@code java.util.zip}.
 */
public enum Compression {
    NONE(""),
    GZIP(".gz"),
    /** zstd frame (magic {@code 28 B5 2F FD}), via zstd-jni. */
    ZSTD(""),
    /** LZ4 frame (magic {@code 04 22 4D 18}), via lz4-java. */
    LZ4("");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The key suffix chunks compressed this way are written under ("" or ".gz"). */
    public String suffix() {
        return suffix;
    }

    /** Parse a CLI/option name: none, gzip, zstd, lz4. */
    public static Compression of(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "none", "raw", "" -> NONE;
            case "gzip", "gz" -> GZIP;
            case "zstd", "zst" -> ZSTD;
            case "lz4" -> LZ4;
            default -> throw new InvalidInputException("unknown compression '" + name + "': expected none, gzip, zstd or lz4");
        };
    }

    /** The compression the bytes start with, judged by magic number; NONE if none matches. */
    public static Compression detect(MemorySegment bytes) {
        long n = bytes.byteSize();
        if (n >= 2 && bytes.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x1f && bytes.get(ValueLayout.JAVA_BYTE, 1) == (byte) 0x8b) {
            return GZIP;
        }
        if (n >= 4) {
            int magic = bytes.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
            if (magic == 0xFD2FB528) return ZSTD;
            if (magic == 0x184D2204) return LZ4;
        }
        return NONE;
    }

    /** Whether gzip runs through the system's libdeflate (else java.util.zip). */
    public static boolean libdeflateLoaded() {
        return LibDeflate.available();
    }

    /** gunzip through {@code java.util.zip} even when libdeflate is loaded: the pure-Java twin, for comparisons. */
    public static long gunzipJava(MemorySegment bytes, MemorySegment into, String key) {
        return Gzip.decompress(bytes, into, key);
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
            case GZIP -> LibDeflate.available() ? LibDeflate.decompress(bytes, into, key) : Gzip.decompress(bytes, into, key);
            case ZSTD -> Zstd.decompress(bytes, into, key);
            case LZ4 -> Lz4Frame.decompress(bytes, into, key);
        };
    }

    /** Compress {@code bytes}. */
    public MemorySegment compress(MemorySegment bytes) {
        return switch (this) {
            case NONE -> bytes;
            case GZIP -> LibDeflate.available() ? LibDeflate.compress(bytes) : Gzip.compress(bytes, LibDeflate.LEVEL);
            case ZSTD -> Zstd.compress(bytes);
            case LZ4 -> Lz4Frame.compress(bytes);
        };
    }
}
