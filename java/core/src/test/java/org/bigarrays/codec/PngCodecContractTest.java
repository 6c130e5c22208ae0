package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

class PngCodecContractTest extends CodecContract {
    static List<Subject> all() {
        return Subjects.layouts(new DataType[] {DataType.UINT8, DataType.UINT16}, 1, 2, 3, 4).stream()
                .flatMap(l -> java.util.stream.Stream.of(PngCodec.of(6), PngCodec.of(6).javaOnly()) // libspng and its twin, ImageIO
                        .map(codec -> Subjects.array(codec, l, Subjects.Data.SMOOTH, 0)))
                .toList();
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }

    /** Issue 15.7: a few-MB PNG declaring 40000x40000 fails on its header, before any inflating. */
    @Test
    void hugeDeclaredImageFailsFastOnTheHeader() throws Exception {
        // IDAT: 3 MB of zlib stream that would inflate to 40000 rows of 40001 bytes (1.6 GB).
        Deflater d = new Deflater(9);
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        for (long fed = 0; fed < 40000L * 40001 && idat.size() < 3_000_000; fed += zeros.length) {
            d.setInput(zeros);
            while (!d.needsInput()) idat.write(buf, 0, d.deflate(buf));
        }
        d.finish();
        while (!d.finished()) idat.write(buf, 0, d.deflate(buf));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(40000).putInt(40000).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 1}, 1, DataType.UINT8);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long t0 = System.nanoTime();
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> PngCodec.of(6).decode(MemorySegment.ofArray(png.toByteArray()), l, out, "k"));
        assertTrue(e.getMessage().contains("40000x40000"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "the header check is instant");
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 256L << 20, "no large allocation: " + (after - before));
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes()).put(data);
        CRC32 c = new CRC32();
        c.update(b.array(), 4, 4 + data.length);
        b.putInt((int) c.getValue());
        out.writeBytes(b.array());
    }
}
