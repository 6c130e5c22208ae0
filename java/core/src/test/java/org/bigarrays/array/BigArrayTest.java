package org.bigarrays.array;

import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Examples of BigArray behaviour with hand-computed expectations: byte layout, gzip, corrupt chunks, errors. */
class BigArrayTest {
    private final String name = "ex-" + UUID.randomUUID();
    private final String url = "mem://" + name + "/layer";

    @TempDir
    Path dir;

    @AfterEach
    void drop() {
        KeyValueStores.dropMemory(name);
    }

    /** uint16, 2 channels, offset (-2, 1, 0), size 5x3x2, chunk 4x2x2: chunks are truncated at x = 3 and y = 4. */
    private static Info info() {
        return Info.builder(DataType.UINT16, new long[] {5, 3, 2}, new long[] {4, 2, 2}).offset(-2, 1, 0).channels(2).build();
    }

    /** value(x, y, z, c) = 1000c + 100(x+2) + 10(y-1) + z over the whole volume. */
    private static NdView wholeVolume() {
        NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-2, 1, 0, 0}, new long[] {5, 3, 2, 2});
        for (long c = 0; c < 2; c++)
            for (long z = 0; z < 2; z++)
                for (long y = 1; y < 4; y++)
                    for (long x = -2; x < 3; x++) v.set(new long[] {x, y, z, c}, 1000 * c + 100 * (x + 2) + 10 * (y - 1) + z);
        return v;
    }

    /** The raw chunk bytes of [x0,x1)×[y0,y1)×[0,2), written out by hand: little-endian, x fastest, then y, z, channel. */
    private static byte[] rawChunk(long x0, long x1, long y0, long y1) {
        ByteBuffer b = ByteBuffer.allocate((int) ((x1 - x0) * (y1 - y0) * 2 * 2 * 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (long c = 0; c < 2; c++)
            for (long z = 0; z < 2; z++)
                for (long y = y0; y < y1; y++)
                    for (long x = x0; x < x1; x++) b.putShort((short) (1000 * c + 100 * (x + 2) + 10 * (y - 1) + z));
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(raw);
        }
        return bo.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream g = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return g.readAllBytes();
        }
    }

    @Test
    void rawChunksAreLittleEndianFortranOrderWithTruncatedEdges() {
        try (BigArray a = BigArray.create(url, info())) {
            a.write(wholeVolume());
            KeyValueStore s = a.chunks().store();
            assertEquals(List.of("-2-2_1-3_0-2", "-2-2_3-4_0-2", "2-3_1-3_0-2", "2-3_3-4_0-2"), s.list(""));
            assertArrayEquals(rawChunk(-2, 2, 1, 3), s.read("-2-2_1-3_0-2").toByteArray());
            assertArrayEquals(rawChunk(-2, 2, 3, 4), s.read("-2-2_3-4_0-2").toByteArray());
            assertArrayEquals(rawChunk(2, 3, 1, 3), s.read("2-3_1-3_0-2").toByteArray());
            assertArrayEquals(rawChunk(2, 3, 3, 4), s.read("2-3_3-4_0-2").toByteArray());
            assertEquals(url + "/", a.uri().toString());
            assertEquals(Box.parse("-2,1,0:3,4,2"), a.bounds());
        }
    }

    @Test
    void gzipWritesGoToThePlainKeysAndReadBack() throws IOException {
        try (BigArray a = BigArray.create(url, info(), Options.defaults().withCompression(Compression.GZIP))) {
            a.write(wholeVolume());
            KeyValueStore s = a.chunks().store();
            // In memory (as on s3/gs) a gzip chunk keeps the plain key; on local disk it is <key>.gz (ChunkNamesTest).
            List<String> keys = List.of("-2-2_1-3_0-2", "-2-2_3-4_0-2", "2-3_1-3_0-2", "2-3_3-4_0-2");
            assertEquals(keys, s.list(""));
            byte[] stored = s.read("2-3_3-4_0-2").toByteArray();
            assertEquals((byte) 0x1f, stored[0]);
            assertEquals((byte) 0x8b, stored[1]);
            assertArrayEquals(rawChunk(2, 3, 3, 4), gunzip(stored));
            NdView back = a.read(a.bounds());
            assertArrayEquals(wholeVolume().toShortArray(), back.toShortArray());
            // Rewriting uncompressed replaces the values under the same keys.
            a.withOptions(Options.defaults()).write(wholeVolume());
            assertEquals(keys, s.list(""));
            assertArrayEquals(rawChunk(2, 3, 3, 4), s.read("2-3_3-4_0-2").toByteArray());
        }
    }

    @Test
    void writingAChunkReplacesItsLegacyDotGzName() throws IOException {
        try (BigArray a = BigArray.create(url, info())) {
            KeyValueStore s = a.chunks().store();
            // CloudVolume on local disk: <key>.gz. A write stores the plain key, then drops the legacy name.
            s.write("2-3_3-4_0-2.gz", MemorySegment.ofArray(gzip(new byte[rawChunk(2, 3, 3, 4).length])));
            a.write(wholeVolume());
            assertEquals(List.of("-2-2_1-3_0-2", "-2-2_3-4_0-2", "2-3_1-3_0-2", "2-3_3-4_0-2"), s.list(""));
            // Both names (a crash between the write and the removal): the plain key wins, every time.
            s.write("2-3_3-4_0-2.gz", MemorySegment.ofArray(gzip(new byte[rawChunk(2, 3, 3, 4).length])));
            for (int i = 0; i < 3; i++) assertArrayEquals(wholeVolume().toShortArray(), a.read(a.bounds()).toShortArray());
        }
    }

    @Test
    void gzipUnderThePlainKeyReadsBack() throws IOException {
        try (BigArray a = BigArray.create(url, info())) {
            KeyValueStore s = a.chunks().store();
            // BigArrays.jl style: gzip bytes under the plain key; CloudVolume style: <key>.gz.
            s.write("-2-2_1-3_0-2", MemorySegment.ofArray(gzip(rawChunk(-2, 2, 1, 3))));
            s.write("2-3_1-3_0-2.gz", MemorySegment.ofArray(gzip(rawChunk(2, 3, 1, 3))));
            s.write("-2-2_3-4_0-2", MemorySegment.ofArray(rawChunk(-2, 2, 3, 4)));
            s.write("2-3_3-4_0-2.gz", MemorySegment.ofArray(gzip(rawChunk(2, 3, 3, 4))));
            assertArrayEquals(wholeVolume().toShortArray(), a.read(a.bounds()).toShortArray());
            assertArrayEquals(wholeVolume().toShortArray(), a.withOptions(Options.defaults().withThreads(1, 1)).read(a.bounds()).toShortArray());
        }
    }

    /**
     * blosclz chunks of noise, which blosc stores uncompressed (flag "memcpyed") and the reader
     * takes in place: every voxel of unaligned, edge and whole-volume boxes, a batch, and a
     * partial write on top of them (read-modify-write of in-place chunks) come back right.
     */
    @Test
    void blosclzNoiseChunksReadInPlaceKeepEveryVoxel() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.bigarrays.codec.BloscCodec.available(), "libblosc switched off (BIGARRAYS_NATIVE=0): blosclz has no Java twin");
        long[] size = {40, 37, 20};
        Info info = Info.builder(DataType.UINT8, size, new long[] {16, 16, 8}).encoding("blosclz").build();
        NdView model = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {size[0], size[1], size[2], 1});
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (long i = 0; i < model.byteSize(); i++) model.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        Path layer = dir.resolve("blosc");
        try (BigArray a = BigArray.create(layer.toString(), info, Options.defaults().withReadModifyWrite(true))) {
            a.write(model);
            byte[] chunk = Files.readAllBytes(layer.resolve("1_1_1/0-16_0-16_0-8"));
            assertTrue((chunk[2] & 0x02) != 0, "noise is stored uncompressed by blosc, so the in-place path is the one read");
            Box patch = Box.parse("5,9,3:29,30,17");
            NdView p = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {5, 9, 3, 0}, new long[] {24, 21, 14, 1});
            for (long z = 3; z < 17; z++)
                for (long y = 9; y < 30; y++)
                    for (long x = 5; x < 29; x++) p.set(new long[] {x, y, z, 0}, (x * 7 + y * 3 + z) & 0xFF);
            for (int round = 0; round < 2; round++) { // before and after the partial write
                for (Box b : List.of(Box.parse("0,0,0:40,37,20"), Box.parse("3,5,1:37,33,19"), Box.parse("39,36,19:40,37,20"), Box.parse("15,15,7:17,17,9"))) {
                    NdView got = a.read(b);
                    for (long z = b.min(2); z < b.max(2); z++)
                        for (long y = b.min(1); y < b.max(1); y++)
                            for (long x = b.min(0); x < b.max(0); x++) {
                                assertEquals(model.getAsLong(x, y, z, 0), got.getAsLong(x, y, z, 0), "voxel " + x + "," + y + "," + z + " of " + b + " (round " + round + ")");
                            }
                }
                List<Box> batch = List.of(Box.parse("1,2,3:20,21,12"), Box.parse("10,10,5:35,30,15"));
                List<NdView> outs = List.of(NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {1, 2, 3, 0}, new long[] {19, 19, 9, 1}),
                        NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {10, 10, 5, 0}, new long[] {25, 20, 10, 1}));
                a.read(batch, outs);
                for (int k = 0; k < 2; k++) {
                    Box b = batch.get(k);
                    for (long z = b.min(2); z < b.max(2); z++)
                        for (long y = b.min(1); y < b.max(1); y++)
                            for (long x = b.min(0); x < b.max(0); x++) assertEquals(model.getAsLong(x, y, z, 0), outs.get(k).getAsLong(x, y, z, 0));
                }
                if (round == 0) {
                    a.write(p);
                    for (long z = 3; z < 17; z++)
                        for (long y = 9; y < 30; y++)
                            for (long x = 5; x < 29; x++) model.set(new long[] {x, y, z, 0}, p.getAsLong(x, y, z, 0));
                }
            }
        }
    }

    @Test
    void gzipUnderThePlainKeyOnAFileStore() throws IOException {
        Path layer = dir.resolve("layer");
        try (BigArray a = BigArray.create(layer.toString(), info())) {
            Files.createDirectories(layer.resolve("1_1_1"));
            Files.write(layer.resolve("1_1_1/-2-2_1-3_0-2"), gzip(rawChunk(-2, 2, 1, 3)));
            Files.write(layer.resolve("1_1_1/2-3_1-3_0-2.gz"), gzip(rawChunk(2, 3, 1, 3)));
            NdView v = a.read(Box.parse("-2,1,0:3,3,2"));
            for (long x = -2; x < 3; x++) assertEquals(1000 + 100 * (x + 2) + 10 + 1, v.getAsLong(x, 2, 1, 1));
            // y = 3 lies in missing chunks: fill.
            assertEquals(0, a.read(Box.parse("0,3,0:1,4,1")).getAsLong(0, 3, 0, 0));
        }
    }

    /**
     * A gzip chunk under the plain key whose compressed length happens to equal the raw chunk's
     * length: still gzip (its magic, CRC and length field say so), not raw bytes.
     */
    @Test
    void gzipExactlyAsLongAsTheRawChunkIsStillGzip() throws IOException {
        Info info = Info.builder(DataType.UINT8, new long[] {40, 40, 1}, new long[] {40, 40, 1}).build();
        int n = 1600;
        byte[] raw = null;
        byte[] gz = null;
        // Half-random data: find an amount of randomness whose gzip is exactly n bytes long.
        for (int k = n - 200; k < n && gz == null; k++) {
            byte[] d = new byte[n];
            new java.util.SplittableRandom(k).nextBytes(d);
            java.util.Arrays.fill(d, k, n, (byte) 0);
            byte[] g = gzip(d);
            if (g.length == n) {
                raw = d;
                gz = g;
            }
        }
        assertTrue(gz != null, "no test data found");
        try (BigArray a = BigArray.create(url, info)) {
            a.chunks().store().write("0-40_0-40_0-1", MemorySegment.ofArray(gz));
            assertArrayEquals(raw, a.read(a.bounds()).toByteArray());
            // Raw data that merely starts with the gzip magic stays raw.
            byte[] magicRaw = raw.clone();
            magicRaw[0] = 0x1f;
            magicRaw[1] = (byte) 0x8b;
            magicRaw[2] = 8;
            a.chunks().store().write("0-40_0-40_0-1", MemorySegment.ofArray(magicRaw));
            assertArrayEquals(magicRaw, a.read(a.bounds()).toByteArray());
        }
    }

    @Test
    void rawChunkOfTheWrongLengthIsCorruptNamingTheKey() {
        try (BigArray a = BigArray.create(url, info())) {
            a.chunks().store().write("2-3_3-4_0-2", MemorySegment.ofArray(new byte[] {'j', 'u', 'n', 'k'}));
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> a.read(a.bounds()));
            assertEquals("1_1_1/2-3_3-4_0-2", e.key());
            assertTrue(e.getMessage().contains("1_1_1/2-3_3-4_0-2") && e.getMessage().contains("8") && e.getMessage().contains("4"), e.getMessage());
            // A read that does not touch the bad chunk still works.
            assertEquals(0, a.read(Box.parse("-2,1,0:2,3,2")).getAsLong(0, 1, 0));
        }
    }

    @Test
    void damagedGzipIsCorruptNamingTheKey() throws IOException {
        try (BigArray a = BigArray.create(url, info())) {
            byte[] gz = gzip(rawChunk(2, 3, 3, 4));
            byte[] truncated = java.util.Arrays.copyOf(gz, gz.length - 5);
            a.chunks().store().write("2-3_3-4_0-2.gz", MemorySegment.ofArray(truncated));
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> a.read(a.bounds()));
            assertEquals("1_1_1/2-3_3-4_0-2", e.key());
            byte[] flipped = gz.clone();
            flipped[gz.length - 9] ^= 0x55; // last deflate byte or CRC: must not pass silently
            a.chunks().store().write("2-3_3-4_0-2.gz", MemorySegment.ofArray(flipped));
            assertThrows(CorruptChunkException.class, () -> a.read(a.bounds()));
            // gzip of too many bytes for the chunk
            a.chunks().store().write("2-3_3-4_0-2.gz", MemorySegment.ofArray(gzip(new byte[1000])));
            CorruptChunkException big = assertThrows(CorruptChunkException.class, () -> a.read(a.bounds()));
            assertTrue(big.getMessage().contains("1_1_1/2-3_3-4_0-2"), big.getMessage());
        }
    }

    @Test
    void readModifyWriteKeepsTheRestOfTheChunk() {
        try (BigArray a = BigArray.create(url, info())) {
            a.write(wholeVolume());
            NdView patch = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-1, 2, 1, 0}, new long[] {2, 1, 1, 2});
            patch.fill(7);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> a.write(patch));
            assertTrue(e.getMessage().contains("-1,2,1:1,3,2") && e.getMessage().contains("-2,1,0:2,3,2"), e.getMessage());
            a.withOptions(Options.defaults().withReadModifyWrite(true)).write(patch);
            NdView back = a.read(a.bounds());
            NdView want = wholeVolume();
            want.subView(Box.parse("-1,2,1,0:1,3,2,2")).fill(7);
            assertArrayEquals(want.toShortArray(), back.toShortArray());
        }
    }

    @Test
    void readModifyWriteOfAMissingChunkFillsTheRestWithTheFillValue() {
        try (BigArray a = BigArray.create(url, info(), Options.defaults().withReadModifyWrite(true).withFillValue(9))) {
            NdView patch = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {0, 1, 0, 0}, new long[] {1, 1, 1, 2});
            patch.fill(5);
            a.write(patch);
            assertEquals(List.of("-2-2_1-3_0-2"), a.chunks().store().list(""));
            NdView back = a.withOptions(Options.defaults()).read(Box.parse("-2,1,0:3,4,2"));
            assertEquals(5, back.getAsLong(0, 1, 0, 1));
            assertEquals(9, back.getAsLong(1, 2, 1, 1)); // same chunk, not written: write's fill value
            assertEquals(0, back.getAsLong(2, 1, 0, 0)); // missing chunk: read's fill value
        }
    }

    @Test
    void emptyAndOutsideBoxes() {
        try (BigArray a = BigArray.create(url, info(), Options.defaults().withFillValue(3))) {
            NdView empty = a.read(Box.parse("0,1,0:0,3,2"));
            assertEquals(0, empty.elementCount());
            NdView far = a.read(Box.parse("100,100,100:102,101,101"));
            assertArrayEquals(new short[] {3, 3, 3, 3}, far.toShortArray());
            assertEquals(List.of(), a.chunks().store().list(""));
        }
    }

    @Test
    void mipsAreSeparateScales() {
        Info info = Info.builder(DataType.UINT8, new long[] {8, 8, 2}, new long[] {4, 4, 2}).offset(-3, 5, 1).mips(3).build();
        try (BigArray a = BigArray.create(url, info)) {
            BigArray m1 = a.mip(1);
            assertEquals(Box.parse("-2,2,1:3,7,3"), m1.bounds()); // ceil((offset + size) / 2) - floor(offset / 2)
            NdView d = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {-2, 2, 1, 0}, new long[] {4, 4, 2, 1});
            d.fill(200);
            m1.write(d);
            assertEquals(List.of("-2-2_2-6_1-3"), KeyValueStores.open(url + "/2_2_1").list(""));
            assertEquals(200, m1.read(Box.parse("0,3,2:1,4,3")).getAsLong(0, 3, 2));
            assertEquals(0, a.read(Box.parse("0,5,1:1,6,2")).getAsLong(0, 5, 1));
            assertThrows(InvalidInputException.class, () -> a.mip(3));
        }
    }

    @Test
    void badRequestsAreInvalidInput() {
        try (BigArray a = BigArray.create(url, info())) {
            InvalidInputException twice = assertThrows(InvalidInputException.class, () -> BigArray.create(url, info()));
            assertTrue(twice.getMessage().contains(name), twice.getMessage());
            NdView wrongType = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {-2, 1, 0, 0}, new long[] {4, 2, 2, 2});
            assertThrows(InvalidInputException.class, () -> a.write(wrongType));
            NdView wrongChannels = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-2, 1, 0, 0}, new long[] {4, 2, 2, 1});
            assertThrows(InvalidInputException.class, () -> a.write(wrongChannels));
            NdView into = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {0, 0, 0, 0}, new long[] {2, 2, 2, 2});
            assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,1,0:3,3,2"), into));
            assertThrows(InvalidInputException.class, () -> a.read(Box.parse("0,1:3,3")));
        }
        InvalidInputException none = assertThrows(InvalidInputException.class, () -> BigArray.open("mem://" + name + "/nothing"));
        assertTrue(none.getMessage().contains("info"), none.getMessage());
        assertThrows(InvalidInputException.class, () -> BigArray.open("ftp://host/layer"));
    }

    @Test
    void writeFromAStridedSubViewEqualsWriteFromDenseData() {
        NdView big = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[] {-5, -1, -2, 0}, new long[] {10, 7, 6, 2});
        big.fill(777);
        NdView sub = big.subView(Box.parse("-2,1,0,0:3,4,2,2"));
        sub.copyFrom(wholeVolume());
        try (BigArray a = BigArray.create(url, info())) {
            a.write(sub);
            assertArrayEquals(rawChunk(-2, 2, 1, 3), a.chunks().store().read("-2-2_1-3_0-2").toByteArray());
            assertArrayEquals(wholeVolume().toShortArray(), a.read(a.bounds()).toShortArray());
        }
    }

    @Test
    void optionsRejectBadValues() {
        assertThrows(InvalidInputException.class, () -> Options.defaults().withThreads(0, 4));
        assertThrows(InvalidInputException.class, () -> Options.defaults().withThreads(4, 0));
        assertEquals(Compression.GZIP, Compression.of("gzip"));
        assertEquals(Compression.NONE, Compression.of("raw"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Compression.of("brotli"));
        assertTrue(e.getMessage().contains("brotli"), e.getMessage());
    }

    @Test
    void aMalformedInfoIsAFormatErrorNamingItsUrl() {
        KeyValueStores.open(url).write("info", MemorySegment.ofArray("{\"type\": \"image\", ".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        org.bigarrays.FormatException e = assertThrows(org.bigarrays.FormatException.class, () -> BigArray.open(url));
        assertTrue(e.getMessage().contains(url + "/info"), e.getMessage());
    }

    @Test
    void aPathThatIsAFileIsNotALayer() throws IOException {
        Path f = Files.writeString(dir.resolve("plain.txt"), "not a layer");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BigArray.open(f.toString()));
        assertTrue(e.getMessage().contains("plain.txt") && e.getMessage().contains("info"), e.getMessage());
    }

    @Test
    void progressIsReportedPerChunk() {
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
        try (BigArray a = BigArray.create(url, info(), Options.defaults().withProgress((done, total) -> {
            assertEquals(4, total);
            last.accumulateAndGet(done, Math::max);
        }))) {
            a.write(wholeVolume());
            assertEquals(4, last.get());
            assertFalse(a.read(a.bounds()).elementCount() == 0);
        }
    }
}
