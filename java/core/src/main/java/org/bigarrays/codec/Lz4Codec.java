package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.Lz4;

/**
 * LZ4 frames (magic {@code 04 22 4D 18}, what the {@code lz4} tool writes), parsed here and
 * decoded block by block with lz4-java's block decompressor straight from the stored bytes into
 * the caller's segment: no stream, no intermediate buffer (lz4-java's {@code LZ4FrameInputStream}
 * copied every block twice and held a 4 MiB buffer per call). Frame format 1.6.x: header checksum,
 * block checksums and content checksum are checked when the frame has them, the declared content
 * size too; concatenated and skippable frames are read as the {@code lz4} tool does; frames with
 * linked blocks or a dictionary are refused (as lz4-java did). {@link #DEFAULT} uses lz4-java's
 * fastest implementation (JNI where it loads), {@link #JAVA} its pure-Java one: twins.
 */
final class Lz4Codec implements BytesCodec {
    /** lz4-java's fastest implementation allowed by the native switch (JNI where it loads and is on). */
    public static final Lz4Codec DEFAULT = new Lz4Codec(true);
    /** lz4-java's pure-Java (safe) implementation: the twin. */
    public static final Lz4Codec JAVA = new Lz4Codec(false);

    private static final int MAGIC = 0x184D2204;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50; // ..5F: the low 4 bits are free
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    // FLG bits (frame descriptor)
    private static final int FLG_VERSION = 0xC0, FLG_INDEPENDENT = 0x20, FLG_BLOCK_CHECKSUM = 0x10, FLG_CONTENT_SIZE = 0x08,
            FLG_CONTENT_CHECKSUM = 0x04, FLG_RESERVED = 0x02, FLG_DICT_ID = 0x01;
    /** What {@link #encode} writes: version 01, independent blocks, content checksum; 4 MiB blocks (BD 0x70). */
    private static final int ENCODE_FLG = 0x40 | FLG_INDEPENDENT | FLG_CONTENT_CHECKSUM, ENCODE_BD = 0x70, ENCODE_BLOCK = 4 << 20;

    private final boolean fastest;
    // Found on first use, not at class load: a layer read without lz4 (detecting the compression
    // touches this class) never loads lz4-java or its JNI library.
    private volatile Tools tools;

    /** lz4-java's objects, all thread-safe. */
    private record Tools(LZ4Factory factory, LZ4SafeDecompressor decompressor, LZ4Compressor compressor, XXHash32 hash, XXHashFactory xx) {}

    private Lz4Codec(boolean fastest) {
        this.fastest = fastest;
    }

    private Tools tools() {
        Tools t = tools;
        if (t == null) {
            LZ4Factory f = fastest ? Lz4.factory() : LZ4Factory.safeInstance();
            XXHashFactory x = fastest ? Lz4.xxhash() : XXHashFactory.safeInstance();
            tools = t = new Tools(f, f.safeDecompressor(), f.fastCompressor(), x.hash32(), x);
        }
        return t;
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
        return "lz4 (" + tools().factory() + ")";
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (!matches(in)) throw new CorruptChunkException(key, "lz4: no lz4 frame magic 04 22 4d 18");
        if (in.byteSize() > Integer.MAX_VALUE) throw new CorruptChunkException(key, "lz4: " + in.byteSize() + " stored bytes, over the 2 GiB a chunk may have");
        Reader r = new Reader(tools(), in, out, key);
        int frames = 0;
        while (r.pos < r.size) {
            if (r.size - r.pos < 4) throw r.corrupt((r.size - r.pos) + " bytes after the last frame");
            int magic = in.get(INT_LE, r.pos);
            if ((magic & 0xFFFFFFF0) == SKIPPABLE_MAGIC) {
                r.skippable();
            } else if (magic == MAGIC) {
                r.frame();
                frames++;
            } else {
                throw r.corrupt((r.size - r.pos) + " bytes after " + (frames == 0 ? "a skippable frame" : "the last frame") + " that are no lz4 frame");
            }
        }
        return r.produced;
    }

    /** One call's decoding state: where it is in the input and how much it has written. */
    private static final class Reader {
        final Tools t;
        final MemorySegment in, out;
        final ByteBuffer src;
        final int size;
        final String key;
        int pos;
        long produced;

        Reader(Tools t, MemorySegment in, MemorySegment out, String key) {
            this.t = t;
            this.in = in;
            this.out = out;
            this.src = in.asByteBuffer();
            this.size = (int) in.byteSize();
            this.key = key;
        }

        CorruptChunkException corrupt(String what) {
            return new CorruptChunkException(key, "lz4 frame: " + what);
        }

        /** Needs {@code n} more input bytes at {@link #pos} for {@code what}. */
        void need(long n, String what) {
            if (n > size - pos) throw corrupt(what + " at byte " + pos + " needs " + n + " bytes, " + (size - pos) + " remain (truncated)");
        }

        void skippable() {
            need(8, "skippable frame header");
            long skip = Integer.toUnsignedLong(in.get(INT_LE, pos + 4));
            pos += 8;
            need(skip, "skippable frame");
            pos += (int) skip;
        }

        void frame() {
            int start = pos;
            need(7, "frame header");
            int flg = in.get(ValueLayout.JAVA_BYTE, pos + 4) & 0xFF, bd = in.get(ValueLayout.JAVA_BYTE, pos + 5) & 0xFF;
            if ((flg & FLG_VERSION) != 0x40) throw corrupt("version " + (flg >>> 6) + " at byte " + (pos + 4) + ", expected 1");
            if ((flg & FLG_RESERVED) != 0 || (bd & 0x8F) != 0) throw corrupt("reserved bits set in the frame descriptor at byte " + (pos + 4));
            if ((flg & FLG_INDEPENDENT) == 0) throw corrupt("linked blocks (lz4 -BD) are not supported; write independent blocks");
            if ((flg & FLG_DICT_ID) != 0) throw corrupt("a frame that needs a dictionary (DictID) cannot be decoded");
            int sizeCode = (bd >>> 4) & 7;
            if (sizeCode < 4) throw corrupt("block maximum size code " + sizeCode + ", expected 4 to 7");
            int blockMax = 1 << (8 + 2 * sizeCode);
            int descriptor = 2 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0);
            need(4 + descriptor + 1, "frame header");
            long contentSize = -1;
            if ((flg & FLG_CONTENT_SIZE) != 0) {
                contentSize = in.get(LONG_LE, pos + 6);
                if (contentSize < 0 || contentSize > out.byteSize() - produced) {
                    throw corrupt("declares " + Long.toUnsignedString(contentSize) + " bytes of content, more than the chunk's " + (out.byteSize() - produced) + " remaining bytes");
                }
            }
            int hc = in.get(ValueLayout.JAVA_BYTE, pos + 4 + descriptor) & 0xFF;
            if (((t.hash.hash(src, pos + 4, descriptor, 0) >>> 8) & 0xFF) != hc) throw corrupt("header checksum mismatch at byte " + (pos + 4 + descriptor));
            pos += 4 + descriptor + 1;
            long frameStart = produced;
            boolean blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
            while (true) {
                need(4, "block size");
                int word = in.get(INT_LE, pos);
                pos += 4;
                if (word == 0) break; // EndMark
                int n = word & 0x7FFFFFFF;
                if (n > blockMax) throw corrupt("block of " + n + " bytes at byte " + (pos - 4) + ", over the frame's " + blockMax + "-byte maximum");
                need(n + (blockChecksum ? 4L : 0), "block");
                if (blockChecksum && t.hash.hash(src, pos, n, 0) != in.get(INT_LE, pos + n)) throw corrupt("block checksum mismatch at byte " + (pos + n));
                long room = out.byteSize() - produced;
                if (word < 0) { // stored uncompressed
                    if (n > room) throw corrupt("decompresses to more than the chunk's " + out.byteSize() + " bytes");
                    MemorySegment.copy(in, pos, out, produced, n);
                    produced += n;
                } else {
                    // A window of the output no larger than one block: outputs over 2 GiB work too.
                    int cap = (int) Math.min(room, blockMax);
                    int got;
                    try {
                        got = t.decompressor.decompress(src, pos, n, out.asSlice(produced, cap).asByteBuffer(), 0, cap);
                    } catch (RuntimeException e) { // LZ4Exception: malformed, or more than cap
                        throw cap < blockMax
                                ? corrupt("block at byte " + pos + " is malformed or decompresses to more than the chunk's " + out.byteSize() + " bytes")
                                : corrupt("block at byte " + pos + " is malformed (" + e.getMessage() + ")");
                    }
                    produced += got;
                }
                pos += n + (blockChecksum ? 4 : 0);
            }
            long content = produced - frameStart;
            if (contentSize >= 0 && content != contentSize) throw corrupt("declares " + contentSize + " bytes of content, its blocks hold " + content);
            if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
                need(4, "content checksum");
                if (contentHash(frameStart, content) != in.get(INT_LE, pos)) throw corrupt("content checksum mismatch (frame at byte " + start + ")");
                pos += 4;
            }
        }

        private int contentHash(long from, long n) {
            if (n <= Integer.MAX_VALUE) return t.hash.hash(out.asSlice(from, n).asByteBuffer(), 0, (int) n, 0);
            // Over 2 GiB: no one-shot hash takes it, so stream it in pieces (a rare path).
            byte[] piece = new byte[1 << 20];
            try (StreamingXXHash32 h = t.xx.newStreamingHash32(0)) {
                for (long p = 0; p < n; p += piece.length) {
                    int k = (int) Math.min(piece.length, n - p);
                    MemorySegment.copy(out, ValueLayout.JAVA_BYTE, from + p, piece, 0, k);
                    h.update(piece, 0, k);
                }
                return h.getValue();
            }
        }
    }

    /**
     * One frame as lz4-java's {@code LZ4FrameOutputStream} wrote it (the same bytes): independent
     * 4 MiB blocks, each stored uncompressed where compressing does not shrink it, and a content
     * checksum; compressed straight from {@code in}.
     */
    @Override
    public MemorySegment encode(MemorySegment in) {
        Tools t = tools();
        long n = in.byteSize();
        long full = n / ENCODE_BLOCK, rest = n % ENCODE_BLOCK; // sized by the blocks there are: a small chunk gets a small buffer
        long bound = 7 + full * (4L + t.compressor.maxCompressedLength(ENCODE_BLOCK)) + (rest > 0 ? 4L + t.compressor.maxCompressedLength((int) rest) : 0) + 8;
        if (bound > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("lz4: a chunk of " + n + " bytes is too large to compress in one piece");
        byte[] buf = new byte[(int) bound];
        ByteBuffer dst = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        dst.putInt(0, MAGIC);
        buf[4] = (byte) ENCODE_FLG;
        buf[5] = (byte) ENCODE_BD;
        buf[6] = (byte) ((t.hash.hash(buf, 4, 2, 0) >>> 8) & 0xFF);
        int pos = 7;
        for (long p = 0; p < n; p += ENCODE_BLOCK) {
            int k = (int) Math.min(ENCODE_BLOCK, n - p);
            ByteBuffer block = in.asSlice(p, k).asByteBuffer();
            int c = t.compressor.compress(block, 0, k, dst, pos + 4, buf.length - pos - 4);
            if (c >= k) { // does not shrink: stored as is, as LZ4FrameOutputStream does
                MemorySegment.copy(in, ValueLayout.JAVA_BYTE, p, buf, pos + 4, k);
                dst.putInt(pos, k | 0x80000000);
                pos += 4 + k;
            } else {
                dst.putInt(pos, c);
                pos += 4 + c;
            }
        }
        dst.putInt(pos, 0);
        dst.putInt(pos + 4, t.hash.hash(in.asByteBuffer(), 0, (int) n, 0));
        return MemorySegment.ofArray(Arrays.copyOf(buf, pos + 8));
    }
}
