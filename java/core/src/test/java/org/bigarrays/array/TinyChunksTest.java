package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/**
 * Issue 15.7: a layer of 1×1×1 chunks is planned by cell ranges and read in batched tasks, so a
 * 64³ cutout (262,144 chunks) reads every voxel right (its speed is a benchmark's business, not a test's).
 */
class TinyChunksTest {
    @Test
    void cutoutOfOneVoxelChunks() {
        long n = 64;
        String url = "mem://tiny-chunks/layer";
        Info info = Info.builder(DataType.UINT8, new long[] {n, n, n}, new long[] {1, 1, 1}).build();
        NdView data = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {n, n, n, 1});
        for (long z = 0; z < n; z++) for (long y = 0; y < n; y++) for (long x = 0; x < n; x++) data.set(new long[] {x, y, z, 0}, (x + 3 * y + 7 * z) & 0xff);
        try (BigArray a = BigArray.create(url, info)) {
            // The layer, stored directly (one key per voxel).
            var store = a.chunks().store();
            for (long z = 0; z < n; z++) for (long y = 0; y < n; y++) for (long x = 0; x < n; x++) {
                store.write(x + "-" + (x + 1) + "_" + y + "-" + (y + 1) + "_" + z + "-" + (z + 1),
                        java.lang.foreign.MemorySegment.ofArray(new byte[] {(byte) data.getAsLong(x, y, z, 0)}));
            }
            NdView back = a.read(a.bounds());
            assertEquals(-1, data.segment().mismatch(back.segment()), "a 64³ cutout of 1×1×1 chunks reads what was written");
            NdView part = a.read(Box.parse("5,6,7:69,20,30")); // partly outside: fill there
            assertEquals((5 + 18 + 7 * 29) & 0xff, part.getAsLong(5, 6, 29, 0));
            assertEquals(0, part.getAsLong(68, 19, 29, 0));
            // The writer plans by ranges too: an unaligned-free 16³ rewrite of 4,096 chunks.
            NdView patch = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {8, 8, 8, 0}, new long[] {16, 16, 16, 1});
            patch.fill(200);
            a.write(patch);
            NdView after = a.read(Box.parse("7,8,8:9,9,9"));
            assertEquals(data.getAsLong(7, 8, 8, 0), after.getAsLong(7, 8, 8, 0));
            assertEquals(200, after.getAsLong(8, 8, 8, 0));
        } finally {
            org.bigarrays.kvstore.KeyValueStores.dropMemory("tiny-chunks");
        }
    }
}
