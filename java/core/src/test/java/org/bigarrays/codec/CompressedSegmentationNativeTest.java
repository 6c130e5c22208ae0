package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;

/**
 * The C compressed_segmentation codec against its Java twin: the same bytes from both encoders,
 * each decoder reads the other's output, and damaged data is rejected by both or by neither
 * (with the same result). Runs where libbigarrays is in use; NativeSwitchTest makes sure it is
 * on Linux x86-64 unless switched off.
 */
class CompressedSegmentationNativeTest {
    private static CompressedSegmentationCodec pair(long[] block) {
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(block);
        assumeTrue(c.usesNative(), "libbigarrays not in use: " + NativeLibrary.BIGARRAYS.status());
        return c;
    }

    /** For the properties (where jqwik counts an assumption as a rejected try): null when the C codec is off, checking it is unused then. */
    private static CompressedSegmentationCodec pairOrNull(long[] block) {
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(block);
        if (!org.bigarrays.nativ.CompressedSegmentation.available()) {
            assertFalse(c.usesNative());
            return null;
        }
        assertTrue(c.usesNative());
        return c;
    }

    private static void sameEverywhere(CompressedSegmentationCodec c, MemorySegment chunk, ChunkLayout l, String what) {
        CompressedSegmentationCodec j = c.javaOnly();
        MemorySegment viaC = c.encode(chunk, l), viaJava = j.encode(chunk, l);
        assertEquals(Fixtures.hex(viaJava), Fixtures.hex(viaC), what + ": encoders differ");
        for (CompressedSegmentationCodec d : new CompressedSegmentationCodec[] {c, j}) {
            MemorySegment back = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
            d.decode(viaC, l, back, "k");
            assertEquals(-1, chunk.mismatch(back), what + ": decoded by " + (d.usesNative() ? "C" : "Java"));
        }
    }

    @Test
    void fixtureVectorsAndTheFib25Volume() throws IOException {
        int checked = 0;
        for (String f : new String[] {"tensorstore/compressed_segmentation_vectors.json", "neuroglancer/compressed_segmentation_spec_vectors.json",
                "compressedseg/compressed_segmentation_vectors.json"}) {
            JsonNode d = Fixtures.json(f);
            if (!d.has("encode_channels")) continue;
            for (JsonNode v : d.get("encode_channels")) {
                int wpv = v.get("dtype").asText().equals("uint64") ? 2 : 1;
                long[] s = Fixtures.longs(v.get("shape_xyzc"));
                ChunkLayout l = new ChunkLayout(new long[] {s[0], s[1], s[2]}, (int) s[3], wpv == 1 ? DataType.UINT32 : DataType.UINT64);
                CompressedSegmentationCodec c = pair(Fixtures.longs(v.get("block_size_xyz")));
                MemorySegment chunk = Fixtures.labels(Fixtures.longs(v.get("input_x_fastest_then_channel")), wpv);
                assertEquals(v.get("expected_hex").asText(), Fixtures.hex(c.encode(chunk, l)), f + ": " + v.get("name").asText());
                sameEverywhere(c, chunk, l, f);
                checked++;
            }
        }
        byte[] raw = Files.readAllBytes(Fixtures.dir().resolve("neuroglancer/compressed_segmentation/64x64x64-raw-uint64-segmentation.dat"));
        for (long[] block : new long[][] {{8, 8, 8}, {7, 5, 3}, {64, 64, 64}}) {
            sameEverywhere(pair(block), MemorySegment.ofArray(raw), new ChunkLayout(new long[] {64, 64, 64}, 1, DataType.UINT64), "fib25 " + block[0]);
            checked++;
        }
        assertTrue(checked >= 6, "checked " + checked);
    }

    @Property(tries = 150)
    void randomChunks(@ForAll @IntRange(min = 1, max = 40) int sx, @ForAll @IntRange(min = 1, max = 17) int sy,
                      @ForAll @IntRange(min = 1, max = 9) int sz, @ForAll @IntRange(min = 1, max = 2) int channels,
                      @ForAll @IntRange(min = 1, max = 9) int bx, @ForAll @IntRange(min = 1, max = 9) int by,
                      @ForAll @IntRange(min = 1, max = 9) int bz, @ForAll boolean uint64,
                      @ForAll @IntRange(min = 0, max = 2000) int labels, @ForAll long seed) {
        DataType t = uint64 ? DataType.UINT64 : DataType.UINT32;
        ChunkLayout l = new ChunkLayout(new long[] {sx, sy, sz}, channels, t);
        Random r = new Random(seed);
        MemorySegment chunk = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        for (long i = 0; i < l.voxels() * channels; i++) {
            // labels == 0: any value (the worst case: every voxel distinct); else few labels, high bits set too.
            long v = labels == 0 ? r.nextLong() : (r.nextInt(labels) * 0x1_0000_0001L) ^ (r.nextInt(8) == 0 ? Long.MIN_VALUE : 0);
            if (uint64) chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, v);
            else chunk.set(ValueLayout.JAVA_INT_UNALIGNED, 4 * i, (int) v);
        }
        CompressedSegmentationCodec c = pairOrNull(new long[] {bx, by, bz});
        if (c == null) return;
        sameEverywhere(c, chunk, l, l + " block " + bx + "," + by + "," + bz);
    }

    @Property(tries = 300)
    void damagedDataGetsTheSameVerdict(@ForAll long seed) {
        Random r = new Random(seed);
        ChunkLayout l = new ChunkLayout(new long[] {9, 7, 5}, 1 + r.nextInt(2), r.nextBoolean() ? DataType.UINT64 : DataType.UINT32);
        CompressedSegmentationCodec c = pairOrNull(new long[] {4, 3, 2});
        if (c == null) return;
        MemorySegment chunk = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        for (long i = 0; i < chunk.byteSize(); i += l.dataType().size()) chunk.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(5));
        byte[] enc = c.encode(chunk, l).toArray(ValueLayout.JAVA_BYTE);
        int len = r.nextInt(4) == 0 ? r.nextInt(enc.length + 1) : enc.length;
        byte[] bad = java.util.Arrays.copyOf(enc, len);
        for (int k = 0; k < 1 + r.nextInt(3) && len > 0; k++) bad[r.nextInt(len)] ^= (byte) (1 << r.nextInt(8));
        MemorySegment a = MemorySegment.ofArray(new byte[(int) l.byteSize()]), b = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        String javaVerdict, cVerdict;
        try {
            c.javaOnly().decode(MemorySegment.ofArray(bad), l, a, "k");
            javaVerdict = "ok";
        } catch (CorruptChunkException e) {
            javaVerdict = "corrupt";
        }
        try {
            org.bigarrays.nativ.CompressedSegmentation.decode(MemorySegment.ofArray(bad), l.shape(), l.channels(), new int[] {4, 3, 2},
                    l.dataType().size() / 4, b, "k");
            cVerdict = "ok";
        } catch (CorruptChunkException e) {
            assertEquals("k", e.key());
            cVerdict = "corrupt";
        }
        assertEquals(javaVerdict, cVerdict, "seed " + seed);
        if (javaVerdict.equals("ok")) assertEquals(-1, a.mismatch(b), "both decoders accept, with different output");
    }

    @Test
    void aTooSmallOutputIsRefused() {
        CompressedSegmentationCodec c = pair(new long[] {2, 2, 2});
        ChunkLayout l = new ChunkLayout(new long[] {4, 4, 4}, 1, DataType.UINT32);
        MemorySegment enc = c.encode(MemorySegment.ofArray(new byte[(int) l.byteSize()]), l);
        assertThrows(IllegalArgumentException.class, () -> org.bigarrays.nativ.CompressedSegmentation.decode(enc, l.shape(), 1,
                new int[] {2, 2, 2}, 1, MemorySegment.ofArray(new byte[(int) l.byteSize() - 1]), "k"));
    }
}
