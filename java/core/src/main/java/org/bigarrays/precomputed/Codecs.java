package org.bigarrays.precomputed;

import org.bigarrays.codec.Codec;
import org.bigarrays.codec.CompressedRawCodec;
import org.bigarrays.codec.CompressedSegmentationCodec;
import org.bigarrays.codec.ImageCodec;
import org.bigarrays.codec.RawCodec;

import org.bigarrays.FormatException;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The codec registry: the info's {@code encoding} name → the {@link Codec} for a scale. */
public final class Codecs {
    private static final Logger LOG = LoggerFactory.getLogger(Codecs.class);

    private Codecs() {}

    /** The codec for {@code scale} of {@code info}. */
    public static Codec forScale(Info info, Scale scale) {
        return switch (scale.encoding()) {
            case "raw" -> RawCodec.INSTANCE;
            case "compressed_segmentation" -> new CompressedSegmentationCodec(
                    scale.blockSize() == null ? new long[] {8, 8, 8} : scale.blockSize());
            case "jpeg" -> ImageCodec.jpeg(scale.jpegQuality());
            case "png" -> ImageCodec.png(scale.pngLevel());
            case "gzip", "zstd", "blosclz" -> new CompressedRawCodec(scale.encoding(), info.dataType().size());
            default -> throw new FormatException("encoding '" + scale.encoding() + "' of scale '" + scale.key()
                    + "' is not supported by this build (supported: raw, compressed_segmentation, jpeg, png, gzip, zstd, blosclz)");
        };
    }

    /** Whether Neuroglancer can display chunks of {@code encoding}. */
    public static boolean neuroglancerReads(String encoding) {
        return switch (encoding) {
            case "raw", "compressed_segmentation", "jpeg", "png", "compresso", "jxl" -> true;
            default -> false;
        };
    }

    /** Log a warning (once per call) when a layer is being written in an encoding Neuroglancer cannot display. */
    public static void warnIfNotViewable(Scale scale) {
        if (!neuroglancerReads(scale.encoding())) {
            LOG.warn("scale '{}' uses encoding '{}' (a BigArrays.jl encoding): Neuroglancer cannot display this layer",
                    scale.key(), scale.encoding());
        }
    }
}
