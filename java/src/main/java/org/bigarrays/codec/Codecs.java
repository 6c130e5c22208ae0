package org.bigarrays.codec;

import org.bigarrays.FormatException;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/** The codec registry: the info's {@code encoding} name → the {@link Codec} for a scale. */
public final class Codecs {
    private Codecs() {}

    /** The codec for {@code scale} of {@code info}. */
    public static Codec forScale(Info info, Scale scale) {
        return switch (scale.encoding()) {
            // BigArrays.jl writes "gzip" for raw chunks stored gzip-compressed (detected by magic on read).
            case "raw", "gzip" -> RawCodec.INSTANCE;
            default -> throw new FormatException("encoding '" + scale.encoding() + "' of scale '" + scale.key()
                    + "' is not supported by this build (supported: raw)");
        };
    }
}
