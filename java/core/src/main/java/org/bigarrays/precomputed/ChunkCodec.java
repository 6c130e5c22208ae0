package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.FormatException;
import org.bigarrays.codec.ArrayCodec;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;

/**
 * The scale's {@link CodecPipeline}, or why this build has none. An unsupported encoding fails
 * on the first chunk decoded or encoded, naming it, not when the layer is opened: the info,
 * bounds and keys of such a layer are still usable. Every decode and encode of the chunk layer
 * goes through here. Immutable, built once per scale.
 */
public final class ChunkCodec {
    private final CodecPipeline pipeline; // null when unsupported
    private final FormatException unsupported;
    private final boolean noTransport; // another format's codec: transport compression is never applied

    private ChunkCodec(CodecPipeline pipeline, FormatException unsupported, boolean noTransport) {
        this.pipeline = pipeline;
        this.unsupported = unsupported;
        this.noTransport = noTransport;
    }

    /**
     * The codec of another format driver's scale: {@code array} is its whole chunk encoding
     * (Zarr's codecs), with no transport compression around it, neither detected nor written.
     */
    public static ChunkCodec of(ArrayCodec array) {
        return new ChunkCodec(new CodecPipeline(org.bigarrays.codec.Encoding.RAW, array, null, false), null, true);
    }

    /** A codec that fails on the first chunk decoded or encoded, naming why ({@code unsupported}): the layer's metadata stays usable. */
    public static ChunkCodec unsupported(FormatException unsupported) {
        return new ChunkCodec(null, unsupported, true);
    }

    /** The codec of {@code scale} (sharded scales: no transport compression to detect). */
    public static ChunkCodec forScale(Info info, Scale scale) {
        try {
            return new ChunkCodec(ScaleCodecs.pipeline(info, scale), null, false);
        } catch (FormatException e) {
            return new ChunkCodec(null, e, false);
        }
    }

    /**
     * The scale's pipeline.
     * @throws FormatException if this build does not support the scale's encoding
     */
    public CodecPipeline pipeline() {
        if (pipeline == null) throw new FormatException(unsupported.getMessage(), unsupported);
        return pipeline;
    }

    private CodecPipeline pipelineFor(String key) {
        if (pipeline == null) throw new FormatException(unsupported.getMessage() + "; cannot decode or encode chunk '" + key + "'", unsupported);
        return pipeline;
    }

    /** See {@link CodecPipeline#decodeInPlace}. */
    public MemorySegment decodeInPlace(MemorySegment stored, ChunkLayout layout, String key) {
        return pipelineFor(key).decodeInPlace(stored, layout, key);
    }

    /** See {@link CodecPipeline#decode}. */
    public void decode(MemorySegment stored, ChunkLayout layout, MemorySegment into, String key) {
        pipelineFor(key).decode(stored, layout, into, key);
    }

    /** See {@link CodecPipeline#encode}; {@code key} names the chunk in an unsupported-encoding error. */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, String key) {
        return pipelineFor(key).encode(chunk, layout, noTransport ? Compression.NONE : transport);
    }

    /** {@link #encode(MemorySegment, ChunkLayout, Compression, String)} with zstd at {@code zstdLevel}. */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, int zstdLevel, String key) {
        return pipelineFor(key).encode(chunk, layout, noTransport ? Compression.NONE : transport, zstdLevel);
    }
}
