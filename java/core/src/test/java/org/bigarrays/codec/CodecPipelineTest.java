package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** The raw-vs-compressed rules of {@link CodecPipeline#decode} (issue 15.5). */
class CodecPipelineTest {
    private static final ChunkLayout L = new ChunkLayout(new long[] {16, 16, 4}, 1, DataType.UINT8);
    private static final CodecPipeline RAW = CodecPipeline.of(Encoding.RAW, DataType.UINT8, null, null, null, true);

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
        assertNull(CodecPipeline.of(Encoding.GZIP, DataType.UINT8, null, null, null, true).decodeInPlace(plain, L, "k"));
    }

    @Test
    void withoutTransportDetectionAGzipLookingChunkIsRawOrWrongSized() {
        CodecPipeline sharded = CodecPipeline.of(Encoding.RAW, DataType.UINT8, null, null, null, false);
        MemorySegment packed = GzipCodec.DEFAULT.encode(Subjects.sample(L, Subjects.Data.LABELS, 4));
        assertThrows(CorruptChunkException.class, () -> decode(sharded, packed), "not the chunk's size");
    }

    @Test
    void bigArraysJlEncodingsIgnoreTransport() {
        CodecPipeline p = CodecPipeline.of(Encoding.ZSTD, DataType.UINT8, null, null, null, true);
        assertEquals(Compression.NONE, p.effective(Compression.GZIP));
        assertEquals(Compression.GZIP, RAW.effective(Compression.GZIP));
    }
}
