package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.TempTrees;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Cutouts of compressed_segmentation layers, which the chunk reader decodes by sub-box straight
 * into the output, against a simple model (the labels written, the fill value elsewhere): random
 * label volumes, chunk and block sizes, voxel offsets, channels, uint32/uint64, sharded or not,
 * transport compression, missing chunks, boxes inside, at the edges and partly outside the
 * volume, read with {@code read(box)} and with {@code read(box, into)} into padded or C-order
 * destinations, on one and two threads.
 */
class CompressedSegmentationCutoutTest {

    @Property(tries = 40)
    void cutoutsEqualTheModel(@ForAll @IntRange(min = 1, max = 30) int sx, @ForAll @IntRange(min = 1, max = 24) int sy,
                              @ForAll @IntRange(min = 1, max = 12) int sz, @ForAll @IntRange(min = 1, max = 2) int channels,
                              @ForAll boolean uint64, @ForAll boolean sharded, @ForAll boolean gzip, @ForAll @IntRange(min = 1, max = 2) int threads,
                              @ForAll long seed) throws IOException {
        Random r = new Random(seed);
        DataType t = uint64 ? DataType.UINT64 : DataType.UINT32;
        long[] size = {sx, sy, sz};
        long[] chunk = {1 + r.nextInt(16), 1 + r.nextInt(16), 1 + r.nextInt(8)};
        long[] offset = {r.nextInt(21) - 10, r.nextInt(21) - 10, r.nextInt(7) - 3};
        // At most the chunk (the format requires it); edge chunks may still be smaller than a block.
        long[] block = {1 + r.nextInt((int) Math.min(9, chunk[0])), 1 + r.nextInt((int) Math.min(9, chunk[1])), 1 + r.nextInt((int) Math.min(9, chunk[2]))};
        var b = Info.builder(t, size, chunk).offset(offset).channels(channels);
        if (sharded) b.sharding(new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 1, 1, Compression.NONE, gzip ? Compression.GZIP : Compression.NONE));
        Info info = new EncodingSpec("compressed_segmentation", block, null, null).applyTo(b.build());
        long fill = 7;
        Options options = Options.defaults().withThreads(threads, 2).withFillValue(fill).withCompression(gzip && !sharded ? Compression.GZIP : Compression.NONE)
                .withReadModifyWrite(sharded);

        // Labels over a chunk-aligned part of the volume (the chunks outside it stay missing), in runs as segmentation has.
        long[] wlo = new long[3], whi = new long[3];
        for (int d = 0; d < 3; d++) {
            long cells = Math.ceilDiv(size[d], chunk[d]);
            long c0 = r.nextInt(3) == 0 ? r.nextInt((int) cells) : 0;
            wlo[d] = offset[d] + c0 * chunk[d];
            whi[d] = Math.min(offset[d] + size[d], offset[d] + (c0 + 1 + r.nextInt((int) (cells - c0))) * chunk[d]);
        }
        Box written = Box.of(wlo, whi);
        long[] wshape = {whi[0] - wlo[0], whi[1] - wlo[1], whi[2] - wlo[2], channels};
        NdView src = NdView.allocate(Arena.ofAuto(), t, new long[] {wlo[0], wlo[1], wlo[2], 0}, wshape);
        long label = 0;
        int labels = 1 + r.nextInt(40);
        for (long c = 0; c < channels; c++) for (long z = 0; z < wshape[2]; z++) for (long y = 0; y < wshape[1]; y++) for (long x = 0; x < wshape[0]; x++) {
            if (r.nextInt(4) == 0) label = (r.nextInt(labels) * 0x1_0000_0003L) & (uint64 ? -1L : 0xFFFF_FFFFL);
            src.set(new long[] {wlo[0] + x, wlo[1] + y, wlo[2] + z, c}, label);
        }

        Path dir = Files.createTempDirectory("cseg-cutout");
        try {
            try (BigArray a = BigArray.create(dir.toString(), info, options)) {
                a.write(src);
            }
            try (BigArray a = BigArray.open(dir.toString(), options)) {
                for (int k = 0; k < 6; k++) {
                    long[] lo = new long[3], hi = new long[3];
                    for (int d = 0; d < 3; d++) {
                        // Mostly inside, sometimes a little past either end of the volume.
                        lo[d] = offset[d] - (r.nextInt(5) == 0 ? 2 : 0) + r.nextInt((int) size[d]);
                        hi[d] = Math.min(lo[d] + 1 + r.nextInt((int) size[d] + 2), offset[d] + size[d] + (r.nextInt(5) == 0 ? 3 : 0));
                        if (hi[d] <= lo[d]) hi[d] = lo[d] + 1;
                    }
                    Box box = Box.of(lo, hi);
                    String what = "box " + box + ", written " + written + ", chunk " + Arrays.toString(chunk) + ", block " + Arrays.toString(block)
                            + (sharded ? ", sharded" : "") + (gzip ? ", gzip" : "") + ", " + t + " x " + channels;
                    check(a.read(box), box, written, src, fill, channels, what + ", read(box)");
                    long[] shape = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], channels};
                    long[] strides;
                    if (r.nextBoolean()) {
                        strides = NdView.cOrderStrides(shape, t.size());
                    } else {
                        strides = new long[4];
                        strides[0] = t.size() * (r.nextInt(3) == 0 ? 2L : 1L);
                        for (int d = 1; d < 4; d++) strides[d] = strides[d - 1] * (shape[d - 1] + r.nextInt(2));
                    }
                    long bytes = 16;
                    for (int d = 0; d < 4; d++) bytes += (shape[d] - 1) * strides[d];
                    bytes += t.size();
                    NdView into = NdView.wrap(MemorySegment.ofArray(new byte[(int) bytes]).fill((byte) 0x5A), 16, t, new long[4], shape, strides);
                    a.read(box, into);
                    check(into.withOrigin(new long[] {lo[0], lo[1], lo[2], 0}), box, written, src, fill, channels, what + ", read(box, into) strides " + Arrays.toString(strides));
                }
            }
        } finally {
            TempTrees.deleteTree(dir);
        }
    }

    private static void check(NdView got, Box box, Box written, NdView src, long fill, int channels, String what) {
        int wrong = 0;
        String first = null;
        for (long c = 0; c < channels; c++) for (long z = box.min(2); z < box.max(2); z++) for (long y = box.min(1); y < box.max(1); y++) for (long x = box.min(0); x < box.max(0); x++) {
            long[] at = {x, y, z, c};
            boolean in = x >= written.min(0) && x < written.max(0) && y >= written.min(1) && y < written.max(1) && z >= written.min(2) && z < written.max(2);
            long want = in ? src.getAsLong(at) : fill;
            long have = got.getAsLong(at);
            if (want != have && wrong++ == 0) first = Arrays.toString(at) + ": " + have + " instead of " + want;
        }
        assertEquals(0, wrong, what + ": " + wrong + " wrong voxels, first " + first);
    }
}
