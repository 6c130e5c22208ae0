package org.bigarrays.precomputed;

import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ImageCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/**
 * A chunk encoding as a user asks for it (CLI {@code --encoding}, {@code --block},
 * {@code --jpeg-quality}, {@code --png-level}), checked against a layer's data type and channel
 * count, and applied to an {@link Info}. Transport compression ({@code --compress}) is separate:
 * {@link Compression#of} and {@code Options.withCompression}.
 *
 * @param encoding raw, compressed_segmentation, jpeg, png, or BigArrays.jl's gzip, zstd, blosclz
 * @param blockSize compressed_segmentation block [x, y, z], null for the default 8,8,8
 * @param jpegQuality 1..100, null for the default (85)
 * @param pngLevel 0..9, null for the default (6)
 */
public record EncodingSpec(String encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel) {
    public EncodingSpec {
        encoding = encoding.toLowerCase(Locale.ROOT);
        if (!List.of("raw", "compressed_segmentation", "jpeg", "png", "gzip", "zstd", "blosclz").contains(encoding)) {
            throw new InvalidInputException("unknown encoding '" + encoding
                    + "': expected raw, compressed_segmentation, jpeg, png (or BigArrays.jl's gzip, zstd, blosclz)");
        }
        if (blockSize != null && !encoding.equals("compressed_segmentation")) {
            throw new InvalidInputException("a block size applies to compressed_segmentation only, not " + encoding);
        }
        if (jpegQuality != null && !encoding.equals("jpeg")) throw new InvalidInputException("a jpeg quality applies to jpeg only, not " + encoding);
        if (pngLevel != null && !encoding.equals("png")) throw new InvalidInputException("a png level applies to png only, not " + encoding);
        if (encoding.equals("compressed_segmentation") && blockSize == null) blockSize = new long[] {8, 8, 8};
        if (blockSize != null) {
            if (blockSize.length != 3) throw new InvalidInputException("block size: expected 3 values x,y,z, found " + blockSize.length);
            for (long b : blockSize) if (b < 1 || b > 1024) throw new InvalidInputException("block size values must be 1..1024, found " + b);
            blockSize = blockSize.clone();
        }
        if (encoding.equals("jpeg")) ImageCodec.jpeg(jpegQuality);
        if (encoding.equals("png")) ImageCodec.png(pngLevel);
    }

    /** Just an encoding name, with defaults. */
    public static EncodingSpec of(String encoding) {
        return new EncodingSpec(encoding, null, null, null);
    }

    /** Refuse data types / channel counts the encoding cannot store. */
    public void check(DataType type, int channels) {
        switch (encoding) {
            case "compressed_segmentation" -> {
                if (type != DataType.UINT32 && type != DataType.UINT64) {
                    throw new InvalidInputException("compressed_segmentation stores uint32 or uint64, not " + type);
                }
            }
            case "jpeg" -> ImageCodec.jpeg(jpegQuality).check(new ChunkLayout(new long[] {1, 1, 1}, channels, type));
            case "png" -> ImageCodec.png(pngLevel).check(new ChunkLayout(new long[] {1, 1, 1}, channels, type));
            default -> { }
        }
    }

    /** {@code info} with every scale in this encoding (other scale fields kept). */
    public Info applyTo(Info info) {
        check(info.dataType(), info.numChannels());
        List<Scale> scales = new ArrayList<>();
        for (Scale s : info.scales()) {
            scales.add(s.withEncoding(encoding, blockSize).withJpegQuality(jpegQuality).withPngLevel(pngLevel));
        }
        return info.withScales(scales);
    }
}
