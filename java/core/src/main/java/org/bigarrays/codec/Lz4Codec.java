package org.bigarrays.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.Lz4;

/**
 * LZ4 frames (magic {@code 04 22 4D 18}, what the {@code lz4} tool writes) through
 * lz4-java. lz4-java offers the frame format only as streams, so the input is read through a
 * ByteBuffer view of the segment and the output is written in 64 KiB steps into the caller's
 * segment: no byte[] copy of the whole chunk. {@link #DEFAULT} uses lz4-java's fastest
 * implementation (JNI where it loads), {@link #JAVA} its pure-Java one: twins.
 */
final class Lz4Codec implements BytesCodec {
    /** lz4-java's fastest implementation allowed by the native switch (JNI where it loads and is on). */
    public static final Lz4Codec DEFAULT = new Lz4Codec(true);
    /** lz4-java's pure-Java (safe) implementation: the twin. */
    public static final Lz4Codec JAVA = new Lz4Codec(false);

    private final boolean fastest;
    // Found on first use, not at class load: a layer read without lz4 (detecting the compression
    // touches this class) never loads lz4-java or its JNI library.
    private volatile LZ4Factory lz4;
    private volatile XXHashFactory xxhash;

    private Lz4Codec(boolean fastest) {
        this.fastest = fastest;
    }

    private LZ4Factory lz4() {
        LZ4Factory f = lz4;
        if (f == null) lz4 = f = fastest ? Lz4.factory() : LZ4Factory.safeInstance();
        return f;
    }

    private XXHashFactory xxhash() {
        XXHashFactory f = xxhash;
        if (f == null) xxhash = f = fastest ? Lz4.xxhash() : XXHashFactory.safeInstance();
        return f;
    }

    @Override
    public String name() {
        return "lz4";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return Compression.LZ4.hasMagic(bytes);
    }

    @Override
    public String toString() {
        return "lz4 (" + lz4() + ")";
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (!matches(in)) throw new CorruptChunkException(key, "lz4: no lz4 frame magic 04 22 4d 18");
        byte[] buf = new byte[1 << 16];
        long pos = 0;
        try (InputStream s = new LZ4FrameInputStream(new SegmentInputStream(in.asByteBuffer()), lz4().safeDecompressor(), xxhash().hash32())) {
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

    @Override
    public MemorySegment encode(MemorySegment in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, in.byteSize() / 2 + 64));
        byte[] buf = new byte[1 << 16];
        try (LZ4FrameOutputStream s = new LZ4FrameOutputStream(bytes, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB, -1L,
                lz4().fastCompressor(), xxhash().hash32(),
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
