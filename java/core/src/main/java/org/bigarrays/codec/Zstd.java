package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.bigarrays.CorruptChunkException;

/**
 * zstd frames through zstd-jni. Off-heap segments go straight to its direct-ByteBuffer calls;
 * heap segments backed by a byte[] use its array calls with offsets; anything else is copied
 * off-heap first.
 */
final class Zstd {
    /** zstd's default level: fast, and about gzip -6's ratio on image data. */
    static final int LEVEL = 3;

    private Zstd() {}

    static long decompress(MemorySegment in, MemorySegment out, String key) {
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

    static MemorySegment compress(MemorySegment in) {
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
}
