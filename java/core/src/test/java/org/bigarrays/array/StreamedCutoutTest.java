package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streamed cutouts: every tiling writes the bytes read(box) gives, checks come before reads, failures leave nothing. */
class StreamedCutoutTest {
    private static final AtomicInteger N = new AtomicInteger();

    @TempDir
    Path dir;

    /** 40×30×20, 2 channels of uint16 (4 bytes a voxel), chunks 8×8×4, a position pattern. */
    private static String layer() {
        String url = "mem://stream-" + N.incrementAndGet() + "/layer";
        Info info = Info.builder(DataType.UINT16, new long[] {40, 30, 20}, new long[] {8, 8, 4}).channels(2).build();
        try (BigArray a = BigArray.create(url, info)) {
            NdView v = a.read(a.bounds());
            for (int c = 0; c < 2; c++) for (int z = 0; z < 20; z++) for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) {
                v.set(new long[] {x, y, z, c}, x + 40 * y + 1200 * z + 24000 * c);
            }
            a.write(v);
        }
        return url;
    }

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void everyTilingWritesWhatReadGives() throws Exception {
        String url = layer();
        Random r = new Random(7);
        try (BigArray a = BigArray.open(url)) {
            // full x-y slabs; bands of chunk rows in y; runs of chunks in x (memory for two chunks)
            for (long mem : List.of(64L << 20, 40 * 8 * 4 * 4L, 2 * 8 * 8 * 4 * 4L)) {
                for (int i = 0; i < 25; i++) {
                    long[] lo = new long[3];
                    long[] hi = new long[3];
                    for (int d = 0; d < 3; d++) {
                        lo[d] = r.nextInt(44) - 4;
                        hi[d] = lo[d] + 1 + r.nextInt(40);
                    }
                    Box box = Box.of(lo, hi);
                    byte[] want = bytes(a.read(box));
                    Path npy = dir.resolve("c" + i + ".npy");
                    long n = a.read(box, npy, mem);
                    byte[] file = Files.readAllBytes(npy);
                    byte[] header = NpyHeader.of(DataType.UINT16, new long[] {box.size(0), box.size(1), box.size(2), 2});
                    assertEquals(n, file.length);
                    assertArrayEquals(header, Arrays.copyOf(file, header.length), "npy header of " + box);
                    assertArrayEquals(want, Arrays.copyOfRange(file, header.length, file.length), "box " + box + ", memory " + mem);
                    Path raw = dir.resolve("c" + i + ".raw");
                    a.read(box, raw, mem);
                    assertArrayEquals(want, Files.readAllBytes(raw), "raw box " + box + ", memory " + mem);
                }
            }
        }
    }

    @Test
    void theNpyHeaderIsWhatNumpyReads() {
        byte[] h = NpyHeader.of(DataType.UINT16, new long[] {3, 4, 5, 2});
        assertEquals(0, h.length % 64, "data starts 64-byte aligned");
        assertEquals((byte) 0x93, h[0]);
        assertEquals("NUMPY", new String(h, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, h[6]);
        int len = (h[8] & 0xff) | (h[9] & 0xff) << 8;
        assertEquals(h.length - 10, len);
        String dict = new String(h, 10, len, StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<u2', 'fortran_order': True, 'shape': (3, 4, 5, 2, ), }"), dict);
        assertTrue(dict.endsWith("\n"));
    }

    @Test
    void streamsInFileOrder() throws Exception {
        String url = layer();
        try (BigArray a = BigArray.open(url)) {
            // chunk-row slabs; two planes (re-reads chunks); bands of 6 rows of one plane; runs of 15 voxels of one row
            for (long mem : List.of(64L << 20, 2 * 40 * 30 * 4L, 1000L, 60L)) {
                Box box = Box.parse("-3,2,1:37,29,19");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                long n = a.read(box, Channels.newChannel(out), true, mem);
                byte[] got = out.toByteArray();
                assertEquals(n, got.length);
                byte[] header = NpyHeader.of(DataType.UINT16, new long[] {40, 27, 18, 2});
                assertArrayEquals(header, Arrays.copyOf(got, header.length));
                assertArrayEquals(bytes(a.read(box)), Arrays.copyOfRange(got, header.length, got.length));
            }
        }
    }

    /** Opens stores that count chunk reads. */
    private static final class Counting {
        final AtomicInteger chunkReads = new AtomicInteger();

        KeyValueStore open(URI uri) {
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public ReadResult read(String key, ReadOptions o) {
                    if (!key.equals("info")) chunkReads.incrementAndGet();
                    return super.read(key, o);
                }
            };
        }
    }

    @Test
    void tooLargeOrUnwritableFailsBeforeAnyChunkIsRead() {
        String url = layer();
        Counting c = new Counting();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            Path out = dir.resolve("big.npy");
            InvalidInputException disk = assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,0,0:1000000,1000000,100000"), out));
            assertTrue(disk.getMessage().contains("on disk"), disk.getMessage());
            InvalidInputException overflow = assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,0,0:3037000499,3037000499,3037000499"), out));
            assertTrue(overflow.getMessage().contains("2^63"), overflow.getMessage());
            assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,0,0:8,8,8"), dir.resolve("nodir/x.npy")));
            assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,0,0:8,8,8"), dir));
            InvalidInputException chunk = assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,0,0:8,8,8"), out, 100));
            assertTrue(chunk.getMessage().contains("one chunk"), chunk.getMessage());
            assertEquals(0, c.chunkReads.get(), "no chunk was read");
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void aFailedCutoutLeavesNothingBehind() throws Exception {
        Path layerDir = dir.resolve("layer");
        String url = layerDir.toUri().toString();
        try (BigArray a = BigArray.create(url, Info.builder(DataType.UINT8, new long[] {16, 16, 8}, new long[] {8, 8, 4}).build())) {
            a.withOptions(a.options().withStoreFillChunks(true)).write(a.read(a.bounds())); // every chunk stored, zeros too
            Files.write(layerDir.resolve(a.info().scale(0).key()).resolve("8-16_8-16_4-8"), new byte[3]); // corrupt
            Path out = dir.resolve("out.npy");
            assertThrows(CorruptChunkException.class, () -> a.read(a.bounds(), out, 8 * 8 * 4));
            assertFalse(Files.exists(out));
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains("tmp-")).toList()); // the cutout's temp file
            }
        }
    }
}
