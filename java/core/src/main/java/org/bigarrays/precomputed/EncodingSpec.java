package org.bigarrays.precomputed;

import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;

/**
 * A chunk encoding as a user asks for it (CLI {@code --encoding}, {@code --block},
 * {@code --jpeg-quality}, {@code --png-level}), checked against a layer's data type and channel
 * count, and applied to an {@link Info}. Transport compression ({@code --compress}) is separate:
 * {@link Compression#of} and {@code Options.withCompression}.
 *
 * @param encoding the encoding
 * @param blockSize compressed_segmentation block [x, y, z] (8,8,8 when not given)
 * @param jpegQuality 1..100, null for the default (85)
 * @param pngLevel 0..9, null for the default (6)
 * @param jxlQuality 0..100 (100 lossless), null for the default (lossless; written as 100 so
 *     that CloudVolume, whose default is 85, writes the layer lossless too)
 */
public record EncodingSpec(Encoding encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel, Integer jxlQuality) {
    public EncodingSpec {
        if (blockSize != null && encoding != Encoding.COMPRESSED_SEGMENTATION) {
            throw new InvalidInputException("a block size applies to compressed_segmentation only, not " + encoding);
        }
        if (jpegQuality != null && encoding != Encoding.JPEG) throw new InvalidInputException("a jpeg quality applies to jpeg only, not " + encoding);
        if (pngLevel != null && encoding != Encoding.PNG) throw new InvalidInputException("a png level applies to png only, not " + encoding);
        if (jxlQuality != null && encoding != Encoding.JXL) throw new InvalidInputException("a jxl quality applies to jxl only, not " + encoding);
        if (encoding == Encoding.JXL && jxlQuality == null) jxlQuality = 100;
        if (encoding == Encoding.COMPRESSED_SEGMENTATION && blockSize == null) blockSize = new long[] {8, 8, 8};
        if (blockSize != null) {
            if (blockSize.length != 3) throw new InvalidInputException("block size: expected 3 values x,y,z, found " + blockSize.length);
            for (long b : blockSize) if (b < 1 || b > 1024) throw new InvalidInputException("block size values must be 1..1024, found " + b);
            blockSize = blockSize.clone();
        }
        pipeline(encoding, DataType.UINT8, blockSize, jpegQuality, pngLevel, jxlQuality); // checks jpeg/jxl quality and png level
    }

    /** Without a jxl quality. */
    public EncodingSpec(Encoding encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel) {
        this(encoding, blockSize, jpegQuality, pngLevel, null);
    }

    /** An encoding by its JSON name (case-insensitive) with parameters. */
    public EncodingSpec(String encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel, Integer jxlQuality) {
        this(parse(encoding), blockSize, jpegQuality, pngLevel, jxlQuality);
    }

    /** An encoding by its JSON name (case-insensitive) with parameters, without a jxl quality. */
    public EncodingSpec(String encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel) {
        this(parse(encoding), blockSize, jpegQuality, pngLevel, null);
    }

    /** Just an encoding name, with defaults. */
    public static EncodingSpec of(String encoding) {
        return new EncodingSpec(encoding, null, null, null);
    }

    private static Encoding parse(String name) {
        return Encoding.find(name).orElseThrow(() -> new InvalidInputException("unknown encoding '" + name
                + "': expected raw, compressed_segmentation, compresso, jpeg, png, jxl (or BigArrays.jl's gzip, zstd, blosclz)"));
    }

    private static CodecPipeline pipeline(Encoding encoding, DataType type, long[] blockSize, Integer jpegQuality, Integer pngLevel, Integer jxlQuality) {
        return encoding.pipeline(type, blockSize, jpegQuality, pngLevel, jxlQuality, null);
    }

    /** Refuse data types / channel counts the encoding cannot store. */
    public void check(DataType type, int channels) {
        pipeline(encoding, type, blockSize, jpegQuality, pngLevel, jxlQuality).arrayCodec().check(new ChunkLayout(new long[] {1, 1, 1}, channels, type));
    }

    /** {@code info} with every scale in this encoding (other scale fields kept). */
    public Info applyTo(Info info) {
        check(info.dataType(), info.numChannels());
        List<Scale> scales = new ArrayList<>();
        for (Scale s : info.scales()) {
            scales.add(s.withEncoding(encoding.jsonName(), blockSize).withJpegQuality(jpegQuality).withPngLevel(pngLevel).withJxlQuality(jxlQuality));
        }
        return info.withScales(scales);
    }
}
