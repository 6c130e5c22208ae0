package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.Blosc;
import org.bigarrays.nativ.NativeLibrary;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BigArrays.jl's encodings: the raw chunk compressed whole (a pipeline of raw + a bytes codec). */
class CompressedRawCodecTest {
    /** blosclz only while libblosc is switched on: it has no Java twin (NativeSwitchTest checks the error when off). */
    private static Encoding[] encodings() {
        if (NativeLibrary.BLOSC.disabledByConfiguration()) return new Encoding[] {Encoding.GZIP, Encoding.ZSTD};
        assertTrue(Blosc.available(), "libblosc.so.1 is installed here (Debian libblosc1)");
        return new Encoding[] {Encoding.GZIP, Encoding.ZSTD, Encoding.BLOSCLZ};
    }

    @Test
    void everyEncodingAndTypeRoundTrips() {
        Random r = new Random(5);
        for (Encoding enc : encodings()) {
            for (DataType t : DataType.values()) {
                ChunkLayout l = new ChunkLayout(new long[] {20, 11, 7}, 2, t);
                byte[] data = new byte[(int) l.byteSize()];
                for (int i = 0; i < data.length; i++) data[i] = (byte) (i % t.size() == 0 ? r.nextInt(4) : 0);
                CodecPipeline c = enc.pipeline(t);
                // The transport compression asked for is ignored: the encoding is compressed already.
                MemorySegment packed = c.encode(MemorySegment.ofArray(data), l, Compression.LZ4);
                assertEquals(-1, packed.mismatch(c.encode(MemorySegment.ofArray(data), l, Compression.NONE)), enc + " " + t);
                assertTrue(packed.byteSize() < data.length, enc + " " + t);
                MemorySegment back = MemorySegment.ofArray(new byte[data.length]);
                c.decode(packed, l, back, "k");
                assertEquals(-1, MemorySegment.ofArray(data).mismatch(back), enc + " " + t);
                // The wrong chunk size is an error, not a short read.
                ChunkLayout bigger = new ChunkLayout(new long[] {20, 11, 8}, 2, t);
                MemorySegment big = MemorySegment.ofArray(new byte[(int) bigger.byteSize()]);
                assertThrows(CorruptChunkException.class, () -> c.decode(packed, bigger, big, "k"), enc.jsonName());
                byte[] damaged = java.util.Arrays.copyOf(packed.toArray(ValueLayout.JAVA_BYTE), (int) packed.byteSize() - 3);
                CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> c.decode(MemorySegment.ofArray(damaged), l, back, "x/y"), enc.jsonName());
                assertEquals("x/y", e.key());
            }
        }
    }

    /** BigArrays.jl's test_BinDicts info, rewritten per encoding as its tests do, written and read back. */
    @Test
    void bigArraysJlLayersReadAndWrite(@TempDir Path root) throws Exception {
        Path info = Fixtures.dir().resolve("bigarrays/test_BinDicts/info");
        String text = Files.readString(info);
        for (Encoding e : encodings()) {
            String enc = e.jsonName();
            Path dir = Files.createDirectory(root.resolve("bajl-" + enc));
            Info parsed = Info.parse(text.replaceAll("\"encoding\"\\s*:\\s*\"[a-z_]+\"", "\"encoding\": \"" + enc + "\"").getBytes(), "info");
            assertEquals(enc, parsed.scale(0).encoding());
            try (BigArray a = BigArray.create(dir.toString(), parsed)) {
                Box box = Box.of(new long[] {0, 0, 0}, new long[] {200, 200, 10});
                Box inVolume = box.intersect(a.bounds());
                NdView v = NdView.allocate(java.lang.foreign.Arena.ofAuto(), a.dataType(), new long[] {inVolume.min(0), inVolume.min(1), inVolume.min(2), 0},
                        new long[] {inVolume.size(0), inVolume.size(1), inVolume.size(2), a.channels()});
                long n = 0;
                for (long z = 0; z < inVolume.size(2); z++) for (long y = 0; y < inVolume.size(1); y++) for (long x = 0; x < inVolume.size(0); x++) {
                    v.set(new long[] {inVolume.min(0) + x, inVolume.min(1) + y, inVolume.min(2) + z, 0}, (n++ * 7) % 251);
                }
                a.write(v);
                NdView back = a.read(inVolume);
                assertEquals(-1, v.segment().mismatch(back.segment()), enc);
            }
        }
    }
}
