package org.bigarrays.zarr.codec;

import static org.bigarrays.zarr.codec.ZarrSubjects.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.BloscCodec;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;

/** Validation of codecs lists, known answers, and the pipelines we write. */
class ZarrCodecPipelineTest {
    private static final String LE = "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}";

    private static FormatException refused(String codecs, DataType type, long... shape) {
        return assertThrows(FormatException.class, () -> ZarrCodecPipeline.parse(json(codecs), type, shape), codecs);
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should say " + p);
    }

    private static byte[] decode(ZarrCodecPipeline p, byte[] stored) {
        MemorySegment out = MemorySegment.ofArray(new byte[(int) p.chunkByteSize()]);
        p.decode(MemorySegment.ofArray(stored), out, "k");
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void unknownCodecsAreNamedWithTheSupportedOnes() {
        FormatException e = refused("[" + LE + ",{\"name\":\"lzma\",\"configuration\":{}}]", DataType.UINT16, 4);
        assertMessage(e, "'lzma'", "transpose, bytes, gzip, zstd, blosc, crc32c, sharding_indexed");
        // must_understand does not make an unknown codec optional: codecs change the bytes.
        assertMessage(refused("[" + LE + ",{\"name\":\"numcodecs.delta\",\"must_understand\":false}]", DataType.UINT16, 4), "'numcodecs.delta'");
    }

    @Test
    void stagesMustComeInOrderWithExactlyOneArrayToBytes() {
        assertMessage(refused("[{\"name\":\"gzip\",\"configuration\":{\"level\":1}}," + LE + "]", DataType.UINT16, 4), "'gzip' before the array → bytes");
        assertMessage(refused("[" + LE + ",{\"name\":\"transpose\",\"configuration\":{\"order\":[0]}}]", DataType.UINT16, 4), "'transpose' after");
        assertMessage(refused("[" + LE + "," + LE + "]", DataType.UINT16, 4), "second array → bytes");
        assertMessage(refused("[{\"name\":\"transpose\",\"configuration\":{\"order\":[0]}}]", DataType.UINT16, 4), "no array → bytes");
        assertMessage(refused("[]", DataType.UINT16, 4), "non-empty array");
        assertMessage(refused("{\"name\":\"bytes\"}", DataType.UINT8, 4), "non-empty array");
        assertMessage(refused("[{\"name\":\"sharding_indexed\",\"configuration\":{}}]", DataType.UINT8, 4), "sharding_indexed", "ShardingCodec");
    }

    @Test
    void configurationsAreChecked() {
        assertMessage(refused("[{\"name\":\"bytes\"}]", DataType.UINT16, 4), "\"endian\"", "uint16");
        assertMessage(refused("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"middle\"}}]", DataType.UINT16, 4), "little, big", "\"middle\"");
        assertMessage(refused("[{\"name\":\"bytes\",\"configuration\":{\"endianness\":\"little\"}}]", DataType.UINT16, 4), "unknown configuration \"endianness\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":10}}]", DataType.UINT16, 4), "gzip", "\"level\"", "0 to 9");
        assertMessage(refused("[" + LE + ",{\"name\":\"gzip\"}]", DataType.UINT16, 4), "gzip", "needs \"level\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":23}}]", DataType.UINT16, 4), "zstd", "\"level\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":1,\"checksum\":\"yes\"}}]", DataType.UINT16, 4), "\"checksum\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"blosc\",\"configuration\":{\"cname\":\"lzma\",\"clevel\":1,\"shuffle\":\"shuffle\",\"typesize\":2}}]", DataType.UINT16, 4),
                "\"cname\"", "\"lzma\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"blosc\",\"configuration\":{\"cname\":\"lz4\",\"clevel\":1,\"shuffle\":1,\"typesize\":2}}]", DataType.UINT16, 4),
                "\"shuffle\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"blosc\",\"configuration\":{\"cname\":\"lz4\",\"clevel\":1,\"shuffle\":\"shuffle\"}}]", DataType.UINT16, 4),
                "\"typesize\"");
        assertMessage(refused("[" + LE + ",{\"name\":\"crc32c\",\"configuration\":{\"seed\":1}}]", DataType.UINT16, 4), "crc32c", "\"seed\"");
        assertMessage(refused("[{\"name\":\"transpose\",\"configuration\":{\"order\":[0,0]}}," + LE + "]", DataType.UINT16, 4, 4), "not a permutation");
        assertMessage(refused("[{\"name\":\"transpose\",\"configuration\":{\"order\":[1,0]}}," + LE + "]", DataType.UINT16, 4, 4, 4), "rank 3");
        assertMessage(refused("[{\"name\":\"transpose\",\"configuration\":{\"order\":\"F\"}}," + LE + "]", DataType.UINT16, 4, 4), "\"order\"");
        assertMessage(refused("[{\"configuration\":{}}]", DataType.UINT16, 4), "\"name\"");
        assertMessage(refused("[{\"name\":\"bytes\",\"config\":{}}]", DataType.UINT8, 4), "unknown member \"config\"");
    }

    @Test
    void endianMayBeLeftOutForOneByteTypes() {
        for (DataType t : new DataType[] {DataType.UINT8, DataType.INT8, DataType.BOOL}) {
            ZarrCodecPipeline p = ZarrCodecPipeline.parse(json("[{\"name\":\"bytes\"}]"), t, new long[] {3});
            assertArrayEquals(new byte[] {1, 0, 1}, decode(p, new byte[] {1, 0, 1}));
            assertEquals("[{\"name\":\"bytes\"}]", p.toJson().toString());
        }
    }

    @Test
    void knownAnswers() {
        // crc32c("123456789") = e3069283 (RFC 3720's check value), appended little-endian.
        ZarrCodecPipeline crc = ZarrCodecPipeline.parse(json("[\"bytes\",\"crc32c\"]"), DataType.UINT8, new long[] {9});
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] stored = crc.encode(MemorySegment.ofArray(digits)).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(new byte[] {'1', '2', '3', '4', '5', '6', '7', '8', '9', (byte) 0x83, (byte) 0x92, 0x06, (byte) 0xe3}, stored);
        stored[12] ^= 1;
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> decode(crc, stored));
        assertEquals("k", e.key());
        assertMessage(e, "crc32c");

        // Big-endian uint16 0x0102, 0x0304: stored as written.
        ZarrCodecPipeline big = ZarrCodecPipeline.parse(json("[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}}]"), DataType.UINT16, new long[] {2});
        assertArrayEquals(new byte[] {2, 1, 4, 3}, decode(big, new byte[] {1, 2, 3, 4}));

        // transpose [1, 0] of the 2x3 array 0 1 2 / 3 4 5 stores its 3x2 transpose 0 3 / 1 4 / 2 5.
        ZarrCodecPipeline t = ZarrCodecPipeline.parse(json("[{\"name\":\"transpose\",\"configuration\":{\"order\":[1,0]}},\"bytes\"]"), DataType.UINT8, new long[] {2, 3});
        assertArrayEquals(new byte[] {0, 3, 1, 4, 2, 5}, t.encode(MemorySegment.ofArray(new byte[] {0, 1, 2, 3, 4, 5})).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5}, decode(t, new byte[] {0, 3, 1, 4, 2, 5}));
    }

    @Test
    void readsOtherWritersGzipAndZstd() throws Exception {
        byte[] plain = ZarrSubjects.sample(DataType.INT32, new long[] {20, 30}, 5).toArray(ValueLayout.JAVA_BYTE);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(plain);
        }
        ZarrCodecPipeline p = ZarrCodecPipeline.parse(json("[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":1}}]"), DataType.INT32, new long[] {20, 30});
        assertArrayEquals(plain, decode(p, gz.toByteArray()));
        ZarrCodecPipeline z = ZarrCodecPipeline.parse(json("[" + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":5,\"checksum\":false}}]"), DataType.INT32, new long[] {20, 30});
        assertArrayEquals(plain, decode(z, Zstd.compress(plain, 5)));
    }

    @Test
    void toJsonIsCanonicalAndParsesBackToTheSame() {
        String codecs = "[{\"name\":\"transpose\",\"configuration\":{\"order\":[2,0,1]}},{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}},"
                + "{\"name\":\"zstd\",\"configuration\":{\"level\":7,\"checksum\":true}},{\"name\":\"crc32c\"}]";
        ZarrCodecPipeline p = ZarrCodecPipeline.parse(json(codecs), DataType.FLOAT32, new long[] {2, 3, 4});
        assertEquals(json(codecs), p.toJson());
        assertEquals(p.toJson(), ZarrCodecPipeline.parse(p.toJson(), DataType.FLOAT32, new long[] {2, 3, 4}).toJson());
        // Bare names are read and written as objects.
        assertEquals(json("[{\"name\":\"bytes\"},{\"name\":\"crc32c\"}]"), ZarrCodecPipeline.parse(json("[\"bytes\",\"crc32c\"]"), DataType.UINT8, new long[] {1}).toJson());
    }

    @Test
    void thePipelinesWeWrite() {
        long[] shape = {4, 8, 8};
        assertEquals(json("[" + LE + "]"), ZarrCodecPipeline.of(DataType.UINT16, shape, "none", null, false).toJson());
        assertEquals(json("[" + LE + ",{\"name\":\"gzip\",\"configuration\":{\"level\":6}},{\"name\":\"crc32c\"}]"),
                ZarrCodecPipeline.of(DataType.UINT16, shape, "gzip", null, true).toJson());
        assertEquals(json("[" + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":3,\"checksum\":true}}]"), ZarrCodecPipeline.of(DataType.UINT16, shape, "zstd", null, false).toJson());
        assertEquals(json("[" + LE + ",{\"name\":\"zstd\",\"configuration\":{\"level\":-3,\"checksum\":true}}]"), ZarrCodecPipeline.of(DataType.UINT16, shape, "zstd", -3, false).toJson());
        assertEquals(json("[" + LE + ",{\"name\":\"blosc\",\"configuration\":{\"cname\":\"zstd\",\"clevel\":5,\"shuffle\":\"shuffle\",\"typesize\":2,\"blocksize\":0}}]"),
                ZarrCodecPipeline.of(DataType.UINT16, shape, "blosc", null, false).toJson());
        assertEquals(json("[" + LE + ",{\"name\":\"blosc\",\"configuration\":{\"cname\":\"zstd\",\"clevel\":9,\"shuffle\":\"bitshuffle\",\"typesize\":1,\"blocksize\":0}}]"),
                ZarrCodecPipeline.of(DataType.UINT8, shape, "blosc", 9, false).toJson());
        ZarrCodecPipeline p = ZarrCodecPipeline.of(DataType.UINT16, shape, "zstd", 1, true);
        assertEquals(DataType.UINT16, p.dataType());
        assertArrayEquals(shape, p.chunkShape());
        assertEquals(2 * 4 * 8 * 8, p.chunkByteSize());
        assertTrue(p.maxEncodedSize() >= p.chunkByteSize() + 4);

        assertMessage(assertThrows(InvalidInputException.class, () -> ZarrCodecPipeline.of(DataType.UINT16, shape, "lzma", null, false)), "'lzma'", "none, gzip, zstd or blosc");
        assertMessage(assertThrows(InvalidInputException.class, () -> ZarrCodecPipeline.of(DataType.UINT16, shape, "gzip", 9, false)), "gzip level 9");
        assertMessage(assertThrows(InvalidInputException.class, () -> ZarrCodecPipeline.of(DataType.UINT16, shape, "zstd", 30, false)), "zstd level 30");
        assertMessage(assertThrows(InvalidInputException.class, () -> ZarrCodecPipeline.of(DataType.UINT16, shape, "blosc", 10, false)), "blosc level 10");
        assertMessage(assertThrows(InvalidInputException.class, () -> ZarrCodecPipeline.of(DataType.UINT16, new long[] {4, 0}, "none", null, false)), "positive");
    }

    @Test
    void sizesAreCheckedBeforeAnythingIsWritten() {
        ZarrCodecPipeline p = ZarrCodecPipeline.of(DataType.UINT16, new long[] {10}, "none", null, false);
        assertThrows(IllegalArgumentException.class, () -> p.decode(MemorySegment.ofArray(new byte[20]), MemorySegment.ofArray(new byte[19]), "k"));
        assertThrows(IllegalArgumentException.class, () -> p.encode(MemorySegment.ofArray(new byte[21])));
        // A larger output is fine: only the chunk's bytes are written.
        byte[] out = new byte[30];
        java.util.Arrays.fill(out, (byte) 7);
        byte[] in = new byte[20];
        java.util.Arrays.fill(in, (byte) 1);
        p.decode(MemorySegment.ofArray(in), MemorySegment.ofArray(out), "k");
        assertEquals(1, out[19]);
        assertEquals(7, out[20]);
        // Stored bytes larger than any encoding: refused before decoding.
        ZarrCodecPipeline z = ZarrCodecPipeline.of(DataType.UINT16, new long[] {10}, "zstd", null, false);
        CorruptChunkException e = assertThrows(CorruptChunkException.class,
                () -> z.decode(MemorySegment.ofArray(new byte[(int) z.maxEncodedSize() + 1]), MemorySegment.ofArray(new byte[20]), "a/b"));
        assertEquals("a/b", e.key());
        // encode never hands back the caller's buffer.
        MemorySegment chunk = MemorySegment.ofArray(in);
        MemorySegment enc = p.encode(chunk);
        in[0] = 9;
        assertEquals(1, enc.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void bloscWithoutLibbloscSaysHowToTurnItOn() {
        ZarrCodecPipeline p = ZarrCodecPipeline.of(DataType.UINT16, new long[] {10}, "blosc", null, false); // metadata is read either way
        if (!NativeLibrary.BLOSC.disabledByConfiguration()) {
            assertTrue(BloscCodec.available(), "libblosc.so.1 is installed here: " + NativeLibrary.BLOSC.status());
            return;
        }
        FormatException e = assertThrows(FormatException.class, () -> p.encode(MemorySegment.ofArray(new byte[20])));
        assertMessage(e, "blosc");
        assertThrows(FormatException.class, () -> p.decode(MemorySegment.ofArray(new byte[40]), MemorySegment.ofArray(new byte[20]), "k"));
    }

    @Test
    void bloscReadsEveryCompressorTheHeaderNames() {
        if (NativeLibrary.BLOSC.disabledByConfiguration()) return; // no libblosc: bloscWithoutLibbloscSaysHowToTurnItOn
        byte[] plain = ZarrSubjects.sample(DataType.UINT32, new long[] {1000}, 3).toArray(ValueLayout.JAVA_BYTE);
        // Written with each compressor, read by a pipeline whose metadata names another: the header decides.
        ZarrCodecPipeline reader = ZarrCodecPipeline.parse(json("[" + LE + "," + BloscStageContractTest.blosc("lz4", 1, "shuffle", 4, 0) + "]"), DataType.UINT32, new long[] {1000});
        for (String cname : BloscCodec.compressors()) {
            ZarrCodecPipeline w = ZarrCodecPipeline.parse(json("[" + LE + "," + BloscStageContractTest.blosc(cname, 5, "bitshuffle", 4, 0) + "]"), DataType.UINT32, new long[] {1000});
            assertArrayEquals(plain, decode(reader, w.encode(MemorySegment.ofArray(plain)).toArray(ValueLayout.JAVA_BYTE)), cname);
        }
        // A compressor code blosc 1 does not define (flags bits 5..7 = 7) is corruption.
        byte[] enc = reader.encode(MemorySegment.ofArray(plain)).toArray(ValueLayout.JAVA_BYTE);
        enc[2] = (byte) ((enc[2] & 0x1f) | (7 << 5));
        assertMessage(assertThrows(CorruptChunkException.class, () -> decode(reader, enc)), "compressor code 7");
    }
}
