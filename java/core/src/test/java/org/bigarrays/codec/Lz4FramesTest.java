package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.bigarrays.CorruptChunkException;
import org.junit.jupiter.api.Test;

/**
 * The LZ4 frame parser against frames of the {@code lz4} tool (src/test/resources/lz4, see its
 * README) and of lz4-java's frame streams, which the codec used before: every frame option the
 * tool writes, concatenated and skippable frames, and each kind of damage named in one line.
 */
class Lz4FramesTest {
    private static final List<Lz4Codec> TWINS = List.of(Lz4Codec.DEFAULT, Lz4Codec.JAVA);

    /** The 80,000 plain bytes the fixtures were made from (see the resources' README). */
    static byte[] plain() {
        byte[] b = new byte[80_000];
        for (int i = 0; i < 60_000; i++) b[i] = (byte) ((i / 7) ^ (i / 1013));
        long x = 1;
        for (int i = 60_000; i < b.length; i++) {
            x = (x * 1103515245L + 12345) & 0x7fffffff;
            b[i] = (byte) (x >> 16);
        }
        return b;
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream s = Lz4FramesTest.class.getResourceAsStream("/lz4/" + name)) {
            return s.readAllBytes();
        }
    }

    /** Decodes {@code frame} off-heap into exactly {@code capacity} bytes. */
    static byte[] decode(Lz4Codec c, byte[] frame, int capacity) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = a.allocate(Math.max(1, frame.length)).asSlice(0, frame.length);
            MemorySegment.copy(frame, 0, in, ValueLayout.JAVA_BYTE, 0, frame.length);
            MemorySegment out = a.allocate(Math.max(1, capacity)).asSlice(0, capacity);
            long n = c.decode(in, out, "k");
            return out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static String corrupt(Lz4Codec c, byte[] frame, int capacity) {
        return assertThrows(CorruptChunkException.class, () -> decode(c, frame, capacity)).getMessage();
    }

    @Test
    void toolFramesDecode() throws IOException {
        byte[] plain = plain();
        for (Lz4Codec c : TWINS) {
            for (String f : List.of("plain-b4.lz4", "blockcrc-size.lz4", "nocrc.lz4")) {
                assertArrayEquals(plain, decode(c, fixture(f), plain.length), c + " " + f);
                // and on the heap, as a chunk read into a byte[] arrives
                MemorySegment out = MemorySegment.ofArray(new byte[plain.length]);
                assertEquals(plain.length, c.decode(MemorySegment.ofArray(fixture(f)), out, "k"));
                assertArrayEquals(plain, out.toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void linkedBlocksAreRefusedInOneLine() throws IOException {
        for (Lz4Codec c : TWINS) {
            String m = corrupt(c, fixture("linked.lz4"), 80_000);
            assertTrue(m.contains("linked blocks") && !m.contains("\n"), m);
        }
    }

    @Test
    void concatenatedAndSkippableFramesDecodeAsTheToolDoes() throws IOException {
        byte[] a = fixture("plain-b4.lz4"), b = fixture("nocrc.lz4");
        byte[] skippable = {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(a);
        all.writeBytes(skippable);
        all.writeBytes(b);
        byte[] twice = Arrays.copyOf(plain(), 160_000);
        System.arraycopy(plain(), 0, twice, 80_000, 80_000);
        for (Lz4Codec c : TWINS) {
            assertArrayEquals(twice, decode(c, all.toByteArray(), twice.length));
            String m = corrupt(c, all.toByteArray(), 150_000);
            assertTrue(m.contains("more than the chunk's 150000 bytes"), m);
        }
    }

    /** The codec writes what lz4-java's LZ4FrameOutputStream wrote, and reads what its InputStream read. */
    @Test
    void sameBytesAsLz4JavasFrameStreams() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 1000, 70_000, (4 << 20) + 12_345, 9 << 20}) {
            byte[] data = new byte[n];
            for (int i = 0; i < n; i++) data[i] = (byte) (i < n / 2 ? i / 300 : r.nextInt(256)); // compressible, then not
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            try (LZ4FrameOutputStream s = new LZ4FrameOutputStream(expected, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB, -1L,
                    LZ4Factory.safeInstance().fastCompressor(), XXHashFactory.safeInstance().hash32(),
                    LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
                s.write(data);
            }
            for (Lz4Codec c : TWINS) {
                byte[] ours = c.encode(MemorySegment.ofArray(data)).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(expected.toByteArray(), ours, c + " encoding " + n + " bytes");
                try (InputStream in = new LZ4FrameInputStream(new java.io.ByteArrayInputStream(ours))) {
                    assertArrayEquals(data, in.readAllBytes());
                }
                assertArrayEquals(data, decode(c, ours, n));
            }
        }
    }

    /** FLG, BD and the header checksum byte after a descriptor of {@code descriptor} bytes, rewritten. */
    static void rewriteHeader(byte[] f, int flg, int bd, int descriptor) {
        f[4] = (byte) flg;
        f[5] = (byte) bd;
        f[4 + descriptor] = (byte) (XXHashFactory.safeInstance().hash32().hash(f, 4, descriptor, 0) >>> 8);
    }

    @Test
    void eachKindOfDamageIsNamed() throws IOException {
        byte[] good = fixture("blockcrc-size.lz4"); // FLG 7c: block checksums, content size, content checksum
        int descriptor = 2 + 8;
        for (Lz4Codec c : TWINS) {
            byte[] f = good.clone();
            f[4 + descriptor] ^= 1;
            assertTrue(corrupt(c, f, 80_000).contains("header checksum mismatch"));

            f = good.clone();
            f[f.length - 1] ^= 1;
            assertTrue(corrupt(c, f, 80_000).contains("content checksum mismatch"));

            f = good.clone();
            int first = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt(4 + descriptor + 1) & 0x7FFFFFFF;
            f[4 + descriptor + 1 + 4 + first] ^= 1; // the first block's checksum
            assertTrue(corrupt(c, f, 80_000).contains("block checksum mismatch"));

            f = good.clone();
            f[4 + descriptor + 1 + 4 + 10] ^= 0x40; // data of the first block, its checksum left: caught before decoding
            assertTrue(corrupt(c, f, 80_000).contains("block checksum mismatch"));

            f = good.clone();
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(6, 79_999);
            rewriteHeader(f, f[4] & 0xFF, f[5] & 0xFF, descriptor);
            assertTrue(corrupt(c, f, 80_000).contains("declares 79999 bytes of content, its blocks hold 80000"));

            assertTrue(corrupt(c, good, 79_999).contains("declares 80000 bytes of content, more than the chunk's 79999"));

            f = good.clone();
            rewriteHeader(f, (f[4] & 0xFF) | 0x02, f[5] & 0xFF, descriptor);
            assertTrue(corrupt(c, f, 80_000).contains("reserved bits"));

            f = good.clone();
            rewriteHeader(f, (f[4] & 0x3F) | 0x80, f[5] & 0xFF, descriptor);
            assertTrue(corrupt(c, f, 80_000).contains("version 2"));

            f = good.clone();
            rewriteHeader(f, f[4] & 0xFF, 0x30, descriptor);
            assertTrue(corrupt(c, f, 80_000).contains("block maximum size code 3"));

            f = good.clone();
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + descriptor + 1, 70_000); // over the 64 KiB maximum
            assertTrue(corrupt(c, f, 80_000).contains("over the frame's 65536-byte maximum"));

            f = Arrays.copyOf(good, good.length - 3);
            assertTrue(corrupt(c, f, 80_000).contains("truncated"));

        }
    }
}
