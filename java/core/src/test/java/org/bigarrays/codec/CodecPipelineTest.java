package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** The raw-vs-compressed rules of {@link CodecPipeline#decode} (issue 15.5), the stage list's validation, and bounded decoding. */
class CodecPipelineTest {
    private static final ChunkLayout L = new ChunkLayout(new long[] {16, 16, 4}, 1, DataType.UINT8);
    private static final CodecPipeline RAW = Encoding.RAW.pipeline(DataType.UINT8).withTransportDetection();

    private static MemorySegment decode(CodecPipeline p, MemorySegment stored) {
        MemorySegment out = MemorySegment.ofArray(new byte[(int) L.byteSize()]);
        p.decode(stored, L, out, "k");
        return out;
    }

    @Test
    void rawChunkThatIsAGzipStreamPlusPaddingStaysRaw() {
        MemorySegment plain = Subjects.sample(L, Subjects.Data.LABELS, 1);
        MemorySegment gz = GzipCodec.DEFAULT.encode(plain);
        // Voxels that happen to be a valid gzip stream of the chunk's size, then zeros up to the chunk's size.
        byte[] stored = new byte[(int) L.byteSize()];
        MemorySegment.copy(gz, 0, MemorySegment.ofArray(stored), 0, gz.byteSize());
        MemorySegment s = MemorySegment.ofArray(stored);
        assertEquals(-1, s.mismatch(decode(RAW, s)), "read as raw, not inflated");
        assertNull(RAW.decodeInPlace(s, L, "k"), "ambiguous: decode decides");
    }

    @Test
    void compressedChunksAreDetectedByMagicOnlyWhenWhole() {
        MemorySegment plain = Subjects.sample(L, Subjects.Data.LABELS, 2);
        for (Compression c : new Compression[] {Compression.GZIP, Compression.ZSTD, Compression.LZ4}) {
            MemorySegment packed = RAW.encode(plain, L, c);
            assertEquals(-1, plain.mismatch(decode(RAW, packed)), c.name());
            byte[] trailing = java.util.Arrays.copyOf(packed.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), (int) packed.byteSize() + 3);
            assertThrows(CorruptChunkException.class, () -> decode(RAW, MemorySegment.ofArray(trailing)), c + " with trailing bytes");
        }
    }

    @Test
    void exactRawIsReturnedInPlace() {
        MemorySegment plain = Subjects.sample(L, Subjects.Data.NOISE, 3);
        plain.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0); // no magic
        assertSame(plain, RAW.decodeInPlace(plain, L, "k"));
        assertNull(RAW.decodeInPlace(plain.asSlice(1), L, "k"));
        assertNull(Encoding.GZIP.pipeline(DataType.UINT8).decodeInPlace(plain, L, "k"));
    }

    /** A blosc 1 buffer holding {@code data} stored as it is (flags: byte shuffle, memcpyed), as libblosc writes noise. */
    private static MemorySegment bloscStoredAsIs(MemorySegment data) {
        int n = (int) data.byteSize();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 2).put((byte) 1).put((byte) 0x03).put((byte) 1).putInt(n).putInt(n).putInt(16 + n);
        b.put(data.asByteBuffer());
        return MemorySegment.ofArray(b.array());
    }

    @Test
    void bloscStoredAsIsIsReturnedInPlaceWithTheVoxelsDecodeGives() {
        CodecPipeline p = Encoding.BLOSCLZ.pipeline(DataType.UINT8);
        MemorySegment noise = Subjects.sample(L, Subjects.Data.NOISE, 4);
        MemorySegment stored = bloscStoredAsIs(noise);
        if (!BloscCodec.available()) { // native off: every blosc chunk is refused alike, none read in place
            assertNull(p.decodeInPlace(stored, L, "k"));
            assertThrows(org.bigarrays.FormatException.class, () -> decode(p, stored));
            return;
        }
        assertEquals(-1, stored.mismatch(p.encode(noise, L, Compression.NONE)), "what libblosc writes for noise");
        MemorySegment inPlace = p.decodeInPlace(stored, L, "k");
        assertEquals(stored.address() + 16, inPlace.address(), "a slice of the stored bytes, no copy");
        assertEquals(-1, noise.mismatch(inPlace));
        assertEquals(-1, decode(p, stored).mismatch(inPlace), "the same voxels as decode");
        // A compressed chunk is decoded, not sliced.
        assertNull(p.decodeInPlace(p.encode(Subjects.sample(L, Subjects.Data.LABELS, 5), L, Compression.NONE), L, "k"));
        // Sizes that disagree with the input or the chunk are refused, not sliced.
        byte[] b = stored.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThrows(CorruptChunkException.class, () -> p.decodeInPlace(MemorySegment.ofArray(java.util.Arrays.copyOf(b, b.length + 1)), L, "k"));
        assertThrows(CorruptChunkException.class, () -> p.decodeInPlace(MemorySegment.ofArray(b).asSlice(0, b.length - 1), L, "k"));
        ChunkLayout smaller = new ChunkLayout(new long[] {16, 16, 2}, 1, DataType.UINT8);
        assertThrows(CorruptChunkException.class, () -> p.decodeInPlace(stored, smaller, "k"));
    }

    @Test
    void withoutTransportDetectionAGzipLookingChunkIsRawOrWrongSized() {
        CodecPipeline sharded = Encoding.RAW.pipeline(DataType.UINT8);
        MemorySegment packed = GzipCodec.DEFAULT.encode(Subjects.sample(L, Subjects.Data.LABELS, 4));
        assertThrows(CorruptChunkException.class, () -> decode(sharded, packed), "not the chunk's size");
    }

    @Test
    void bigArraysJlEncodingsIgnoreTransport() {
        CodecPipeline p = Encoding.ZSTD.pipeline(DataType.UINT8);
        assertEquals(Compression.NONE, p.effective(Compression.GZIP));
        assertEquals(Compression.GZIP, RAW.effective(Compression.GZIP));
    }

    @Test
    void transportDetectionOnlyAfterTheArrayStage() {
        for (Encoding e : new Encoding[] {Encoding.GZIP, Encoding.ZSTD}) {
            assertThrows(IllegalArgumentException.class, () -> e.pipeline(DataType.UINT8).withTransportDetection(), e.jsonName());
        }
        CodecPipeline cseg = Encoding.COMPRESSED_SEGMENTATION.pipeline(DataType.UINT32).withTransportDetection();
        assertTrue(cseg.detectsTransport());
        assertEquals(List.of(), cseg.bytesCodecs());
    }

    @Test
    void onlyRawWithoutBytesStagesStoresPlain() {
        assertTrue(RAW.storesPlain());
        assertTrue(Encoding.RAW.pipeline(DataType.UINT8).storesPlain());
        for (Encoding e : Encoding.values()) {
            if (e != Encoding.RAW) assertFalse(e.pipeline(DataType.UINT32).storesPlain(), e.jsonName());
        }
    }

    @Test
    void bytesStagesDecodeInReverseOrder() {
        // Two bytes stages (no precomputed encoding has them; the pipeline allows any number).
        CodecPipeline p = CodecPipeline.of(RawCodec.INSTANCE, GzipCodec.DEFAULT, ZstdCodec.INSTANCE);
        MemorySegment plain = Subjects.sample(L, Subjects.Data.LABELS, 5);
        MemorySegment packed = p.encode(plain, L, Compression.GZIP);
        assertTrue(Compression.ZSTD.hasMagic(packed), "zstd outermost");
        assertEquals(-1, plain.mismatch(decode(p, packed)));
        CodecPipeline png = CodecPipeline.of(PngCodec.of(null), ZstdCodec.INSTANCE);
        assertEquals(-1, plain.mismatch(decode(png, png.encode(plain, L, Compression.NONE))), "array stage after a bytes stage");
    }

    @Test
    void boundedDecodeRefusesWhatExceedsTheCap() {
        MemorySegment plain = Subjects.sample(L, Subjects.Data.LABELS, 6);
        MemorySegment gz = Compression.GZIP.compress(plain);
        assertEquals(-1, plain.mismatch(Compression.GZIP.decodeBounded(gz, L.byteSize(), null, "s", "chunk data").bytes()));
        CorruptChunkException big = assertThrows(CorruptChunkException.class, () -> Compression.GZIP.decodeBounded(gz, L.byteSize() - 1, null, "s", "chunk data"));
        assertTrue(big.getMessage().contains("declares " + L.byteSize()), big.getMessage());
        assertThrows(CorruptChunkException.class, () -> Compression.GZIP.decodeBounded(plain, L.byteSize(), null, "s", "chunk data"), "no magic");
        assertThrows(CorruptChunkException.class, () -> Compression.GZIP.decodeBounded(gz.asSlice(0, 10), L.byteSize(), null, "s", "chunk data"), "too short");
        assertSame(plain, Compression.NONE.decodeBounded(plain, L.byteSize(), null, "s", "chunk data").bytes());
        assertThrows(CorruptChunkException.class, () -> Compression.NONE.decodeBounded(plain, L.byteSize() - 1, null, "s", "chunk data"));
    }
}
