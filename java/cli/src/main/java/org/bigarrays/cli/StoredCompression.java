package org.bigarrays.cli;

import org.bigarrays.array.BigArray;
import org.bigarrays.codec.Compression;

/**
 * The transport compression of a scale's chunks in words for {@code info}, with "nothing stored"
 * told apart from "none" ({@link BigArray#storedCompression} reads it as
 * {@link org.bigarrays.array.Pyramid#mip0Compression} does); {@code transcode} falls back to none.
 */
final class StoredCompression {
    private StoredCompression() {}

    /** The compression of one stored chunk of {@code scale}, or null when none of the probed cells is stored. */
    static Compression detect(BigArray scale) {
        return scale.storedCompression();
    }

    /** {@link #detect} in words: none, gzip, zstd, lz4, "gzip (the sharding's data_encoding)" or "unknown (no chunk stored ...)". */
    static String describe(BigArray scale) {
        Compression c = detect(scale);
        if (c == null) return "unknown (none of the first 64 chunks is stored)";
        String name = c.toString().toLowerCase(java.util.Locale.ROOT);
        return scale.sharding() != null ? name + " (the sharding's data_encoding)" : name;
    }
}
