package org.bigarrays.codec;

import java.util.Locale;
import java.util.Optional;

/**
 * A chunk encoding: the precomputed {@code encoding} values this library reads and writes, and
 * BigArrays.jl's own whole-chunk compressions (the raw chunk gzip/zstd/blosc-compressed, stored
 * under the plain key), which Neuroglancer cannot display.
 */
public enum Encoding {
    RAW("raw"),
    JPEG("jpeg"),
    PNG("png"),
    /** JPEG XL through libjxl (no Java twin); Neuroglancer 2.41 reads it (the browser test draws it), 2.37.5 did not. */
    JXL("jxl"),
    COMPRESSED_SEGMENTATION("compressed_segmentation"),
    /** seung-lab's compresso (CloudVolume writes it for segmentation; Neuroglancer reads it). */
    COMPRESSO("compresso"),
    /** BigArrays.jl: the raw chunk, gzip-compressed. */
    GZIP("gzip"),
    /** BigArrays.jl: the raw chunk, zstd-compressed. */
    ZSTD("zstd"),
    /** BigArrays.jl: the raw chunk, blosc (blosclz, byte shuffle) compressed. */
    BLOSCLZ("blosclz");

    private final String jsonName;

    Encoding(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name in the info's {@code encoding} field. */
    public String jsonName() {
        return jsonName;
    }

    /** Whether this is a BigArrays.jl encoding: a raw chunk compressed whole by a bytes codec. */
    public boolean isCompressedRaw() {
        return this == GZIP || this == ZSTD || this == BLOSCLZ;
    }

    /** Whether Neuroglancer can display chunks of this encoding. */
    public boolean neuroglancerReads() {
        return !isCompressedRaw();
    }

    /** The encoding of a JSON name (case-insensitive), if this build knows it. */
    public static Optional<Encoding> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Encoding e : values()) if (e.jsonName.equals(n)) return Optional.of(e);
        return Optional.empty();
    }

    /** The JSON names of all encodings, for messages. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (Encoding e : values()) b.append(b.isEmpty() ? "" : ", ").append(e.jsonName);
        return b.toString();
    }

    @Override
    public String toString() {
        return jsonName;
    }
}
