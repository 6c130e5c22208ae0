package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.bigarrays.CorruptChunkException;

/**
 * The pure-Java twin of {@link GzipCodec}: gzip (RFC 1952) over segments with {@code java.util.zip}, without a byte[] round trip: the
 * header is parsed here, the deflate stream inflated straight into the caller's buffer, and the
 * trailer's CRC-32 and length checked, so a damaged chunk is reported, never returned.
 */
final class Gzip {
    static final int LEVEL = 6;

    private Gzip() {}

    static long decompress(MemorySegment in, MemorySegment out, String key) {
        long n = in.byteSize();
        if (n < 18) throw new CorruptChunkException(key, "gzip stream of " + n + " bytes is shorter than a gzip header and trailer");
        int flg = in.get(ValueLayout.JAVA_BYTE, 3) & 0xff;
        if (u8(in, 0) != 0x1f || u8(in, 1) != 0x8b) throw new CorruptChunkException(key, "gzip: no gzip magic 1f 8b");
        if ((in.get(ValueLayout.JAVA_BYTE, 2) & 0xff) != 8) throw new CorruptChunkException(key, "gzip: unknown compression method");
        if ((flg & 0xe0) != 0) throw new CorruptChunkException(key, "gzip: reserved header flags set");
        long p = 10;
        if ((flg & 4) != 0) p += 2 + (u8(in, p) | (u8(in, p + 1) << 8));
        if ((flg & 8) != 0) p = skipZeroTerminated(in, p, key);
        if ((flg & 16) != 0) p = skipZeroTerminated(in, p, key);
        if ((flg & 2) != 0) p += 2;
        if (p > n - 8) throw new CorruptChunkException(key, "gzip header runs past the end of the data");
        Inflater inf = new Inflater(true);
        try {
            ByteBuffer src = in.asSlice(p, n - p).asByteBuffer();
            ByteBuffer dst = out.asByteBuffer();
            inf.setInput(src);
            while (!inf.finished()) {
                int got = inf.inflate(dst);
                if (got == 0) {
                    if (inf.needsInput()) throw new CorruptChunkException(key, "gzip stream is truncated");
                    if (!dst.hasRemaining()) {
                        // A full output can still meet the stream's end (an empty final block, or an empty chunk): only more bytes are an error.
                        if (inf.inflate(new byte[1]) > 0 || !inf.finished()) {
                            throw new CorruptChunkException(key, "gzip data inflates to more than the chunk's " + out.byteSize() + " bytes");
                        }
                        break;
                    }
                    if (inf.needsDictionary()) throw new CorruptChunkException(key, "gzip stream needs a preset dictionary");
                }
            }
            long produced = dst.position();
            long trailer = p + (n - p - inf.getRemaining());
            if (trailer + 8 > n) throw new CorruptChunkException(key, "gzip trailer is missing");
            if (trailer + 8 < n) throw new CorruptChunkException(key, "gzip stream ends at byte " + (trailer + 8) + " of " + n + ": trailing bytes");
            ByteBuffer t = in.asSlice(trailer, 8).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int crc = t.getInt();
            int isize = t.getInt();
            CRC32 c = new CRC32();
            c.update(out.asSlice(0, produced).asByteBuffer());
            if ((int) c.getValue() != crc) throw new CorruptChunkException(key, "gzip CRC-32 mismatch: the chunk is damaged");
            if (isize != (int) produced) throw new CorruptChunkException(key, "gzip length field says " + Integer.toUnsignedLong(isize) + " bytes, inflated " + produced);
            return produced;
        } catch (DataFormatException e) {
            throw new CorruptChunkException(key, "gzip: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static int u8(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
    }

    private static long skipZeroTerminated(MemorySegment in, long p, String key) {
        while (p < in.byteSize() && in.get(ValueLayout.JAVA_BYTE, p) != 0) p++;
        if (p >= in.byteSize()) throw new CorruptChunkException(key, "gzip header field is not terminated");
        return p + 1;
    }

    static MemorySegment compress(MemorySegment in, int level) {
        Deflater def = new Deflater(level, true);
        try {
            ByteBuffer src = in.asByteBuffer();
            def.setInput(src);
            def.finish();
            byte[] out = new byte[(int) Math.min(Integer.MAX_VALUE - 16, in.byteSize() + in.byteSize() / 1000 + 64)];
            int pos = 10;
            out[0] = 0x1f;
            out[1] = (byte) 0x8b;
            out[2] = 8;
            out[9] = (byte) 255; // OS unknown; MTIME 0, so equal input gives equal bytes
            while (!def.finished()) {
                if (pos == out.length - 8) out = java.util.Arrays.copyOf(out, out.length * 2);
                pos += def.deflate(out, pos, out.length - 8 - pos);
            }
            CRC32 c = new CRC32();
            c.update(in.asByteBuffer());
            ByteBuffer t = ByteBuffer.wrap(out, pos, 8).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt((int) c.getValue());
            t.putInt((int) in.byteSize());
            return MemorySegment.ofArray(out).asSlice(0, pos + 8);
        } finally {
            def.end();
        }
    }
}
