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
            case "raw" -> RawCodec.INSTANCE;
            default -> throw new FormatException("encoding '" + scale.encoding() + "' of scale '" + scale.key()
                    + "' is not supported by this build (supported: raw)");
        };
    }
}
