package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import org.bigarrays.FormatException;
import org.bigarrays.codec.ArrayCodec;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.sharding.ShardingSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec of a scale's chunks: the scale's {@code encoding} and parameters as a
 * {@link CodecPipeline} (with transport detection where the format allows it: unsharded chunks
 * not compressed whole; a shard's {@code data_encoding} is undone by the shard store), or why
 * this build has none. An unsupported encoding fails on the first chunk decoded or encoded,
 * naming it, not when the layer is opened: the info, bounds and keys of such a layer are still
 * usable. Every decode and encode of the chunk layer goes through here. Immutable, built once per
 * scale.
 */
public final class ChunkCodec {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(ChunkCodec.class);
    }

    private final CodecPipeline pipeline; // null when unsupported
    private final FormatException unsupported;
    private final boolean storesPlain;

    private ChunkCodec(CodecPipeline pipeline, FormatException unsupported, boolean storesPlain) {
        this.pipeline = pipeline;
        this.unsupported = unsupported;
        this.storesPlain = storesPlain;
    }

    /**
     * The codec of another format driver's scale: {@code array} is its whole chunk encoding
     * (Zarr's codecs), a pipeline of that one stage: no transport compression around it, neither
     * detected nor written.
     */
    public static ChunkCodec of(ArrayCodec array) {
        CodecPipeline p = CodecPipeline.of(array);
        return new ChunkCodec(p, null, p.storesPlain());
    }

    /** A codec that fails on the first chunk decoded or encoded, naming why ({@code unsupported}): the layer's metadata stays usable. */
    public static ChunkCodec unsupported(FormatException unsupported) {
        return new ChunkCodec(null, unsupported, false);
    }

    /**
     * The codec of {@code scale} of {@code info}.
     * @throws FormatException when the scale's {@code sharding} is malformed (an unsupported
     *     encoding is not thrown here but on the first chunk)
     */
    public static ChunkCodec forScale(Info info, Scale scale) {
        boolean plainShards = !scale.isSharded()
                || ShardingSpec.parse(scale.sharding().toString(), "scale '" + scale.key() + "' sharding").dataEncoding() == Compression.NONE;
        try {
            // Parameters of other encodings (jxl_* keys of a raw scale, say) are ignored, as CloudVolume does.
            CodecPipeline p = encoding(scale).pipeline(info.dataType(), scale.blockSize(), scale.jpegQuality(), scale.pngLevel(),
                    scale.jxlQuality(), scale.jxlEffort());
            // Unsharded chunks may carry transport compression, except BigArrays.jl's, compressed whole already.
            if (!scale.isSharded() && p.bytesCodecs().isEmpty()) p = p.withTransportDetection();
            return new ChunkCodec(p, null, p.storesPlain() && plainShards);
        } catch (FormatException e) {
            return new ChunkCodec(null, e, false);
        }
    }

    /**
     * The scale's encoding.
     * @throws FormatException if this build does not support it
     */
    public static Encoding encoding(Scale scale) {
        return Encoding.find(scale.encoding()).orElseThrow(() -> new FormatException("encoding '" + scale.encoding() + "' of scale '" + scale.key()
                + "' is not supported by this build (supported: " + Encoding.names() + ")"));
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

    /**
     * Whether the scale's chunks are stored as the chunk arrays themselves, so that reading one
     * costs a copy, not a decode: raw, with no whole-chunk compression and no shard
     * {@code data_encoding}. Unsharded, a value may still carry transport compression: each
     * one's verdict is {@link #decodeInPlace}'s.
     */
    public boolean storesPlain() {
        return storesPlain;
    }

    /** See {@link CodecPipeline#storedAsChunk}; false for an unsupported encoding. */
    public boolean storedAsChunk(MemorySegment head) {
        return pipeline != null && pipeline.storedAsChunk(head);
    }

    /** See {@link CodecPipeline#decodeInPlace}. */
    public MemorySegment decodeInPlace(MemorySegment stored, ChunkLayout layout, String key) {
        return pipelineFor(key).decodeInPlace(stored, layout, key);
    }

    /** See {@link CodecPipeline#decode}. */
    public void decode(MemorySegment stored, ChunkLayout layout, MemorySegment into, String key) {
        pipelineFor(key).decode(stored, layout, into, key);
    }

    /** Whether chunks can be decoded by part straight into a cutout: see {@link CodecPipeline#decodesBoxes}. */
    public boolean decodesBoxes() {
        return pipeline != null && pipeline.decodesBoxes();
    }

    /** See {@link CodecPipeline#decodeBox}. */
    public void decodeBox(MemorySegment stored, ChunkLayout layout, long[] boxMin, long[] boxShape, MemorySegment dst, long dstOffset,
                          long[] dstStrides, String key) {
        pipelineFor(key).decodeBox(stored, layout, boxMin, boxShape, dst, dstOffset, dstStrides, key);
    }

    /**
     * See {@link CodecPipeline#encode}: {@code transport} applies where the pipeline detects it
     * (unsharded precomputed chunks; never another format's); {@code key} names the chunk in an
     * unsupported-encoding error.
     */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, String key) {
        return encode(chunk, layout, transport, ZstdCodec.LEVEL, key);
    }

    /** {@link #encode(MemorySegment, ChunkLayout, Compression, String)} with zstd at {@code zstdLevel}. */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, int zstdLevel, String key) {
        return pipelineFor(key).encode(chunk, layout, transport, zstdLevel);
    }

    /** Whether Neuroglancer can display chunks of {@code encoding} (also those this build cannot read). */
    public static boolean neuroglancerReads(String encoding) {
        return Encoding.find(encoding).map(Encoding::neuroglancerReads).orElse(encoding.equals("compresso") || encoding.equals("jxl"));
    }

    /** Log a warning (once per call) when a layer is being written in an encoding Neuroglancer cannot display. */
    public static void warnIfNotViewable(Scale scale) {
        if (!neuroglancerReads(scale.encoding())) {
            Log.LOG.warn("scale '{}' uses encoding '{}' (a BigArrays.jl encoding): Neuroglancer cannot display this layer",
                    scale.key(), scale.encoding());
        }
    }
}
