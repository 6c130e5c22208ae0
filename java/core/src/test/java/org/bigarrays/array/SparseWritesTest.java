package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.StoredChunks;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunks entirely of the fill value are not stored (and stale ones are removed); jobs plan from what is stored. */
class SparseWritesTest {
    @TempDir
    Path tmp;

    private static final long[] SIZE = {64, 64, 32};
    private static final long[] CHUNK = {16, 16, 16};

    private static Info info(ShardingSpec sharding) {
        var b = Info.builder(DataType.UINT8, SIZE, CHUNK);
        if (sharding != null) b.sharding(sharding);
        return b.build();
    }

    /** A view of {@code box} with every voxel {@code v}. */
    private static NdView filled(Box box, int v) {
        NdView n = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {box.min(0), box.min(1), box.min(2), 0},
                new long[] {box.shape()[0], box.shape()[1], box.shape()[2], 1});
        n.fill(v);
        return n;
    }

    private static Box box(long x0, long y0, long z0, long x1, long y1, long z1) {
        return Box.of(new long[] {x0, y0, z0}, new long[] {x1, y1, z1});
    }

    private static List<String> chunkFiles(Path scale) throws Exception {
        if (!Files.exists(scale)) return List.of(); // nothing was ever stored in it
        try (Stream<Path> l = Files.list(scale)) {
            return l.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static long stored(BigArray a) {
        return a.chunks().stored().count();
    }

    @Test
    void allFillChunksAreNotStoredAndOverwritingWithFillDeletesTheStoredChunk() throws Exception {
        Path dir = tmp.resolve("plain");
        try (BigArray a = BigArray.create(dir.toString(), info(null), Options.defaults().withCompression(Compression.GZIP))) {
            a.write(filled(a.bounds(), 0));
            assertEquals(List.of(), chunkFiles(dir.resolve("1_1_1")), "zeros are not stored");
            a.write(filled(box(0, 0, 0, 32, 16, 16), 5));
            assertEquals(List.of("0-16_0-16_0-16.gz", "16-32_0-16_0-16.gz"), chunkFiles(dir.resolve("1_1_1"))); // CloudFiles' gzip names
            // Overwrite one stored chunk whole with fill: it must read back as fill, so it is deleted.
            a.write(filled(box(0, 0, 0, 16, 16, 16), 0));
            assertEquals(List.of("16-32_0-16_0-16.gz"), chunkFiles(dir.resolve("1_1_1")));
            assertEquals(-1, a.read(box(0, 0, 0, 16, 16, 16)).segment().mismatch(filled(box(0, 0, 0, 16, 16, 16), 0).segment()));
            assertEquals(5, a.read(box(20, 3, 3, 21, 4, 4)).segment().get(ValueLayout.JAVA_BYTE, 0));
            // Read-modify-write of part of a stored chunk to fill: the rest survives (the chunk is rewritten, not dropped).
            BigArray rmw = a.withOptions(a.options().withReadModifyWrite(true));
            rmw.write(filled(box(16, 0, 0, 24, 16, 16), 0));
            assertEquals(0, a.read(box(17, 1, 1, 18, 2, 2)).segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(5, a.read(box(30, 1, 1, 31, 2, 2)).segment().get(ValueLayout.JAVA_BYTE, 0));
            // ...and patched to all fill it still reads as fill (written conditionally: there is no conditional delete).
            rmw.write(filled(box(24, 0, 0, 32, 16, 16), 0));
            assertEquals(-1, a.read(box(16, 0, 0, 32, 16, 16)).segment().mismatch(filled(box(16, 0, 0, 32, 16, 16), 0).segment()));
            // A partial write of fill into a missing chunk stores nothing.
            rmw.write(filled(box(40, 40, 20, 44, 44, 24), 0));
            assertFalse(Files.exists(dir.resolve("1_1_1/32-48_32-48_16-32")));
        }
    }

    @Test
    void storeFillChunksStoresThemAndSoDoesANonZeroFillValue() throws Exception {
        Path dir = tmp.resolve("store");
        try (BigArray a = BigArray.create(dir.toString(), info(null), Options.defaults().withStoreFillChunks(true))) {
            a.write(filled(a.bounds(), 0));
            assertEquals(32, chunkFiles(dir.resolve("1_1_1")).size());
        }
        Path seven = tmp.resolve("seven");
        try (BigArray a = BigArray.create(seven.toString(), info(null), Options.defaults().withFillValue(7))) {
            a.write(filled(a.bounds(), 7));
            // Neuroglancer would show a missing chunk as 0, not 7: these are stored.
            assertEquals(32, chunkFiles(seven.resolve("1_1_1")).size());
            assertEquals(7, a.read(box(3, 3, 3, 4, 4, 4)).segment().get(ValueLayout.JAVA_BYTE, 0));
            a.write(filled(a.bounds(), 0));
            assertEquals(32, chunkFiles(seven.resolve("1_1_1")).size(), "zeros under fill 7 are no fill chunks either");
            assertEquals(0, a.read(box(3, 3, 3, 4, 4, 4)).segment().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void shardedWritesLeaveFillChunksOutAndDropStaleOnes() throws Exception {
        Path dir = tmp.resolve("sharded");
        try (BigArray a = BigArray.create(dir.toString(), info(ShardingSpec.parseCli("0,2,1")))) {
            a.write(filled(a.bounds(), 3));
            assertEquals(32, stored(a));
            // Every chunk fill but one: the shards keep only that one.
            NdView one = filled(a.bounds(), 0);
            for (long z = 0; z < 16; z++) for (long y = 0; y < 16; y++) for (long x = 0; x < 16; x++) one.set(new long[] {x, y, z, 0}, 9);
            a.write(one);
            assertEquals(1, stored(a));
            assertEquals(9, a.read(box(1, 1, 1, 2, 2, 2)).segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, a.read(box(40, 40, 20, 41, 41, 21)).segment().get(ValueLayout.JAVA_BYTE, 0));
            a.write(filled(a.bounds(), 0));
            assertEquals(0, stored(a));
            try (Stream<Path> l = Files.list(dir.resolve("1_1_1"))) {
                assertEquals(0, l.filter(p -> p.toString().endsWith(".shard")).count(), "an emptied shard file is deleted");
            }
        }
    }

    /** A layer with data in 2 of its 32 chunks. */
    private Path sparse(String name) {
        Path dir = tmp.resolve(name);
        try (BigArray a = BigArray.create(dir.toString(), info(null))) {
            a.write(filled(box(0, 0, 0, 16, 16, 16), 100));
            a.write(filled(box(48, 32, 16, 64, 48, 32), 200));
        }
        return dir;
    }

    @Test
    void transcodeCopiesOnlyStoredChunksUnshardedAndSharded() throws Exception {
        Path src = sparse("src");
        Transcode.Result r = Transcode.run(src.toString(), tmp.resolve("dst").toString(), null, Options.defaults());
        assertEquals(2, r.chunksWritten());
        assertEquals(30, r.chunksMissing());
        assertEquals(List.of("0-16_0-16_0-16", "48-64_32-48_16-32"), chunkFiles(tmp.resolve("dst/1_1_1")));
        Transcode.run(src.toString(), tmp.resolve("sh").toString(), null, java.util.Optional.of(ShardingSpec.parseCli("0,2,1")), Options.defaults());
        try (BigArray a = BigArray.open(src.toString()); BigArray b = BigArray.open(tmp.resolve("sh").toString())) {
            assertEquals(2, stored(b));
            assertEquals(-1, a.read(a.bounds()).segment().mismatch(b.read(b.bounds()).segment()));
        }
    }

    @Test
    void downsampleSkipsEmptyTasksWritesTheSameVoxelsAndLeavesNothingStale() throws Exception {
        Path src = sparse("pyr");
        Path full = sparse("pyr-full");
        try (BigArray a = BigArray.open(src.toString()); BigArray f = BigArray.open(full.toString(), Options.defaults().withStoreFillChunks(true))) {
            PyramidSpec spec = PyramidSpec.defaults().withMips(2).withFactor(new long[] {2, 2, 2}).withTaskBytes(16 * 16 * 16);
            Pyramid.build(a, spec);
            Pyramid.build(f, spec);
            BigArray a1 = BigArray.open(src.toString()).mip(1), f1 = BigArray.open(full.toString()).mip(1);
            assertEquals(2, stored(a1), "only the chunks under stored data");
            assertEquals(4, stored(f1), "with --store-fill-chunks every chunk (mip 1: 32x32x16, 2x2x1 chunks)");
            assertEquals(-1, a1.read(a1.bounds()).segment().mismatch(f1.read(f1.bounds()).segment()));
            // Remove mip 0's data under one mip-1 chunk and rebuild: that chunk must not stay stale.
            a.write(filled(box(0, 0, 0, 16, 16, 16), 0));
            Pyramid.build(BigArray.open(src.toString()), spec);
            BigArray again = BigArray.open(src.toString()).mip(1);
            assertEquals(1, stored(again));
            assertEquals(0, again.read(box(0, 0, 0, 8, 8, 8)).segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) 200, again.read(box(24, 16, 8, 25, 17, 9)).segment().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void storedChunksAnswersRangeQueries() {
        Path src = sparse("q");
        try (BigArray a = BigArray.open(src.toString())) {
            StoredChunks s = a.chunks().stored();
            assertEquals(2, s.count());
            assertTrue(s.contains(new long[] {0, 0, 0}));
            assertTrue(s.contains(new long[] {3, 2, 1}));
            assertFalse(s.contains(new long[] {3, 3, 1}));
            assertEquals(2, s.countIn(a.grid().allCells()));
            assertTrue(s.anyIn(a.grid().cellRange(box(40, 30, 10, 64, 40, 20))));
            assertFalse(s.anyIn(a.grid().cellRange(box(16, 0, 0, 64, 32, 16))));
            List<long[]> cells = s.cellsIn(a.grid().allCells());
            assertArrayEquals(new long[] {3, 2, 1}, cells.get(1));
        }
    }
}
