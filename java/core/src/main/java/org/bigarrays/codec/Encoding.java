package org.bigarrays.codec;

import java.util.Locale;
import java.util.Optional;
import org.bigarrays.core.DataType;

/**
 * A chunk encoding: the precomputed {@code encoding} values this library reads and writes, and
 * BigArrays.jl's own whole-chunk compressions (the raw chunk gzip/zstd/blosc-compressed, stored
 * under the plain key), which Neuroglancer cannot display. A closed set: {@link #pipeline} is the
 * one place an encoding becomes stages.
 */
public enum Encoding {
    RAW("raw", true),
    JPEG("jpeg", true),
    PNG("png", true),
    /** JPEG XL through libjxl (no Java twin); Neuroglancer 2.41 reads it (the browser test draws it), 2.37.5 did not. */
    JXL("jxl", true),
    COMPRESSED_SEGMENTATION("compressed_segmentation", true),
    /** seung-lab's compresso (CloudVolume writes it for segmentation; Neuroglancer reads it). */
    COMPRESSO("compresso", true),
    /** BigArrays.jl: the raw chunk, gzip-compressed. */
    GZIP("gzip", false),
    /** BigArrays.jl: the raw chunk, zstd-compressed. */
    ZSTD("zstd", false),
    /** BigArrays.jl: the raw chunk, blosc (blosclz, byte shuffle) compressed. */
    BLOSCLZ("blosclz", false);

    private final String jsonName;
    private final boolean neuroglancerReads;

    Encoding(String jsonName, boolean neuroglancerReads) {
        this.jsonName = jsonName;
        this.neuroglancerReads = neuroglancerReads;
    }

    /** The name in the info's {@code encoding} field. */
    public String jsonName() {
        return jsonName;
    }

    /** Whether Neuroglancer can display chunks of this encoding. */
    public boolean neuroglancerReads() {
        return neuroglancerReads;
    }

    /** {@link #pipeline(DataType, long[], Integer, Integer, Integer, Integer)} with every parameter at its default. */
    public CodecPipeline pipeline(DataType type) {
        return pipeline(type, null, null, null, null, null);
    }

    /**
     * The stages of this encoding, without transport detection (a format that allows it adds it:
     * {@link CodecPipeline#withTransportDetection}). Parameters of other encodings are ignored.
     * @param type the data type (blosc shuffles by its size)
     * @param blockSize compressed_segmentation block [x, y, z] (null: 8,8,8)
     * @param jpegQuality 1..100 (null: 85)
     * @param pngLevel 0..9 (null: 6)
     * @param jxlQuality 0..100, 100 lossless (null: 100)
     * @param jxlEffort 1..9 (null: {@link JxlCodec#DEFAULT_EFFORT})
     * @throws org.bigarrays.InvalidInputException when a parameter is out of its range
     */
    public CodecPipeline pipeline(DataType type, long[] blockSize, Integer jpegQuality, Integer pngLevel, Integer jxlQuality, Integer jxlEffort) {
        return switch (this) {
            case RAW -> CodecPipeline.of(RawCodec.INSTANCE);
            case JPEG -> CodecPipeline.of(JpegCodec.of(jpegQuality));
            case PNG -> CodecPipeline.of(PngCodec.of(pngLevel));
            case JXL -> CodecPipeline.of(JxlCodec.of(jxlQuality, jxlEffort));
            case COMPRESSED_SEGMENTATION -> CodecPipeline.of(new CompressedSegmentationCodec(blockSize == null ? new long[] {8, 8, 8} : blockSize));
            case COMPRESSO -> CodecPipeline.of(CompressoCodec.INSTANCE);
            case GZIP -> CodecPipeline.of(RawCodec.INSTANCE, GzipCodec.DEFAULT);
            case ZSTD -> CodecPipeline.of(RawCodec.INSTANCE, ZstdCodec.INSTANCE);
            case BLOSCLZ -> CodecPipeline.of(RawCodec.INSTANCE, new BloscCodec(type.size()));
        };
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
