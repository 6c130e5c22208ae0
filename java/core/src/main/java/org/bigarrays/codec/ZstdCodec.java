package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.LibZstd;

/**
 * zstd frames (magic {@code 28 B5 2F FD}), written at level 3 (or the level of {@link #atLevel})
 * with a content checksum so damage is detected. Concatenated frames are read; anything else after a frame is corruption.
 * Runs through the system's libzstd when it loads ({@link LibZstd}: pooled contexts, heap or
 * off-heap segments passed without copies, decoded straight into the chunk buffer), else
 * through zstd-jni ({@link #JNI}, the twin): off-heap segments go straight to its
 * direct-ByteBuffer calls; heap input is copied off-heap first, and heap output is decoded into
 * a pooled scratch buffer and copied. Both read each other's output.
 */
public final class ZstdCodec implements BytesCodec {
    /** libzstd when loaded, else zstd-jni. */
    public static final ZstdCodec INSTANCE = new ZstdCodec(LibZstd.available(), ZstdCodec.LEVEL);
    /** zstd-jni only: the twin used when libzstd is off or missing. */
    public static final ZstdCodec JNI = new ZstdCodec(false, ZstdCodec.LEVEL);

    /** zstd's default level: fast, and about gzip -6's ratio on image data. */
    public static final int LEVEL = 3;
    /** The fastest level libzstd (1.4 and later) takes: {@code ZSTD_minCLevel()}. */
    public static final int MIN_LEVEL = -131072;
    /** The strongest level: {@code ZSTD_maxCLevel()}. */
    public static final int MAX_LEVEL = 22;

    private final boolean libzstd;
    private final int level;

    private ZstdCodec(boolean libzstd, int level) {
        this.libzstd = libzstd;
        this.level = level;
    }

    /**
     * The codec writing at {@code level} (reads are the same at every level): libzstd when
     * loaded, else zstd-jni. Negative levels are zstd's fast levels (larger output, faster
     * writes); 0 is zstd's default (3).
     * @throws org.bigarrays.InvalidInputException when {@code level} is outside {@link #MIN_LEVEL}..{@link #MAX_LEVEL}
     */
    public static ZstdCodec atLevel(int level) {
        checkLevel(level);
        return level == LEVEL || level == 0 ? INSTANCE : new ZstdCodec(INSTANCE.libzstd, level);
    }

    /** {@link #atLevel} through zstd-jni only: the twin. */
    public static ZstdCodec jniAtLevel(int level) {
        checkLevel(level);
        return new ZstdCodec(false, level == 0 ? LEVEL : level);
    }

    /**
     * Checks a zstd level.
     * @throws org.bigarrays.InvalidInputException naming the level and the range libzstd takes
     */
    public static void checkLevel(int level) {
        if (level < MIN_LEVEL || level > MAX_LEVEL) {
            throw new org.bigarrays.InvalidInputException("zstd level " + level + ": expected " + MIN_LEVEL + " to " + MAX_LEVEL
                    + " (negative: faster writes, larger chunks; 0: the default, " + LEVEL + ")");
        }
    }

    /** The level this codec writes at. */
    public int level() {
        return level;
    }

    /** Whether this instance runs through the system's libzstd. */
    public boolean usesLibzstd() {
        return libzstd;
    }

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return Compression.ZSTD.hasMagic(bytes);
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (!matches(in)) throw new CorruptChunkException(key, "zstd: no zstd magic 28 b5 2f fd");
        return libzstd ? LibZstd.decompress(in, out, key) : decompress(in, out, key);
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        return libzstd ? compressNative(in, level) : compress(in, level);
    }

    /**
     * libzstd into a pooled off-heap scratch of the compress bound, then one copy of the frame into
     * an exact-size Java array: the bound (chunk size + ~0.4%) is not allocated per chunk, and the
     * result is garbage-collected like any chunk value.
     */
    private static MemorySegment compressNative(MemorySegment in, int level) {
        if (in.byteSize() > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("zstd chunk larger than 1 GiB");
        long bound = LibZstd.compressBound(in.byteSize());
        Worker w = take();
        try {
            MemorySegment dst = w.scratch(bound);
            long n = LibZstd.compress(in, dst, level);
            return MemorySegment.ofArray(dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        } finally {
            WORKERS.offer(w);
        }
    }

    /**
     * A zstd context with a scratch buffer, reused across chunks (a context costs a few hundred kB
     * to set up). Pooled in a queue, not a ThreadLocal: chunk tasks run on virtual threads. The
     * queue holds at most as many as calls ever overlapped.
     */
    private static final class Worker {
        private ZstdDecompressCtx decompressor;
        private ZstdCompressCtx compressor;
        private int compressorLevel = LEVEL;
        private MemorySegment scratch = MemorySegment.NULL;

        /** zstd-jni's contexts, made on first use: with libzstd they are never needed (nor is zstd-jni loaded). */
        ZstdDecompressCtx decompressor() {
            if (decompressor == null) decompressor = new ZstdDecompressCtx();
            return decompressor;
        }

        ZstdCompressCtx compressor() {
            if (compressor == null) compressor = new ZstdCompressCtx().setLevel(LEVEL).setChecksum(true); // damage is detected
            return compressor;
        }

        /** An off-heap buffer of at least {@code bytes}, reused by this worker's calls. */
        MemorySegment scratch(long bytes) {
            if (scratch.byteSize() < bytes) scratch = Arena.ofAuto().allocate(Math.max(bytes, 64 << 10), 64);
            return scratch.asSlice(0, bytes);
        }
    }

    private static final ConcurrentLinkedQueue<Worker> WORKERS = new ConcurrentLinkedQueue<>();

    private static Worker take() {
        Worker w = WORKERS.poll();
        return w != null ? w : new Worker();
    }

    private static long decompress(MemorySegment in, MemorySegment out, String key) {
        if (in.byteSize() > Integer.MAX_VALUE || out.byteSize() > Integer.MAX_VALUE) {
            throw new CorruptChunkException(key, "zstd chunk larger than 2 GiB is not supported");
        }
        Worker w = take();
        try (Arena a = in.isNative() ? null : Arena.ofConfined()) {
            MemorySegment src = in.isNative() ? in : a.allocate(in.byteSize()).copyFrom(in);
            MemorySegment dst = out.isNative() ? out : w.scratch(out.byteSize());
            int n = w.decompressor().decompressDirectByteBuffer(dst.asByteBuffer(), 0, (int) dst.byteSize(), src.asByteBuffer(), 0, (int) src.byteSize());
            if (!out.isNative()) MemorySegment.copy(dst, 0, out, 0, n);
            WORKERS.offer(w);
            return n;
        } catch (ZstdException e) {
            w.decompressor().reset(); // a context left mid-frame is reset before reuse
            WORKERS.offer(w);
            if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("too small")) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + out.byteSize() + " bytes", e);
            }
            throw new CorruptChunkException(key, "zstd: " + e.getMessage(), e);
        }
    }

    private static MemorySegment compress(MemorySegment in, int level) {
        if (in.byteSize() > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("zstd chunk larger than 1 GiB");
        int bound = (int) Zstd.compressBound(in.byteSize());
        Worker w = take();
        try (Arena a = in.isNative() ? null : Arena.ofConfined()) {
            MemorySegment src = in.isNative() ? in : a.allocate(in.byteSize()).copyFrom(in);
            MemorySegment dst = w.scratch(bound);
            ZstdCompressCtx cc = w.compressor();
            if (w.compressorLevel != level) {
                cc.setLevel(level);
                w.compressorLevel = level;
            }
            int n = cc.compressDirectByteBuffer(dst.asByteBuffer(), 0, bound, src.asByteBuffer(), 0, (int) src.byteSize());
            byte[] out = new byte[n];
            MemorySegment.copy(dst, 0, MemorySegment.ofArray(out), 0, n);
            WORKERS.offer(w);
            return MemorySegment.ofArray(out);
        } catch (ZstdException e) {
            w.compressor().reset();
            WORKERS.offer(w);
            throw new IllegalStateException("zstd: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return (libzstd ? "zstd (libzstd" : "zstd (zstd-jni") + (level == LEVEL ? ")" : ", level " + level + ")");
    }
}
