package org.bigarrays.precomputed;

import org.bigarrays.codec.CompressedSegmentationCodec;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.codec.JpegCodec;
import org.bigarrays.codec.PngCodec;
import org.bigarrays.codec.RawCodec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecsTest {
    private static Info info(DataType t, int channels, String encoding) {
        Info i = Info.builder(t, new long[] {40, 30, 6}, new long[] {16, 16, 4}).channels(channels).build();
        return EncodingSpec.of(encoding).applyTo(i);
    }

    @Test
    void registryBuildsEveryEncoding() {
        assertInstanceOf(RawCodec.class, ChunkCodec.forScale(info(DataType.UINT8, 1, "raw"), info(DataType.UINT8, 1, "raw").scale(0)).pipeline().arrayCodec());
        Info cs = info(DataType.UINT32, 1, "compressed_segmentation");
        assertInstanceOf(CompressedSegmentationCodec.class, ChunkCodec.forScale(cs, cs.scale(0)).pipeline().arrayCodec());
        Info jp = info(DataType.UINT8, 1, "jpeg");
        assertInstanceOf(JpegCodec.class, ChunkCodec.forScale(jp, jp.scale(0)).pipeline().arrayCodec());
        Info pn = info(DataType.UINT8, 1, "png");
        assertInstanceOf(PngCodec.class, ChunkCodec.forScale(pn, pn.scale(0)).pipeline().arrayCodec());
        for (Encoding e : Encoding.values()) {
            if (e == Encoding.COMPRESSED_SEGMENTATION) continue;
            Info i = info(DataType.UINT8, 1, e.jsonName());
            assertEquals(e, ChunkCodec.encoding(i.scale(0)));
            assertEquals(e.jsonName(), i.scale(0).encoding());
        }
        Info raw = info(DataType.UINT8, 1, "raw");
        assertThrows(FormatException.class, () -> ChunkCodec.forScale(raw, raw.scale(0).withEncoding("webp", null)).pipeline());
        assertTrue(ChunkCodec.neuroglancerReads("jxl"));
        assertTrue(ChunkCodec.neuroglancerReads("jpeg"));
        assertTrue(ChunkCodec.neuroglancerReads("compresso"));
        assertFalse(ChunkCodec.neuroglancerReads("blosclz"));
    }

    @Test
    void transportIsDetectedOnlyUnshardedAndOnlyRawStoresPlain() {
        Info raw = info(DataType.UINT8, 1, "raw");
        ChunkCodec plain = ChunkCodec.forScale(raw, raw.scale(0));
        assertTrue(plain.pipeline().detectsTransport());
        assertTrue(plain.storesPlain());
        Info gz = info(DataType.UINT8, 1, "gzip");
        assertFalse(ChunkCodec.forScale(gz, gz.scale(0)).pipeline().detectsTransport(), "a whole-chunk stage: no transport");
        assertFalse(ChunkCodec.forScale(gz, gz.scale(0)).storesPlain());
        for (Compression data : ShardingSpec.ENCODINGS) {
            Info sharded = Info.builder(DataType.UINT8, new long[] {40, 30, 6}, new long[] {16, 16, 4})
                    .sharding(new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 1, 1, Compression.NONE, data)).build();
            ChunkCodec c = ChunkCodec.forScale(sharded, sharded.scale(0));
            assertFalse(c.pipeline().detectsTransport(), "sharded: the data encoding, no transport");
            assertEquals(data == Compression.NONE, c.storesPlain(), "stored plain with " + data + " shard data");
        }
    }

    @Test
    void encodingSpecRefusesWhatCannotBeStored() {
        assertThrows(InvalidInputException.class, () -> info(DataType.UINT16, 1, "jpeg"));
        assertThrows(InvalidInputException.class, () -> info(DataType.UINT8, 2, "jpeg"));
        assertThrows(InvalidInputException.class, () -> info(DataType.UINT8, 1, "compressed_segmentation"));
        assertThrows(InvalidInputException.class, () -> info(DataType.FLOAT32, 1, "png"));
        assertThrows(InvalidInputException.class, () -> EncodingSpec.of("webp"));
        assertThrows(InvalidInputException.class, () -> new EncodingSpec("raw", new long[] {8, 8, 8}, null, null));
        assertThrows(InvalidInputException.class, () -> new EncodingSpec("jpeg", null, 101, null));
        assertEquals(8, new EncodingSpec("compressed_segmentation", null, null, null).blockSize()[0]);
    }

    /** Every encoding × transport compression written and read back through BigArray. */
    @Test
    void layersRoundTripThroughBigArray(@TempDir Path tmp) throws Exception {
        String[][] cases = {{"raw", "uint16", "2"}, {"compressed_segmentation", "uint64", "2"}, {"png", "uint16", "3"},
                {"png", "uint8", "4"}, {"gzip", "float32", "1"}, {"zstd", "int64", "1"}, {"blosclz", "uint32", "1"}};
        int n = 0;
        for (String[] c : cases) {
            // blosclz has no Java twin: with libblosc switched off it is an error (NativeSwitchTest checks which).
            if (c[0].equals("blosclz") && org.bigarrays.nativ.NativeLibrary.BLOSC.disabledByConfiguration()) continue;
            for (Compression comp : Compression.values()) {
                DataType t = DataType.of(c[1]);
                Info i = info(t, Integer.parseInt(c[2]), c[0]);
                String url = tmp.resolve("l" + n++).toString();
                Box box = Box.of(new long[] {0, 0, 0}, new long[] {40, 30, 6});
                NdView v = NdView.allocate(Arena.ofAuto(), t, new long[] {0, 0, 0, 0}, new long[] {40, 30, 6, i.numChannels()});
                for (long ch = 0; ch < i.numChannels(); ch++) for (long z = 0; z < 6; z++) for (long y = 0; y < 30; y++) for (long x = 0; x < 40; x++) {
                    v.set(new long[] {x, y, z, ch}, (x / 3 + y / 4 * 7 + z * 3 + ch * 11) % 200);
                }
                try (BigArray a = BigArray.create(url, i, Options.defaults().withCompression(comp))) {
                    a.write(v);
                }
                try (BigArray a = BigArray.open(url)) {
                    assertEquals(-1, v.segment().mismatch(a.read(box).segment()), c[0] + " " + c[1] + " " + comp);
                }
            }
        }
    }

    @Test
    void corruptChunkInALayerNamesScaleAndChunk(@TempDir Path dir) throws Exception {
        Info i = info(DataType.UINT32, 1, "compressed_segmentation");
        try (BigArray a = BigArray.create(dir.toString(), i)) {
            Path chunk = dir.resolve(i.scale(0).key()).resolve("0-16_0-16_0-4");
            Files.createDirectories(chunk.getParent());
            Files.write(chunk, new byte[] {1, 0, 0, 0, 9, 9, 9});
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> a.read(Box.of(new long[] {0, 0, 0}, new long[] {4, 4, 4})));
            assertTrue(e.key().endsWith("0-16_0-16_0-4"), e.key());
        }
    }
}
