package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.bigarrays.nativ.Spng;
import org.junit.jupiter.api.Test;

/**
 * The png codec's two paths, libspng (in libbigarrays) and ImageIO (its twin), voxel for voxel:
 * each decodes what the other encodes, for uint8/uint16 and 1–4 channels, noise and smooth data,
 * plain and interlaced (Adam7) images; and both refuse a damaged png, or one of another size,
 * channel count or depth, with a {@link CorruptChunkException} naming the chunk. The C decoder is
 * also called without the Java header scan, so its own checks are what stands between bad bytes
 * and memory.
 */
class PngTwinsTest {
    private static final String KEY = "1/64-128_0-64_0-64";

    /** The libspng path is the default where libbigarrays and libspng are installed (as here); the twin is the fallback. */
    @Test
    void libspngIsTheDefaultPathWhereItIsInstalled() {
        assertEquals(Spng.available(), PngCodec.of(6).usesSpng());
        assertFalse(PngCodec.of(6).javaOnly().usesSpng());
        boolean switchedOff = System.getProperty("bigarrays.native.libspng") != null || System.getenv("BIGARRAYS_NATIVE_LIBSPNG") != null;
        if (NativeLibrary.BIGARRAYS.isLoaded() && !switchedOff) assertTrue(Spng.available(), "libspng0 is a dependency of this build: " + Spng.status());
        if (!NativeLibrary.BIGARRAYS.isLoaded()) assertFalse(Spng.available(), Spng.status());
    }

    private static MemorySegment data(ChunkLayout l, long seed, boolean noise) {
        Random r = new Random(seed);
        byte[] b = new byte[(int) l.byteSize()];
        if (noise) {
            r.nextBytes(b);
        } else {
            for (int i = 0; i < b.length; i++) b[i] = (byte) ((i / 5 + (i >> 8)) ^ (r.nextInt(4)));
        }
        return MemorySegment.ofArray(b);
    }

    private static MemorySegment decode(PngCodec codec, MemorySegment png, ChunkLayout l) {
        MemorySegment out = Arena.ofAuto().allocate(l.byteSize() + 8); // off-heap, larger than the chunk: nothing past it changes
        out.fill((byte) 0x5A);
        codec.decode(png, l, out, KEY);
        for (long i = l.byteSize(); i < out.byteSize(); i++) assertEquals(0x5A, out.get(ValueLayout.JAVA_BYTE, i), "byte past the chunk");
        return out.asSlice(0, l.byteSize());
    }

    @Test
    void eachPathDecodesWhatTheOtherEncodes() {
        PngCodec spng = PngCodec.of(6), imageIo = spng.javaOnly();
        for (DataType t : new DataType[] {DataType.UINT8, DataType.UINT16}) {
            for (int c = 1; c <= 4; c++) {
                for (long[] shape : new long[][] {{64, 16, 3}, {7, 5, 3}, {1, 1, 1}}) {
                    for (boolean noise : new boolean[] {false, true}) {
                        ChunkLayout l = new ChunkLayout(shape, c, t);
                        MemorySegment chunk = data(l, c * 31L + shape[0], noise);
                        String what = t + " x" + c + " " + java.util.Arrays.toString(shape) + (noise ? " noise" : " smooth");
                        MemorySegment bySpng = spng.encode(chunk, l), byJava = imageIo.encode(chunk, l);
                        for (PngCodec reader : new PngCodec[] {spng, imageIo}) {
                            assertEquals(-1, chunk.mismatch(decode(reader, bySpng, l)), reader + " reading libspng's png, " + what);
                            assertEquals(-1, chunk.mismatch(decode(reader, byJava, l)), reader + " reading ImageIO's png, " + what);
                        }
                    }
                }
            }
        }
    }

    /** Off-heap chunks and pngs (the calls that are not critical, see LibBigArrays.Png), every level. */
    @Test
    void levelsZeroToNineAllRoundTripAndHigherLevelsAreNotLarger() {
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 4}, 1, DataType.UINT8);
        MemorySegment chunk = Arena.ofAuto().allocate(l.byteSize()).copyFrom(data(l, 7, false));
        long level1 = 0;
        for (int level = 0; level <= 9; level++) {
            MemorySegment png = Arena.ofAuto().allocate(PngCodec.of(level).encode(chunk, l).byteSize());
            png.copyFrom(PngCodec.of(level).encode(chunk, l));
            assertEquals(-1, chunk.mismatch(decode(PngCodec.of(6).javaOnly(), png, l)), "level " + level);
            assertEquals(-1, chunk.mismatch(decode(PngCodec.of(6), png, l)), "level " + level);
            if (level == 0) assertTrue(png.byteSize() > l.byteSize(), "level 0 stores: " + png.byteSize());
            if (level == 1) level1 = png.byteSize();
            if (level == 9) assertTrue(png.byteSize() <= level1, "level 9 " + png.byteSize() + " vs level 1 " + level1);
        }
    }

    /** ImageIO writes Adam7-interlaced pngs in its progressive mode: the libspng path reads them too. */
    @Test
    void interlacedImagesDecodeOnBothPaths() throws Exception {
        for (DataType t : new DataType[] {DataType.UINT8, DataType.UINT16}) {
            for (int c = 1; c <= 4; c++) {
                ChunkLayout l = new ChunkLayout(new long[] {13, 9, 2}, c, t);
                MemorySegment chunk = data(l, c, true);
                MemorySegment png = interlaced(chunk, l);
                assertEquals(1, png.get(ValueLayout.JAVA_BYTE, 28), "interlace method in IHDR");
                assertEquals(-1, chunk.mismatch(decode(PngCodec.of(6), png, l)), "libspng path, " + t + " x" + c);
                assertEquals(-1, chunk.mismatch(decode(PngCodec.of(6).javaOnly(), png, l)), "ImageIO, " + t + " x" + c);
            }
        }
    }

    @Test
    void aPngOfAnotherSizeChannelCountOrDepthIsACorruptChunkOnBothPaths() {
        ChunkLayout l = new ChunkLayout(new long[] {16, 8, 2}, 1, DataType.UINT8);
        MemorySegment png = PngCodec.of(6).encode(data(l, 1, false), l);
        ChunkLayout[] others = {
            new ChunkLayout(new long[] {17, 8, 2}, 1, DataType.UINT8),
            new ChunkLayout(new long[] {16, 8, 3}, 1, DataType.UINT8),
            new ChunkLayout(new long[] {16, 8, 2}, 3, DataType.UINT8),
            new ChunkLayout(new long[] {16, 8, 2}, 1, DataType.UINT16)};
        for (PngCodec codec : new PngCodec[] {PngCodec.of(6), PngCodec.of(6).javaOnly()}) {
            for (ChunkLayout other : others) {
                MemorySegment out = MemorySegment.ofArray(new byte[(int) other.byteSize()]);
                CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> codec.decode(png, other, out, KEY), codec + " " + other);
                assertTrue(e.getMessage().contains(KEY), e.getMessage());
            }
        }
    }

    @Test
    void truncatedOrDamagedPngsAreCorruptChunksOnBothPaths() {
        ChunkLayout l = new ChunkLayout(new long[] {32, 8, 2}, 3, DataType.UINT16);
        MemorySegment chunk = data(l, 3, false);
        byte[] png = PngCodec.of(6).encode(chunk, l).toArray(ValueLayout.JAVA_BYTE);
        Random r = new Random(11);
        for (PngCodec codec : new PngCodec[] {PngCodec.of(6), PngCodec.of(6).javaOnly()}) {
            for (int n = 0; n < png.length; n += 1 + n / 16) {
                MemorySegment cut = MemorySegment.ofArray(java.util.Arrays.copyOf(png, n));
                CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> decode(codec, cut, l), codec + " cut at " + n);
                assertTrue(e.getMessage().contains(KEY), e.getMessage());
            }
            for (int t = 0; t < 200; t++) {
                byte[] bad = png.clone();
                bad[33 + r.nextInt(bad.length - 33)] ^= (byte) (1 + r.nextInt(255)); // past the IHDR: the CRCs catch it
                assertThrows(CorruptChunkException.class, () -> decode(codec, MemorySegment.ofArray(bad), l), codec + " damaged");
            }
        }
    }

    /**
     * Damage that keeps the CRCs right (they are skipped here, as the codec does after its scan):
     * the C decoder alone either decodes some image or says the data is corrupt, naming the key;
     * it never writes past the chunk.
     */
    @Test
    void theCDecoderChecksItsInputWithoutTheJavaScan() {
        if (!Spng.available()) return; // the ImageIO path has no C decoder to test (asserted available above where installed)
        ChunkLayout l = new ChunkLayout(new long[] {32, 8, 2}, 2, DataType.UINT8);
        byte[] png = PngCodec.of(6).encode(data(l, 5, true), l).toArray(ValueLayout.JAVA_BYTE);
        Random r = new Random(13);
        int w = 32, h = 16;
        int corrupt = 0;
        for (int t = 0; t < 500; t++) {
            byte[] bad = png.clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) bad[8 + r.nextInt(bad.length - 8)] ^= (byte) (1 + r.nextInt(255));
            int n = r.nextBoolean() ? bad.length : 8 + r.nextInt(bad.length - 8);
            MemorySegment in = Arena.ofAuto().allocate(n);
            MemorySegment.copy(bad, 0, in, ValueLayout.JAVA_BYTE, 0, n);
            MemorySegment out = Arena.ofAuto().allocate(l.byteSize() + 64);
            out.fill((byte) 0x77);
            try {
                Spng.decode(in, w, h, 2, 8, true, out.asSlice(0, l.byteSize()), KEY);
            } catch (CorruptChunkException e) {
                assertTrue(e.getMessage().contains(KEY) && e.getMessage().contains("BA_CORRUPT_INPUT"), e.getMessage());
                corrupt++;
            }
            for (long i = l.byteSize(); i < out.byteSize(); i++) assertEquals(0x77, out.get(ValueLayout.JAVA_BYTE, i), "byte past the chunk");
        }
        assertTrue(corrupt > 100, "most damage is seen: " + corrupt);
        assertThrows(IllegalArgumentException.class, () -> Spng.decode(MemorySegment.ofArray(png), w, h, 2, 8, false,
                MemorySegment.ofArray(new byte[(int) l.byteSize() - 1]), KEY), "a short output buffer");
    }

    /** {@code chunk} as an Adam7-interlaced png written by ImageIO. */
    private static MemorySegment interlaced(MemorySegment chunk, ChunkLayout l) throws Exception {
        int w = ImagePlanes.width(l), h = ImagePlanes.height(l), c = l.channels(), bytes = l.dataType().size();
        boolean alpha = c == 2 || c == 4;
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(c <= 2 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, bytes == 1 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        long plane = (long) w * h;
        for (int b = 0; b < c; b++) {
            for (int i = 0; i < plane; i++) {
                int v = bytes == 1 ? chunk.get(ValueLayout.JAVA_BYTE, b * plane + i) & 0xff
                        : chunk.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * (b * plane + i)) & 0xffff;
                raster.setSample(i % w, i / w, b, v);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream s = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(s);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(new BufferedImage(cm, raster, false, null), null, null), p);
        } finally {
            writer.dispose();
        }
        return MemorySegment.ofArray(out.toByteArray());
    }
}
