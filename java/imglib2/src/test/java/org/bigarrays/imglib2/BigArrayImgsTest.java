package org.bigarrays.imglib2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.cell.Cell;
import net.imglib2.type.NativeType;
import net.imglib2.type.logic.NativeBoolType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedLongType;
import net.imglib2.view.Views;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/** Views of layers equal {@code BigArray.read} voxel for voxel, whatever the type, offset, channels and mip. */
class BigArrayImgsTest {
    private static final AtomicInteger LAYERS = new AtomicInteger();

    @Provide
    Arbitrary<DataType> dataTypes() {
        return Arbitraries.of(DataType.values());
    }

    /** A layer of random voxels (floats include NaN and infinities, uint64 values above 2^63). */
    static BigArray layer(DataType t, long[] size, long[] chunk, long[] offset, int channels, int mips, long seed, BigArraysContext ctx) {
        Info info = Info.builder(t, size, chunk).offset(offset).channels(channels).mips(mips).build();
        String url = "mem://imglib2-" + LAYERS.incrementAndGet() + "/layer";
        BigArray a = ctx == null ? BigArray.create(url, info) : BigArray.create(url, info, Options.defaults(), ctx);
        Random r = new Random(seed);
        for (int m = 0; m < mips; m++) {
            BigArray s = a.mip(m);
            Box b = s.bounds();
            long[] shape = {b.size(0), b.size(1), b.size(2), channels};
            NdView v = NdView.allocate(Arena.ofAuto(), t, new long[] {b.min(0), b.min(1), b.min(2), 0}, shape);
            for (long c = 0; c < channels; c++) for (long z = b.min(2); z < b.max(2); z++) for (long y = b.min(1); y < b.max(1); y++) {
                for (long x = b.min(0); x < b.max(0); x++) {
                    long[] p = {x, y, z, c};
                    switch (t) {
                        case FLOAT32, FLOAT64 -> {
                            int k = r.nextInt(20);
                            v.setDouble(p, k == 0 ? Double.NaN : k == 1 ? Double.NEGATIVE_INFINITY : r.nextGaussian() * 1e6);
                        }
                        case BOOL -> v.set(p, r.nextInt(2));
                        default -> v.set(p, r.nextLong());
                    }
                }
            }
            s.write(v);
        }
        return a;
    }

    /** Every voxel of {@code img} against {@code expected}, visited by a cursor (all cells). */
    static void assertSame(NdView expected, RandomAccessibleInterval<?> img, int channels) {
        Cursor<?> c = Views.flatIterable(img).localizingCursor();
        long[] pos = new long[img.numDimensions()];
        long n = 0;
        while (c.hasNext()) {
            Object v = c.next();
            c.localize(pos);
            long[] p = {pos[0], pos[1], pos[2], channels > 1 ? pos[3] : 0};
            assertVoxel(expected, p, v);
            n++;
        }
        assertEquals(expected.elementCount(), n);
    }

    static void assertVoxel(NdView expected, long[] p, Object v) {
        DataType t = expected.dataType();
        if (v instanceof NativeBoolType b) {
            assertEquals(expected.getAsLong(p) != 0, b.get(), () -> "voxel " + java.util.Arrays.toString(p));
        } else if (t == DataType.FLOAT32 || t == DataType.FLOAT64) {
            assertEquals(Double.doubleToLongBits(expected.getAsDouble(p)), Double.doubleToLongBits(((RealType<?>) v).getRealDouble()),
                    () -> "voxel " + java.util.Arrays.toString(p));
        } else {
            assertEquals(expected.getAsLong(p), ((IntegerType<?>) v).getIntegerLong(), () -> "voxel " + java.util.Arrays.toString(p));
        }
    }

    @Property(tries = 60)
    void everyDataTypeOffsetChannelCountAndMipReadsAsBigArrayRead(@ForAll("dataTypes") DataType t,
            @ForAll @IntRange(min = -40, max = 40) int ox, @ForAll @IntRange(min = -40, max = 40) int oy,
            @ForAll @IntRange(min = -9, max = 9) int oz, @ForAll @IntRange(min = 1, max = 3) int channels,
            @ForAll @IntRange(min = 0, max = 1) int mip, @ForAll long seed) {
        try (BigArray a = layer(t, new long[] {37, 21, 9}, new long[] {8, 16, 4}, new long[] {ox, oy, oz}, channels, 2, seed, null)) {
            BigArray s = a.mip(mip);
            RandomAccessibleInterval<?> img = BigArrayImgs.wrap(s);
            Box b = s.bounds();
            int n = channels > 1 ? 4 : 3;
            assertEquals(n, img.numDimensions());
            long[] min = new long[n];
            long[] max = new long[n];
            for (int d = 0; d < 3; d++) {
                min[d] = b.min(d);
                max[d] = b.max(d) - 1;
            }
            if (n == 4) max[3] = channels - 1;
            assertArrayEquals(min, img.minAsLongArray());
            assertArrayEquals(max, img.maxAsLongArray());
            assertEquals(BigArrayImgs.type(t).getClass(), img.getType().getClass());
            NdView expected = s.read(b);
            assertSame(expected, img, channels);
            // Random access in random order, across cells and back.
            RandomAccess<?> ra = img.randomAccess();
            Random r = new Random(seed);
            for (int i = 0; i < 200; i++) {
                long[] p = new long[n];
                for (int d = 0; d < n; d++) p[d] = min[d] + (long) r.nextInt((int) (max[d] - min[d] + 1));
                Object v = ra.setPositionAndGet(p);
                assertVoxel(expected, new long[] {p[0], p[1], p[2], n == 4 ? p[3] : 0}, v);
            }
        }
    }

    @Test
    void unsignedTypesKeepTheirHighValues() {
        try (BigArray a = layer(DataType.UINT64, new long[] {4, 4, 1}, new long[] {4, 4, 1}, new long[] {-2, -2, 0}, 1, 1, 7, null)) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT64, new long[] {-2, -2, 0, 0}, new long[] {4, 4, 1, 1});
            v.set(new long[] {-2, -2, 0, 0}, -1L); // 2^64 - 1
            a.write(v);
            RandomAccessibleInterval<UnsignedLongType> img = BigArrayImgs.wrap(a);
            UnsignedLongType top = img.getAt(-2, -2, 0);
            assertEquals(-1L, top.getLong());
            assertEquals(new java.math.BigInteger("18446744073709551615"), top.getBigInteger());
            assertEquals(0L, img.getAt(1, 1, 0).getLong());
        }
    }

    @Test
    void cellsAreReadThroughTheContextsChunkCacheAndOnceWhileCached() {
        try (BigArraysContext ctx = BigArraysContext.create(16L << 20);
             BigArray a = layer(DataType.UINT16, new long[] {64, 64, 8}, new long[] {32, 32, 8}, new long[] {-10, 5, -3}, 1, 1, 3, ctx)) {
            NdView expected = a.read(a.bounds());
            ctx.chunkCache().clear();
            long loads = ctx.chunkCache().stats().loads();
            assertSame(expected, BigArrayImgs.wrap(a), 1);
            var st = ctx.chunkCache().stats();
            assertEquals(4, st.entries(), "each of the 4 chunks decoded into the context's cache: " + st);
            assertEquals(loads + 4, st.loads(), st.toString());
            assertSame(expected, BigArrayImgs.wrap(a), 1); // a second image: cache hits only
            assertEquals(loads + 4, ctx.chunkCache().stats().loads());
        }
    }

    @Test
    void theCellCacheLoadsACellOnceAndKeepsItsByteBudget() {
        List<Long> loads = new ArrayList<>();
        CellCache<IntArray> cache = new CellCache<>(i -> {
            loads.add(i);
            return new Cell<>(new int[] {4, 4}, new long[] {4 * i, 0}, new IntArray(new int[16]));
        }, 3 * 16 * 8);
        cache.get(0);
        cache.get(1);
        cache.get(0);
        cache.get(2);
        assertEquals(List.of(0L, 1L, 2L), loads);
        cache.get(3); // over budget: 1, the least recently used, goes
        cache.get(0);
        cache.get(1);
        assertEquals(List.of(0L, 1L, 2L, 3L, 1L), loads);
    }

    @Test
    void typesMatchTheLayersDataTypes() {
        assertInstanceOf(NativeType.class, BigArrayImgs.type(DataType.BOOL));
        assertEquals("UnsignedByteType UnsignedShortType UnsignedIntType UnsignedLongType ByteType ShortType IntType LongType FloatType DoubleType NativeBoolType",
                String.join(" ", java.util.stream.Stream.of(DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.INT8,
                        DataType.INT16, DataType.INT32, DataType.INT64, DataType.FLOAT32, DataType.FLOAT64, DataType.BOOL)
                        .map(t -> BigArrayImgs.type(t).getClass().getSimpleName()).toList()));
    }
}
