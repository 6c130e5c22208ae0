package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.CompressedSegmentation;
import org.junit.jupiter.api.Test;

/**
 * compressed_segmentation decoded by sub-box straight into a strided destination
 * ({@link BoxDecoding}), against the simple model: decode the whole chunk with the whole-chunk
 * decoder, copy the sub-box out. Both twins (the C one where libbigarrays is in use) over random
 * label volumes, block sizes, channels, sub-boxes (edge blocks included) and padded destinations;
 * damaged data gets the same verdict from both, and nothing outside the destination box changes.
 */
class CompressedSegmentationBoxTest {
    private static final byte SENTINEL = (byte) 0xA5;

    /** The twins to check: Java always, C where it is in use. */
    private static List<CompressedSegmentationCodec> twins(long[] block) {
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(block);
        List<CompressedSegmentationCodec> l = new ArrayList<>();
        l.add(c.javaOnly());
        if (c.usesNative()) l.add(c);
        return l;
    }

    private static MemorySegment labels(ChunkLayout l, int labels, Random r) {
        MemorySegment chunk = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        boolean u64 = l.dataType() == DataType.UINT64;
        for (long i = 0; i < l.voxels() * l.channels(); i++) {
            // labels == 0: any value (every voxel distinct); else few labels, with runs along x as segmentation has.
            long v = labels == 0 ? r.nextLong() : (r.nextInt(labels) * 0x1_0000_0001L) ^ (r.nextInt(8) == 0 ? Long.MIN_VALUE : 0);
            if (labels != 0 && i > 0 && r.nextInt(3) != 0) v = u64 ? chunk.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * (i - 1)) : chunk.get(ValueLayout.JAVA_INT_UNALIGNED, 4 * (i - 1));
            if (u64) chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, v);
            else chunk.set(ValueLayout.JAVA_INT_UNALIGNED, 4 * i, (int) v);
        }
        return chunk;
    }

    /** A destination for the box: padded Fortran strides (sometimes a gap between voxels), an offset. */
    private record Dest(MemorySegment seg, long offset, long[] strides) {
        static Dest of(long[] shape, int channels, int vsize, Random r) {
            long[] s = new long[4];
            s[0] = vsize * (r.nextInt(4) == 0 ? 2L : 1L);
            s[1] = s[0] * (shape[0] + r.nextInt(3));
            s[2] = s[1] * (shape[1] + r.nextInt(3));
            s[3] = s[2] * (shape[2] + r.nextInt(3));
            long offset = r.nextInt(16);
            byte[] b = new byte[(int) (offset + s[3] * channels)];
            java.util.Arrays.fill(b, SENTINEL);
            return new Dest(MemorySegment.ofArray(b), offset, s);
        }
    }

    /** The model: the whole chunk decoded, the box copied into a destination laid out as {@code like}. */
    private static MemorySegment model(CompressedSegmentationCodec codec, MemorySegment enc, ChunkLayout l, long[] min, long[] shape, Dest like) {
        MemorySegment whole = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        codec.javaOnly().decode(enc, l, whole, "k");
        byte[] b = new byte[(int) like.seg().byteSize()];
        java.util.Arrays.fill(b, SENTINEL);
        MemorySegment out = MemorySegment.ofArray(b);
        long[] cs = l.strides4();
        int vs = l.dataType().size();
        for (int c = 0; c < l.channels(); c++) {
            for (long z = 0; z < shape[2]; z++) {
                for (long y = 0; y < shape[1]; y++) {
                    for (long x = 0; x < shape[0]; x++) {
                        long src = (x + min[0]) * cs[0] + (y + min[1]) * cs[1] + (z + min[2]) * cs[2] + c * cs[3];
                        long dst = like.offset() + x * like.strides()[0] + y * like.strides()[1] + z * like.strides()[2] + c * like.strides()[3];
                        MemorySegment.copy(whole, src, out, dst, vs);
                    }
                }
            }
        }
        return out;
    }

    @Property(tries = 200)
    void aSubBoxEqualsTheWholeChunkDecodedAndCopied(@ForAll @IntRange(min = 1, max = 40) int sx, @ForAll @IntRange(min = 1, max = 17) int sy,
                                                    @ForAll @IntRange(min = 1, max = 11) int sz, @ForAll @IntRange(min = 1, max = 3) int channels,
                                                    @ForAll @IntRange(min = 1, max = 9) int bx, @ForAll @IntRange(min = 1, max = 9) int by,
                                                    @ForAll @IntRange(min = 1, max = 9) int bz, @ForAll boolean uint64,
                                                    @ForAll @IntRange(min = 0, max = 300) int labels, @ForAll long seed) {
        Random r = new Random(seed);
        ChunkLayout l = new ChunkLayout(new long[] {sx, sy, sz}, channels, uint64 ? DataType.UINT64 : DataType.UINT32);
        long[] block = {bx, by, bz};
        MemorySegment enc = new CompressedSegmentationCodec(block).javaOnly().encode(labels(l, labels, r), l);
        for (int k = 0; k < 4; k++) {
            long[] min = new long[3], shape = new long[3];
            for (int d = 0; d < 3; d++) {
                // k == 0: the whole chunk; else any sub-box, often one touching the chunk's last (edge) block.
                min[d] = k == 0 ? 0 : r.nextInt((int) l.shape()[d]);
                long room = l.shape()[d] - min[d];
                shape[d] = k == 0 ? l.shape()[d] : (r.nextBoolean() ? room : 1 + r.nextInt((int) room));
            }
            Dest like = Dest.of(shape, channels, l.dataType().size(), r);
            MemorySegment want = model(new CompressedSegmentationCodec(block), enc, l, min, shape, like);
            for (CompressedSegmentationCodec twin : twins(block)) {
                Dest d = new Dest(MemorySegment.ofArray(new byte[(int) like.seg().byteSize()]).fill(SENTINEL), like.offset(), like.strides());
                twin.decodeBox(enc, l, min, shape, d.seg(), d.offset(), d.strides(), "k");
                assertEquals(-1, want.mismatch(d.seg()), (twin.usesNative() ? "C" : "Java") + ": box at " + java.util.Arrays.toString(min)
                        + " of " + java.util.Arrays.toString(shape) + " in " + l + ", block " + java.util.Arrays.toString(block));
            }
        }
    }

    @Property(tries = 300)
    void damagedDataGetsTheSameVerdictFromBothTwins(@ForAll long seed) {
        Random r = new Random(seed);
        ChunkLayout l = new ChunkLayout(new long[] {9, 7, 5}, 1 + r.nextInt(2), r.nextBoolean() ? DataType.UINT64 : DataType.UINT32);
        long[] block = {4, 3, 2};
        List<CompressedSegmentationCodec> twins = twins(block);
        byte[] enc = twins.getFirst().encode(labels(l, 1 + r.nextInt(5), r), l).toArray(ValueLayout.JAVA_BYTE);
        int len = r.nextInt(4) == 0 ? r.nextInt(enc.length + 1) : enc.length;
        byte[] bad = java.util.Arrays.copyOf(enc, len);
        for (int k = 0; k < 1 + r.nextInt(3) && len > 0; k++) bad[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
        long[] min = {r.nextInt(9), r.nextInt(7), r.nextInt(5)};
        long[] shape = {1 + r.nextInt(9 - (int) min[0]), 1 + r.nextInt(7 - (int) min[1]), 1 + r.nextInt(5 - (int) min[2])};
        Dest like = Dest.of(shape, l.channels(), l.dataType().size(), r);
        String first = null;
        MemorySegment firstOut = null;
        for (CompressedSegmentationCodec twin : twins) {
            MemorySegment out = MemorySegment.ofArray(new byte[(int) like.seg().byteSize()]).fill(SENTINEL);
            String verdict;
            try {
                twin.decodeBox(MemorySegment.ofArray(bad), l, min, shape, out, like.offset(), like.strides(), "k");
                verdict = "ok";
            } catch (CorruptChunkException e) {
                assertEquals("k", e.key());
                assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
                verdict = "corrupt";
            }
            if (first == null) {
                first = verdict;
                firstOut = out;
            } else {
                assertEquals(first, verdict, "seed " + seed);
                if (verdict.equals("ok")) assertEquals(-1, firstOut.mismatch(out), "both twins accept, with different output");
            }
        }
        // The C decoder alone (without the Java rerun that names the fault) gives the same verdict.
        if (twins.size() == 2) {
            MemorySegment out = MemorySegment.ofArray(new byte[(int) like.seg().byteSize()]);
            String verdict;
            try {
                CompressedSegmentation.decodeBox(MemorySegment.ofArray(bad), l.shape(), l.channels(), new int[] {4, 3, 2}, l.dataType().size() / 4,
                        min, shape, out, like.offset(), like.strides(), "k");
                verdict = "ok";
            } catch (CorruptChunkException e) {
                verdict = "corrupt";
            }
            assertEquals(first, verdict, "C alone, seed " + seed);
        }
    }

    /** Whole-chunk trailing bytes are corruption for a box that is the whole chunk, as for decode(). */
    @Test
    void trailingBytesAreCorruptForTheWholeChunk() {
        ChunkLayout l = new ChunkLayout(new long[] {8, 8, 8}, 1, DataType.UINT64);
        long[] block = {4, 4, 4};
        MemorySegment enc = new CompressedSegmentationCodec(block).encode(labels(l, 3, new Random(1)), l);
        MemorySegment longer = MemorySegment.ofArray(new byte[(int) enc.byteSize() + 4]);
        MemorySegment.copy(enc, 0, longer, 0, enc.byteSize());
        for (CompressedSegmentationCodec twin : twins(block)) {
            MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
            CorruptChunkException e = assertThrows(CorruptChunkException.class,
                    () -> twin.decodeBox(longer, l, new long[3], l.shape(), out, 0, l.strides4(), "k"));
            assertTrue(e.getMessage().contains("trailing"), e.getMessage());
        }
    }

    /** A box outside the chunk or a destination too small: refused before anything is written, by both twins. */
    @Test
    void boxesThatDoNotFitAreRefusedWithoutWriting() {
        ChunkLayout l = new ChunkLayout(new long[] {8, 8, 8}, 2, DataType.UINT32);
        long[] block = {8, 8, 8};
        MemorySegment enc = new CompressedSegmentationCodec(block).encode(labels(l, 3, new Random(2)), l);
        for (CompressedSegmentationCodec twin : twins(block)) {
            MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]).fill(SENTINEL);
            long[] strides = l.strides4();
            assertThrows(IndexOutOfBoundsException.class, () -> twin.decodeBox(enc, l, new long[] {1, 0, 0}, l.shape(), out, 0, strides, "k"));
            assertThrows(IndexOutOfBoundsException.class, () -> twin.decodeBox(enc, l, new long[3], l.shape(), out, 1, strides, "k"));
            assertThrows(IllegalArgumentException.class, () -> twin.decodeBox(enc, l, new long[3], l.shape(), out, 0, new long[] {-4, 32, 256, 2048}, "k"));
            for (long i = 0; i < out.byteSize(); i++) assertEquals(SENTINEL, out.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }

    /** Neuroglancer's fib25 64³ segmentation: boxes of it equal the whole-chunk decode, from both twins. */
    @Test
    void fib25Boxes() throws IOException {
        byte[] raw = Files.readAllBytes(Fixtures.dir().resolve("neuroglancer/compressed_segmentation/64x64x64-raw-uint64-segmentation.dat"));
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 64}, 1, DataType.UINT64);
        Random r = new Random(25);
        for (long[] block : new long[][] {{8, 8, 8}, {7, 5, 3}}) {
            MemorySegment enc = new CompressedSegmentationCodec(block).encode(MemorySegment.ofArray(raw), l);
            for (int k = 0; k < 10; k++) {
                long[] min = {r.nextInt(64), r.nextInt(64), r.nextInt(64)};
                long[] shape = {1 + r.nextInt(64 - (int) min[0]), 1 + r.nextInt(64 - (int) min[1]), 1 + r.nextInt(64 - (int) min[2])};
                Dest like = Dest.of(shape, 1, 8, r);
                MemorySegment want = model(new CompressedSegmentationCodec(block), enc, l, min, shape, like);
                for (CompressedSegmentationCodec twin : twins(block)) {
                    MemorySegment out = MemorySegment.ofArray(new byte[(int) like.seg().byteSize()]).fill(SENTINEL);
                    twin.decodeBox(enc, l, min, shape, out, like.offset(), like.strides(), "k");
                    assertEquals(-1, want.mismatch(out), (twin.usesNative() ? "C" : "Java") + " block " + block[0]);
                }
            }
        }
    }
}
