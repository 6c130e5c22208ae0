package org.bigarrays.imglib2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zarr layers (a sharded Zarr v3 array with two channels, each OME-Zarr level) open through the ImgLib2 adapter with every voxel. */
class ZarrImgLib2Test {
    @TempDir
    Path tmp;

    private static void fill(BigArray a) {
        NdView v = a.read(a.bounds());
        long[] s = v.shape();
        long[] o = a.bounds().min();
        for (long c = 0; c < s[3]; c++) for (long z = 0; z < s[2]; z++) for (long y = 0; y < s[1]; y++) for (long x = 0; x < s[0]; x++) {
            v.set(new long[] {o[0] + x, o[1] + y, o[2] + z, c}, (x * 3 + y * 101 + z * 1009 + c * 7 + a.mip()) & 0xffff);
        }
        a.write(v);
    }

    private static String readString(Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aShardedZarr3ArrayWithChannelsOpensThroughImgLib2() {
        Info info = Info.builder(DataType.UINT16, new long[] {40, 30, 10}, new long[] {16, 16, 8}).channels(2).offset(-5, 3, 0)
                .sharding(new org.bigarrays.sharding.ShardingSpec(0, org.bigarrays.sharding.ShardingSpec.Hash.IDENTITY, 1, 1,
                        Compression.NONE, Compression.NONE)).build();
        String url = tmp.resolve("z3").toUri().toString();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("zarr3").withCompression(Compression.ZSTD))) {
            fill(a);
        }
        try (BigArray a = BigArray.open(url)) {
            assertEquals("zarr3", a.format());
            assertEquals(true, readString(tmp.resolve("z3/zarr.json")).contains("sharding_indexed"), "the array is sharded");
            RandomAccessibleInterval<UnsignedShortType> img = BigArrayImgs.wrap(a);
            assertEquals(4, img.numDimensions());
            assertArrayEquals(new long[] {-5, 3, 0, 0}, img.minAsLongArray());
            BigArrayImgsTest.assertSame(a.read(a.bounds()), img, 2);
        }
    }

    @Test
    void eachOmeZarrLevelOpensThroughImgLib2() {
        Info info = Info.builder(DataType.UINT16, new long[] {40, 30, 10}, new long[] {16, 16, 8}).mips(2).build();
        String url = tmp.resolve("ome").toUri().toString();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("ome-zarr").withCompression(Compression.GZIP))) {
            fill(a.mip(0));
            fill(a.mip(1));
        }
        try (BigArray a = BigArray.open(url)) {
            assertEquals("ome-zarr", a.format());
            for (int m = 0; m < 2; m++) BigArrayImgsTest.assertSame(a.mip(m).read(a.mip(m).bounds()), BigArrayImgs.wrap(a.mip(m)), 1);
        }
    }
}
