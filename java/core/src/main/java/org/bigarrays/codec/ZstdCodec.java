package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bigarrays.CorruptChunkException;

/**
 * zstd frames (magic {@code 28 B5 2F FD}) through zstd-jni, written with a content checksum so
 * damage is detected. Concatenated frames are read; anything else after a frame is corruption. Off-heap segments go straight to its direct-ByteBuffer calls;
 * heap segments backed by a byte[] use its array calls with offsets; anything else is copied
 * off-heap first.
 */
public final class ZstdCodec implements BytesCodec {
    public static final ZstdCodec INSTANCE = new ZstdCodec();

    /** zstd's default level: fast, and about gzip -6's ratio on image data. */
    static final int LEVEL = 3;

    private ZstdCodec() {}

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return bytes.byteSize() >= 4 && bytes.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0) == 0xFD2FB528;
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (!matches(in)) throw new CorruptChunkException(key, "zstd: no zstd magic 28 b5 2f fd");
        return decompress(in, out, key);
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        return compress(in);
    }

    private static long decompress(MemorySegment in, MemorySegment out, String key) {
        if (in.byteSize() > Integer.MAX_VALUE || out.byteSize() > Integer.MAX_VALUE) {
            throw new CorruptChunkException(key, "zstd chunk larger than 2 GiB is not supported");
        }
        long n;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = in.isNative() ? in : a.allocate(in.byteSize()).copyFrom(in);
            if (out.isNative()) {
                n = com.github.luben.zstd.Zstd.decompressDirectByteBuffer(out.asByteBuffer(), 0, (int) out.byteSize(),
                        src.asByteBuffer(), 0, (int) src.byteSize());
                check(n, key, out);
            } else {
                MemorySegment tmp = a.allocate(out.byteSize());
                n = com.github.luben.zstd.Zstd.decompressDirectByteBuffer(tmp.asByteBuffer(), 0, (int) tmp.byteSize(),
                        src.asByteBuffer(), 0, (int) src.byteSize());
                check(n, key, out);
                MemorySegment.copy(tmp, 0, out, 0, n);
            }
        } catch (com.github.luben.zstd.ZstdException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("too small")) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + out.byteSize() + " bytes", e);
            }
            throw new CorruptChunkException(key, "zstd: " + e.getMessage(), e);
        }
        return n;
    }

    private static void check(long n, String key, MemorySegment out) {
        if (com.github.luben.zstd.Zstd.isError(n)) {
            String name = com.github.luben.zstd.Zstd.getErrorName(n);
            if (name.toLowerCase(java.util.Locale.ROOT).contains("too small")) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + out.byteSize() + " bytes");
            }
            throw new CorruptChunkException(key, "zstd: " + name);
        }
    }

    private static MemorySegment compress(MemorySegment in) {
        if (in.byteSize() > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("zstd chunk larger than 1 GiB");
        int bound = (int) com.github.luben.zstd.Zstd.compressBound(in.byteSize());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = in.isNative() ? in : a.allocate(in.byteSize()).copyFrom(in);
            ByteBuffer dst = ByteBuffer.allocateDirect(bound);
            long n = com.github.luben.zstd.Zstd.compressDirectByteBuffer(dst, 0, bound, src.asByteBuffer(), 0, (int) src.byteSize(), LEVEL, true); // with checksum: damage is detected
            if (com.github.luben.zstd.Zstd.isError(n)) throw new IllegalStateException("zstd: " + com.github.luben.zstd.Zstd.getErrorName(n));
            byte[] out = new byte[(int) n];
            dst.get(0, out);
            return MemorySegment.ofArray(out);
        }
    }

    @Override
    public String toString() {
        return "zstd";
    }
}
