package org.bigarrays.codec;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.LibZstd;

/**
 * zstd frames (magic {@code 28 B5 2F FD}), written at level 3 with a content checksum so damage
 * is detected. Concatenated frames are read; anything else after a frame is corruption.
 * Runs through the system's libzstd when it loads ({@link LibZstd}: pooled contexts, heap or
 * off-heap segments passed without copies, decoded straight into the chunk buffer), else
 * through aircompressor's pure-Java zstd ({@link #JAVA}, the twin): no JNI library, so
 * bigarrays-core ships no per-platform natives for zstd. The twin works on byte arrays: heap
 * input is read in place, off-heap input is copied to a pooled array, and output is decoded into
 * a pooled array and copied (so a decoder bug cannot write past the caller's segment). Both read
 * each other's output.
 */
public final class ZstdCodec implements BytesCodec {
    /** libzstd when loaded, else the pure-Java twin. */
    public static final ZstdCodec INSTANCE = new ZstdCodec(LibZstd.available());
    /** Pure Java only (aircompressor): the twin used when libzstd is off or missing. */
    public static final ZstdCodec JAVA = new ZstdCodec(false);

    /** zstd's default level: fast, and about gzip -6's ratio on image data (aircompressor's is 3 too). */
    static final int LEVEL = 3;

    private final boolean libzstd;

    private ZstdCodec(boolean libzstd) {
        this.libzstd = libzstd;
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
        return libzstd ? compressNative(in) : compress(in);
    }

    /**
     * libzstd into a pooled off-heap scratch of the compress bound, then one copy of the frame into
     * an exact-size Java array: the bound (chunk size + ~0.4%) is not allocated per chunk, and the
     * result is garbage-collected like any chunk value.
     */
    private static MemorySegment compressNative(MemorySegment in) {
        if (in.byteSize() > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("zstd chunk larger than 1 GiB");
        long bound = LibZstd.compressBound(in.byteSize());
        Worker w = take();
        try {
            MemorySegment dst = w.scratch(bound);
            long n = LibZstd.compress(in, dst);
            return MemorySegment.ofArray(dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        } finally {
            WORKERS.offer(w);
        }
    }

    /**
     * Per-call state reused across chunks: libzstd's off-heap scratch, or the Java twin's
     * decompressor (its tables are reused, so one per concurrent call) and byte arrays. Pooled in
     * a queue, not a ThreadLocal: chunk tasks run on virtual threads. The queue holds at most as
     * many as calls ever overlapped.
     */
    private static final class Worker {
        private ZstdDecompressor decompressor;
        private MemorySegment scratch = MemorySegment.NULL;
        private byte[] in = new byte[0];
        private byte[] out = new byte[0];

        /** Made on first use: with libzstd the Java twin's classes are never loaded. */
        ZstdDecompressor decompressor() {
            if (decompressor == null) decompressor = new ZstdDecompressor();
            return decompressor;
        }

        /** An off-heap buffer of at least {@code bytes}, reused by this worker's calls. */
        MemorySegment scratch(long bytes) {
            if (scratch.byteSize() < bytes) scratch = Arena.ofAuto().allocate(Math.max(bytes, 64 << 10), 64);
            return scratch.asSlice(0, bytes);
        }

        /** A byte array of at least {@code n} bytes for input copies. */
        byte[] in(int n) {
            if (in.length < n) in = new byte[Math.max(n, 64 << 10)];
            return in;
        }

        /** A byte array of at least {@code n} bytes to decode or encode into. */
        byte[] out(int n) {
            if (out.length < n) out = new byte[Math.max(n, 64 << 10)];
            return out;
        }
    }

    private static final ConcurrentLinkedQueue<Worker> WORKERS = new ConcurrentLinkedQueue<>();

    private static Worker take() {
        Worker w = WORKERS.poll();
        return w != null ? w : new Worker();
    }

    /**
     * {@code seg}'s bytes as an array with its offset: a heap byte[] segment in place, anything
     * else copied into the worker's input array.
     */
    private static Bytes array(MemorySegment seg, Worker w) {
        // a heap segment's address() is its offset in the array
        if (seg.heapBase().orElse(null) instanceof byte[] b) return new Bytes(b, (int) seg.address());
        byte[] copy = w.in((int) seg.byteSize());
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, copy, 0, (int) seg.byteSize());
        return new Bytes(copy, 0);
    }

    private record Bytes(byte[] array, int offset) {}

    private static long decompress(MemorySegment in, MemorySegment out, String key) {
        if (in.byteSize() > Integer.MAX_VALUE - 64 || out.byteSize() > Integer.MAX_VALUE - 64) {
            throw new CorruptChunkException(key, "zstd chunk larger than 2 GiB is not supported");
        }
        int cap = (int) out.byteSize();
        Worker w = take();
        try {
            Bytes src = array(in, w);
            byte[] dst = w.out(cap);
            // aircompressor 2.0.3 decodes a 1-byte frame into 0 bytes of room without an error: check the header's size
            long declared = ZstdDecompressor.getDecompressedSize(src.array(), src.offset(), (int) in.byteSize());
            if (declared > cap) throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + cap + " bytes");
            int n = w.decompressor().decompress(src.array(), src.offset(), (int) in.byteSize(), dst, 0, cap);
            if (n < 0 || n > cap) throw new CorruptChunkException(key, "zstd: decoder returned " + n + " bytes for a " + cap + "-byte chunk");
            MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, 0, n);
            return n;
        } catch (MalformedInputException e) {
            w.decompressor = null; // its tables may be left mid-frame: start the next call afresh
            if (String.valueOf(e.getMessage()).contains("Output buffer too small")) {
                throw new CorruptChunkException(key, "zstd data decompresses to more than the chunk's " + cap + " bytes", e);
            }
            throw new CorruptChunkException(key, "zstd: " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException e) { // aircompressor 2.0.3 indexes a table unchecked on some hostile input (contract mutation 138 of seed 9)
            w.decompressor = null;
            throw new CorruptChunkException(key, "zstd: " + e, e);
        } finally {
            WORKERS.offer(w);
        }
    }

    private static MemorySegment compress(MemorySegment in) {
        if (in.byteSize() > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("zstd chunk larger than 1 GiB");
        int len = (int) in.byteSize();
        ZstdCompressor c = new ZstdCompressor(); // stateless: level 3, content size and checksum in every frame
        int bound = c.maxCompressedLength(len);
        Worker w = take();
        try {
            Bytes src = array(in, w);
            byte[] dst = w.out(bound);
            int n = c.compress(src.array(), src.offset(), len, dst, 0, bound);
            return MemorySegment.ofArray(Arrays.copyOf(dst, n));
        } finally {
            WORKERS.offer(w);
        }
    }

    @Override
    public String toString() {
        return libzstd ? "zstd (libzstd)" : "zstd (pure Java, aircompressor)";
    }
}
