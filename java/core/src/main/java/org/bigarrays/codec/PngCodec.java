package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.Spng;

/**
 * {@code png} chunks: uint8 or uint16, 1–4 channels (gray, gray+alpha, RGB, RGBA), lossless,
 * {@code png_level} 0–9 (default 6); one image {@code x} wide and {@code y·z} high (see
 * {@link ImagePlanes}), through libbigarrays when it loads ({@link Spng}: libspng writes; a
 * non-interlaced image is read by inflating its IDATs at once with libdeflate and unfiltering the
 * rows into the chunk, whose pure-Java twin is {@link PngRows}; libspng reads the rest), else the
 * JDK's ImageIO ({@link #javaOnly()}, the twin of the whole codec). The chunks are walked first ({@link PngHeader}): an image of another size, bad CRCs or
 * bytes after IEND are refused before anything is inflated, so a small file declaring a huge image
 * costs no memory (libspng checks the header against the chunk again, in C).
 */
public final class PngCodec implements ArrayCodec {
    private final int level;
    private final boolean useSpng;

    private PngCodec(int level, boolean useSpng) {
        this.level = level;
        this.useSpng = useSpng;
    }

    /** A png codec of deflate level 0–9 (null: 6). */
    public static PngCodec of(Integer level) {
        int l = level == null ? 6 : level;
        if (l < 0 || l > 9) throw new InvalidInputException("png_level " + l + " is out of range 0..9");
        return new PngCodec(l, Spng.available());
    }

    /** The same codec on the pure-Java path (ImageIO): the twin, also used when libspng is absent. */
    public PngCodec javaOnly() {
        return new PngCodec(level, false);
    }

    /** Whether this instance runs through libspng (else ImageIO). */
    public boolean usesSpng() {
        return useSpng;
    }

    public int level() {
        return level;
    }

    @Override
    public String name() {
        return "png";
    }

    @Override
    public void check(ChunkLayout layout) {
        DataType t = layout.dataType();
        int c = layout.channels();
        if ((t != DataType.UINT8 && t != DataType.UINT16) || c < 1 || c > 4) {
            throw new InvalidInputException("png stores uint8 or uint16 with 1 to 4 channels, not " + t + " with " + c);
        }
        if (layout.voxels() > Integer.MAX_VALUE / 4) throw new InvalidInputException("chunk " + layout + " is too large for one png image");
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        // Stored deflate blocks, a filter byte per row and chunk framing stay well under this.
        return 2 * layout.byteSize() + (1 << 16);
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        check(layout);
        int w = ImagePlanes.width(layout), h = ImagePlanes.height(layout), c = layout.channels(), depth = 8 * layout.dataType().size();
        PngHeader.scan(encoded, key).expect(w, h, c, depth, key);
        MemorySegment out = into.asSlice(0, layout.byteSize());
        if (useSpng) {
            Spng.decode(encoded, w, h, c, depth, true, out, key); // the scan checked every CRC
        } else {
            ImagePlanes.read("png", encoded, layout, out, key);
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        check(layout);
        if (useSpng) {
            return Spng.encode(chunk.asSlice(0, layout.byteSize()), ImagePlanes.width(layout), ImagePlanes.height(layout), layout.channels(),
                    8 * layout.dataType().size(), level, maxEncodedSize(layout));
        }
        // The JDK writer maps quality q to deflate level 9 - round(9q).
        return ImagePlanes.write("png", chunk, layout, (9 - level) / 9f);
    }

    @Override
    public String toString() {
        return "png level " + level + (!useSpng ? " (ImageIO)" : Spng.wholeAvailable() ? " (libspng, reads inflated by libdeflate)" : " (libspng)");
    }
}
