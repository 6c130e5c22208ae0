package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

class ImageCodecTest {
    /** A smooth image with mild noise, per channel: what EM and light microscopy look like to a codec. */
    private static MemorySegment smooth(ChunkLayout l, long seed) {
        Random r = new Random(seed);
        MemorySegment s = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        long[] sh = l.shape();
        int max = l.dataType() == DataType.UINT8 ? 255 : 65535;
        long i = 0;
        for (int c = 0; c < l.channels(); c++) {
            for (long z = 0; z < sh[2]; z++) {
                for (long y = 0; y < sh[1]; y++) {
                    for (long x = 0; x < sh[0]; x++, i++) {
                        double v = 0.5 + 0.35 * Math.sin(x / 7.0 + c) * Math.cos(y / 5.0 + z / 3.0) + 0.02 * r.nextGaussian();
                        int q = (int) Math.clamp(Math.round(v * max), 0, max);
                        if (l.dataType() == DataType.UINT8) s.set(ValueLayout.JAVA_BYTE, i, (byte) q);
                        else s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) q);
                    }
                }
            }
        }
        return s;
    }

    private static MemorySegment roundTrip(ArrayCodec codec, MemorySegment chunk, ChunkLayout l) {
        MemorySegment enc = codec.encode(chunk, l);
        MemorySegment back = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        codec.decode(enc, l, back, "k");
        return back;
    }

    @Test
    void pngIsLosslessForEveryTypeAndChannelCount() {
        for (DataType t : new DataType[] {DataType.UINT8, DataType.UINT16}) {
            for (int c = 1; c <= 4; c++) {
                ChunkLayout l = new ChunkLayout(new long[] {33, 17, 5}, c, t);
                MemorySegment chunk = smooth(l, c);
                for (int level : new int[] {0, 6, 9}) {
                    MemorySegment back = roundTrip(PngCodec.of(level), chunk, l);
                    assertEquals(-1, chunk.mismatch(back), t + " x" + c + " level " + level);
                }
            }
        }
    }

    @Test
    void jpegIsCloseForOneAndThreeChannels() {
        for (int c : new int[] {1, 3}) {
            ChunkLayout l = new ChunkLayout(new long[] {64, 64, 8}, c, DataType.UINT8);
            MemorySegment chunk = smooth(l, c);
            double previous = 0;
            for (int q : new int[] {50, 85, 98}) {
              for (JpegCodec codec : new JpegCodec[] {JpegCodec.of(q), JpegCodec.of(q).javaOnly()}) {
                MemorySegment back = roundTrip(codec, chunk, l);
                double mse = 0;
                int maxErr = 0;
                for (long i = 0; i < l.byteSize(); i++) {
                    int d = (chunk.get(ValueLayout.JAVA_BYTE, i) & 0xff) - (back.get(ValueLayout.JAVA_BYTE, i) & 0xff);
                    mse += d * d;
                    maxErr = Math.max(maxErr, Math.abs(d));
                }
                mse /= l.byteSize();
                double psnr = 10 * Math.log10(255.0 * 255.0 / Math.max(mse, 1e-9));
                assertTrue(psnr > 30, "channels " + c + " quality " + q + ": PSNR " + psnr);
                assertTrue(maxErr < 64, "channels " + c + " quality " + q + ": max error " + maxErr);
                if (codec.usesTurboJpeg() || !JpegCodec.of(q).usesTurboJpeg()) {
                    assertTrue(psnr >= previous - 0.5, "higher quality is not worse: " + psnr + " after " + previous);
                    previous = psnr;
                }
              }
            }
        }
    }

    @Test
    void aDamagedJpegDoesNotSpoilTheNextDecode() {
        JpegCodec turbo = JpegCodec.of(90);
        org.junit.jupiter.api.Assumptions.assumeFalse(org.bigarrays.nativ.NativeLibrary.TURBOJPEG.disabledByConfiguration(), "TurboJPEG switched off (NativeSwitchTest checks that)");
        ChunkLayout l = new ChunkLayout(new long[] {32, 32, 2}, 1, DataType.UINT8);
        MemorySegment chunk = smooth(l, 5);
        byte[] good = turbo.encode(chunk, l).toArray(ValueLayout.JAVA_BYTE);
        byte[] want = new byte[(int) l.byteSize()];
        turbo.decode(MemorySegment.ofArray(good), l, MemorySegment.ofArray(want), "good");
        int dht = -1;
        for (int i = 0; i + 1 < good.length; i++) if ((good[i] & 0xff) == 0xff && (good[i + 1] & 0xff) == 0xc4) { dht = i; break; }
        assertTrue(dht > 0, "a Huffman table segment");
        for (int round = 0; round < 4; round++) {
            // A Huffman table whose code counts overflow: TurboJPEG fails on it, then its handle must not be reused.
            byte[] bad = good.clone();
            java.util.Arrays.fill(bad, dht + 5, dht + 21, (byte) 0x7f);
            assertThrows(org.bigarrays.CorruptChunkException.class,
                    () -> turbo.decode(MemorySegment.ofArray(bad), l, MemorySegment.ofArray(new byte[(int) l.byteSize()]), "bad"));
            byte[] got = new byte[(int) l.byteSize()];
            turbo.decode(MemorySegment.ofArray(good), l, MemorySegment.ofArray(got), "good");
            assertArrayEquals(want, got, "a valid jpeg decoded after a damaged one");
        }
    }

    @Test
    void turboJpegAndImageIoReadEachOthersBytes() {
        JpegCodec turbo = JpegCodec.of(90);
        org.junit.jupiter.api.Assumptions.assumeFalse(org.bigarrays.nativ.NativeLibrary.TURBOJPEG.disabledByConfiguration(), "TurboJPEG switched off (NativeSwitchTest checks that)");
        assertTrue(turbo.usesTurboJpeg(), "libturbojpeg.so.0 is installed here (Debian libturbojpeg0)");
        JpegCodec java = turbo.javaOnly();
        for (int c : new int[] {1, 3}) {
            ChunkLayout l = new ChunkLayout(new long[] {48, 32, 4}, c, DataType.UINT8);
            MemorySegment chunk = smooth(l, 9 + c);
            for (JpegCodec writer : new JpegCodec[] {turbo, java}) {
                MemorySegment enc = writer.encode(chunk, l);
                MemorySegment a = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
                MemorySegment b = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
                turbo.decode(enc, l, a, "k");
                java.decode(enc, l, b, "k");
                int maxDiff = 0, maxErr = 0;
                for (long i = 0; i < l.byteSize(); i++) {
                    int va = a.get(ValueLayout.JAVA_BYTE, i) & 0xff, vb = b.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                    maxDiff = Math.max(maxDiff, Math.abs(va - vb));
                    maxErr = Math.max(maxErr, Math.abs(va - (chunk.get(ValueLayout.JAVA_BYTE, i) & 0xff)));
                }
                // Both decoders implement the same IDCT and upsampling up to rounding.
                assertTrue(maxDiff <= 3, "channels " + c + ": decoders differ by " + maxDiff);
                assertTrue(maxErr < 48, "channels " + c + ": max error " + maxErr);
            }
        }
    }

    @Test
    void jpegQualityChangesSize() {
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 4}, 1, DataType.UINT8);
        MemorySegment chunk = smooth(l, 1);
        assertTrue(JpegCodec.of(30).encode(chunk, l).byteSize() < JpegCodec.of(95).encode(chunk, l).byteSize());
    }

    @Test
    void badInputIsCorruptNamingTheKey() {
        ChunkLayout l = new ChunkLayout(new long[] {16, 8, 2}, 1, DataType.UINT8);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        for (ArrayCodec codec : new ArrayCodec[] {JpegCodec.of(80), JpegCodec.of(80).javaOnly(), PngCodec.of(6)}) {
            CorruptChunkException e = assertThrows(CorruptChunkException.class,
                    () -> codec.decode(MemorySegment.ofArray("junk junk junk".getBytes()), l, out, "a/b"));
            assertEquals("a/b", e.key());
            // A valid image of the wrong size.
            ChunkLayout other = new ChunkLayout(new long[] {16, 8, 3}, 1, DataType.UINT8);
            MemorySegment enc = codec.encode(smooth(other, 2), other);
            assertThrows(CorruptChunkException.class, () -> codec.decode(enc, l, out, "a/b"), codec.name());
            byte[] truncated = java.util.Arrays.copyOf(codec.encode(smooth(l, 3), l).toArray(ValueLayout.JAVA_BYTE), 40);
            assertThrows(CorruptChunkException.class, () -> codec.decode(MemorySegment.ofArray(truncated), l, out, "a/b"), codec.name());
        }
    }

    @Test
    void unsupportedLayoutsAreRefused() {
        assertThrows(InvalidInputException.class, () -> JpegCodec.of(80).check(new ChunkLayout(new long[] {4, 4, 4}, 2, DataType.UINT8)));
        assertThrows(InvalidInputException.class, () -> JpegCodec.of(80).check(new ChunkLayout(new long[] {4, 4, 4}, 1, DataType.UINT16)));
        assertThrows(InvalidInputException.class, () -> PngCodec.of(6).check(new ChunkLayout(new long[] {4, 4, 4}, 5, DataType.UINT8)));
        assertThrows(InvalidInputException.class, () -> PngCodec.of(6).check(new ChunkLayout(new long[] {4, 4, 4}, 1, DataType.UINT32)));
        assertThrows(InvalidInputException.class, () -> JpegCodec.of(0));
        assertThrows(InvalidInputException.class, () -> PngCodec.of(10));
    }
}
