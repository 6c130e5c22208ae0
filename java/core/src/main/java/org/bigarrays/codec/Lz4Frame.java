package org.bigarrays.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.Lz4;

/**
 * LZ4 frame format (magic {@code 04 22 4D 18}, what the {@code lz4} tool writes) through
 * lz4-java. lz4-java offers the frame format only as streams, so the input is read through a
 * ByteBuffer view of the segment and the output is written in 64 KiB steps into the caller's
 * segment: no byte[] copy of the whole chunk.
 */
final class Lz4Frame {
    private Lz4Frame() {}

    static long decompress(MemorySegment in, MemorySegment out, String key) {
        byte[] buf = new byte[1 << 16];
        long pos = 0;
        try (InputStream s = new LZ4FrameInputStream(new SegmentInputStream(in.asByteBuffer()), Lz4.factory().safeDecompressor(), Lz4.xxhash().hash32())) {
            for (int k; (k = s.read(buf, 0, buf.length)) > 0; ) {
                if (pos + k > out.byteSize()) {
                    throw new CorruptChunkException(key, "lz4 data decompresses to more than the chunk's " + out.byteSize() + " bytes");
                }
                MemorySegment.copy(buf, 0, out, ValueLayout.JAVA_BYTE, pos, k);
                pos += k;
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptChunkException c) throw c;
            throw new CorruptChunkException(key, "lz4 frame: " + e.getMessage(), e);
        }
        return pos;
    }

    static MemorySegment compress(MemorySegment in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, in.byteSize() / 2 + 64));
        byte[] buf = new byte[1 << 16];
        try (LZ4FrameOutputStream s = new LZ4FrameOutputStream(bytes, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB, -1L, Lz4.factory().fastCompressor(), Lz4.xxhash().hash32(),
                // content checksum (as the lz4 tool writes by default): damage is detected
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
            for (long p = 0; p < in.byteSize(); p += buf.length) {
                int k = (int) Math.min(buf.length, in.byteSize() - p);
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, p, buf, 0, k);
                s.write(buf, 0, k);
            }
        } catch (IOException e) {
            throw new IllegalStateException("lz4 compression failed", e);
        }
        return MemorySegment.ofArray(bytes.toByteArray());
    }

    /** An InputStream over a ByteBuffer's remaining bytes. */
    private static final class SegmentInputStream extends InputStream {
        private final ByteBuffer b;

        SegmentInputStream(ByteBuffer b) {
            this.b = b;
        }

        @Override
        public int read() {
            return b.hasRemaining() ? b.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (len == 0) return 0;
            if (!b.hasRemaining()) return -1;
            int k = Math.min(len, b.remaining());
            b.get(dst, off, k);
            return k;
        }

        @Override
        public int available() {
            return b.remaining();
        }
    }
}
