package org.bigarrays.precomputed;

import org.bigarrays.FormatException;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Encoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The codec pipeline of a scale, from the info's {@code encoding} and its parameters. */
public final class ScaleCodecs {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleCodecs.class);

    private ScaleCodecs() {}

    /**
     * The pipeline for {@code scale} of {@code info}. Sharded scales take no transport compression
     * from the stored value: the shard's {@code data_encoding} was already undone by the shard store.
     * @throws FormatException if this build does not support the scale's encoding
     */
    public static CodecPipeline pipeline(Info info, Scale scale) {
        Encoding e = encoding(scale);
        boolean jxl = e == Encoding.JXL; // jxl_* keys of another encoding's scale are left alone, as CloudVolume does
        return CodecPipeline.of(e, info.dataType(), scale.blockSize(), scale.jpegQuality(), scale.pngLevel(),
                jxl ? scale.jxlQuality() : null, jxl ? scale.jxlEffort() : null, !scale.isSharded());
    }

    /**
     * The scale's encoding.
     * @throws FormatException if this build does not support it
     */
    public static Encoding encoding(Scale scale) {
        return Encoding.find(scale.encoding()).orElseThrow(() -> new FormatException("encoding '" + scale.encoding() + "' of scale '" + scale.key()
                + "' is not supported by this build (supported: " + Encoding.names() + ")"));
    }

    /** Whether Neuroglancer can display chunks of {@code encoding} (also those this build cannot read). */
    public static boolean neuroglancerReads(String encoding) {
        return Encoding.find(encoding).map(Encoding::neuroglancerReads).orElse(encoding.equals("compresso") || encoding.equals("jxl"));
    }

    /** Log a warning (once per call) when a layer is being written in an encoding Neuroglancer cannot display. */
    public static void warnIfNotViewable(Scale scale) {
        if (!neuroglancerReads(scale.encoding())) {
            LOG.warn("scale '{}' uses encoding '{}' (a BigArrays.jl encoding): Neuroglancer cannot display this layer",
                    scale.key(), scale.encoding());
        }
    }
}
