package org.bigarrays.codec;

import org.bigarrays.array.ArrayInternals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.junit.jupiter.api.Test;

class CompressedSegmentationCodecTest {
    private static final String[] CHANNEL_FILES = {
        "tensorstore/compressed_segmentation_vectors.json",
        "neuroglancer/compressed_segmentation_spec_vectors.json",
        "compressedseg/compressed_segmentation_vectors.json",
    };

    private static int wpv(JsonNode v) {
        return v.get("dtype").asText().equals("uint64") ? 2 : 1;
    }

    private static MemorySegment encodeChannel(long[] values, long[] shape, int[] block, int wpv) {
        CompressedSegmentationCodec.IntBuffer out = new CompressedSegmentationCodec.IntBuffer(4);
        CompressedSegmentationCodec.encodeChannel(Fixtures.labels(values, wpv), shape, block, wpv, out);
        return out.toSegment();
    }

    private static long[] decodeChannel(MemorySegment enc, long[] shape, int[] block, int wpv, String key) {
        long n = shape[0] * shape[1] * shape[2];
        MemorySegment out = MemorySegment.ofArray(new byte[(int) n * 4 * wpv]);
        CompressedSegmentationCodec.decodeChannel(enc, shape, block, wpv, out, key);
        long[] r = new long[(int) n];
        for (int i = 0; i < n; i++) {
            r[i] = wpv == 1 ? Integer.toUnsignedLong(out.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i)) : out.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
        }
        return r;
    }

    @Test
    void singleChannelVectorsOfAllThreeFilesByteForByte() throws IOException {
        int checked = 0;
        for (String f : CHANNEL_FILES) {
            JsonNode d = Fixtures.json(f);
            for (String group : new String[] {"encode_channel", "compress_channel"}) {
                if (!d.has(group)) continue;
                for (JsonNode v : d.get(group)) {
                    long[] in = Fixtures.longs(v.get("input_x_fastest"));
                    long[] shape = Fixtures.longs(v.get("shape_xyz"));
                    int[] block = Fixtures.ints(v.get("block_size_xyz"));
                    MemorySegment enc = encodeChannel(in, shape, block, wpv(v));
                    assertEquals(v.get("expected_hex").asText(), Fixtures.hex(enc), f + ": " + v.get("name").asText());
                    assertArrayEquals(in, decodeChannel(enc, shape, block, wpv(v), "k"), f + ": " + v.get("name").asText());
                    checked++;
                }
            }
        }
        assertTrue(checked >= 13, "vectors checked: " + checked);
    }

    /** A single block, as a one-block channel: its 2 header words, then the expected block words. */
    @Test
    void blockVectorsOfAllThreeFiles() throws IOException {
        int checked = 0;
        for (String f : CHANNEL_FILES) {
            for (JsonNode v : Fixtures.json(f).get("encode_block")) {
                long[] in = Fixtures.longs(v.get("input_x_fastest"));
                long[] actual = Fixtures.longs(v.get("actual_size_xyz"));
                int[] block = Fixtures.ints(v.get("block_size_xyz"));
                int w = wpv(v);
                // The block vectors give the input over the actual size, in block-local x-fastest order:
                // as a channel the volume is the actual size, one block covering it.
                MemorySegment enc = encodeChannel(in, actual, block, w);
                int h0 = enc.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                assertEquals(v.get("expected_encoded_bits").asInt(), h0 >>> 24, f + ": " + v.get("name").asText());
                // Offsets in the vectors are relative to the block's data, which starts after the 2 header words.
                assertEquals(v.get("expected_table_offset_words").asInt() + 2, h0 & 0xFFFFFF, f + ": " + v.get("name").asText());
                assertEquals(v.get("expected_hex").asText(), Fixtures.hex(enc.asSlice(8)), f + ": " + v.get("name").asText());
                assertArrayEquals(in, decodeChannel(enc, actual, block, w, "k"));
                checked++;
            }
        }
        assertTrue(checked >= 19, "vectors checked: " + checked);
    }

    @Test
    void multiChannelVectorsByteForByte() throws IOException {
        int checked = 0;
        for (String f : CHANNEL_FILES) {
            JsonNode d = Fixtures.json(f);
            if (!d.has("encode_channels")) continue;
            for (JsonNode v : d.get("encode_channels")) {
                long[] in = Fixtures.longs(v.get("input_x_fastest_then_channel"));
                long[] s = Fixtures.longs(v.get("shape_xyzc"));
                DataType t = wpv(v) == 1 ? DataType.UINT32 : DataType.UINT64;
                ChunkLayout layout = new ChunkLayout(new long[] {s[0], s[1], s[2]}, (int) s[3], t);
                CompressedSegmentationCodec c = new CompressedSegmentationCodec(Fixtures.longs(v.get("block_size_xyz")));
                MemorySegment chunk = Fixtures.labels(in, wpv(v));
                MemorySegment enc = c.encode(chunk, layout);
                assertEquals(v.get("expected_hex").asText(), Fixtures.hex(enc), f + ": " + v.get("name").asText());
                MemorySegment back = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
                c.decode(enc, layout, back, "k");
                assertEquals(Fixtures.hex(chunk), Fixtures.hex(back));
                checked++;
            }
        }
        assertTrue(checked >= 3, "vectors checked: " + checked);
    }

    @Test
    void roundTripOnlyCases() throws IOException {
        for (JsonNode v : Fixtures.json("compressedseg/compressed_segmentation_vectors.json").get("roundtrip_only")) {
            long[] in = Fixtures.longs(v.get("input_x_fastest"));
            long[] shape = Fixtures.longs(v.get("shape_xyz"));
            int[] block = Fixtures.ints(v.get("block_size_xyz"));
            assertArrayEquals(in, decodeChannel(encodeChannel(in, shape, block, wpv(v)), shape, block, wpv(v), "k"), v.get("name").asText());
        }
    }

    @Test
    void everyMalformedVectorIsRejectedNamingTheKey() throws IOException {
        JsonNode errors = Fixtures.json("tensorstore/compressed_segmentation_vectors.json").get("decode_errors");
        assertEquals(8, errors.size());
        for (JsonNode v : errors) {
            MemorySegment enc = MemorySegment.ofArray(Fixtures.hex(v.get("encoded_hex").asText()));
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> decodeChannel(enc,
                    Fixtures.longs(v.get("shape_xyz")), Fixtures.ints(v.get("block_size_xyz")), wpv(v), "1_1_1/0-2_0-2_0-2"),
                    v.get("name").asText());
            assertEquals("1_1_1/0-2_0-2_0-2", e.key());
            assertTrue(e.getMessage().contains("compressed_segmentation"), e.getMessage());
        }
    }

    @Test
    void fib25LabelsRoundTripAndCompress() throws IOException {
        Path p = Fixtures.dir().resolve("neuroglancer/compressed_segmentation/64x64x64-raw-uint64-segmentation.dat");
        byte[] raw = Files.readAllBytes(p);
        assertEquals(64 * 64 * 64 * 8, raw.length);
        ChunkLayout layout = new ChunkLayout(new long[] {64, 64, 64}, 1, DataType.UINT64);
        for (long[] block : new long[][] {{8, 8, 8}, {4, 4, 4}, {16, 8, 4}, {7, 5, 3}}) {
            CompressedSegmentationCodec c = new CompressedSegmentationCodec(block);
            MemorySegment enc = c.encode(MemorySegment.ofArray(raw), layout);
            assertTrue(enc.byteSize() * 10 < raw.length, "52 labels compress well: " + enc.byteSize());
            MemorySegment back = MemorySegment.ofArray(new byte[raw.length]);
            c.decode(enc, layout, back, "k");
            assertArrayEquals(raw, back.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Property(tries = 60)
    void randomChunksRoundTrip(@ForAll @IntRange(min = 1, max = 13) int sx, @ForAll @IntRange(min = 1, max = 9) int sy,
                               @ForAll @IntRange(min = 1, max = 7) int sz, @ForAll @IntRange(min = 1, max = 3) int channels,
                               @ForAll @IntRange(min = 1, max = 5) int bx, @ForAll @IntRange(min = 1, max = 5) int by,
                               @ForAll @IntRange(min = 1, max = 5) int bz, @ForAll boolean wide, @ForAll @IntRange(min = 1, max = 300) int distinct,
                               @ForAll long seed) {
        Random r = new Random(seed);
        DataType t = wide ? DataType.UINT64 : DataType.UINT32;
        ChunkLayout layout = new ChunkLayout(new long[] {sx, sy, sz}, channels, t);
        long[] palette = new long[distinct];
        for (int i = 0; i < distinct; i++) palette[i] = wide ? r.nextLong() : Integer.toUnsignedLong(r.nextInt());
        long[] v = new long[(int) layout.voxels() * channels];
        for (int i = 0; i < v.length; i++) v[i] = palette[r.nextInt(distinct)];
        MemorySegment chunk = Fixtures.labels(v, wide ? 2 : 1);
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(new long[] {bx, by, bz});
        MemorySegment enc = c.encode(chunk, layout);
        MemorySegment back = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
        c.decode(enc, layout, back, "k");
        assertEquals(Fixtures.hex(chunk), Fixtures.hex(back));
    }

    /** Damaged bytes (truncation, flipped bits) either decode to something or raise CorruptChunkException. */
    @Property(tries = 200)
    void damagedDataNeverEscapesAsAnotherError(@ForAll long seed) {
        Random r = new Random(seed);
        ChunkLayout layout = new ChunkLayout(new long[] {9, 7, 5}, 2, r.nextBoolean() ? DataType.UINT64 : DataType.UINT32);
        long[] v = new long[(int) layout.voxels() * 2];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(40);
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(new long[] {4, 4, 2});
        byte[] enc = c.encode(Fixtures.labels(v, layout.dataType().size() / 4), layout).toArray(ValueLayout.JAVA_BYTE);
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) enc[r.nextInt(enc.length)] ^= (byte) (1 << r.nextInt(8));
        byte[] damaged = r.nextBoolean() ? enc : java.util.Arrays.copyOf(enc, r.nextInt(enc.length));
        MemorySegment out = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
        try {
            c.decode(MemorySegment.ofArray(damaged), layout, out, "the/key");
        } catch (CorruptChunkException e) {
            assertEquals("the/key", e.key());
        }
    }

    @Test
    void tensorstoreDatasetsReadThroughBigArray() throws IOException {
        JsonNode cases = Fixtures.json("tensorstore/precomputed_driver_vectors.json").get("cases");
        List<String> seen = new ArrayList<>();
        for (JsonNode cs : cases) {
            String dir = cs.get("dataset_dir").asText();
            if (!dir.startsWith("precomputed_cseg")) continue;
            seen.add(dir);
            Path layer = Fixtures.dir().resolve("tensorstore").resolve(dir);
            // The stored chunks are exactly what our encoder writes for the same values.
            try (BigArray a = BigArray.open(layer.toAbsolutePath().toString())) {
                NdView got = a.read(Box.of(new long[] {0, 0, 0}, new long[] {3, 4, 3}));
                for (int z = 0; z < 3; z++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 3; x++) {
                            assertEquals(1 + 2 * z + (y >= 2 ? 1 : 0), got.getAsLong(x, y, z, 0), dir + " at " + x + "," + y + "," + z);
                        }
                    }
                }
                CompressedSegmentationCodec c = (CompressedSegmentationCodec) ArrayInternals.chunks(a).codec().pipeline().arrayCodec();
                var it = cs.get("expected_chunks_hex").properties().iterator();
                while (it.hasNext()) {
                    var e = it.next();
                    long[] shape = e.getKey().endsWith("2-3") ? new long[] {3, 4, 1} : new long[] {3, 4, 2};
                    ChunkLayout layout = new ChunkLayout(shape, 1, a.dataType());
                    MemorySegment chunk = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
                    c.decode(MemorySegment.ofArray(Fixtures.hex(e.getValue().asText())), layout, chunk, e.getKey());
                    assertEquals(e.getValue().asText(), Fixtures.hex(c.encode(chunk, layout)), dir + " " + e.getKey());
                }
            }
        }
        assertEquals(List.of("precomputed_cseg_uint32", "precomputed_cseg_uint64"), seen);
    }

    @Test
    void junkChunkIsCorrupt() {
        CompressedSegmentationCodec c = new CompressedSegmentationCodec(new long[] {3, 2, 1});
        ChunkLayout layout = new ChunkLayout(new long[] {3, 4, 2}, 1, DataType.UINT32);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) layout.byteSize()]);
        assertThrows(CorruptChunkException.class, () -> c.decode(MemorySegment.ofArray("junk".getBytes()), layout, out, "k"));
    }

    @Test
    void bitsPerValue() {
        int[] expected = {0, 0, 1, 2, 2, 4, 4, 4, 4, 4};
        for (int n = 0; n < expected.length; n++) assertEquals(expected[n], CompressedSegmentationCodec.bitsFor(n), "n=" + n);
        assertEquals(4, CompressedSegmentationCodec.bitsFor(16));
        assertEquals(8, CompressedSegmentationCodec.bitsFor(17));
        assertEquals(16, CompressedSegmentationCodec.bitsFor(257));
        assertEquals(32, CompressedSegmentationCodec.bitsFor(65537));
    }
}
