package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.UUID;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/**
 * Results of read(box) in recycled memory: a dropped result's memory comes back once the
 * collector finds it unreachable, and a result in recycled memory shows nothing of the last one
 * (missing chunks and voxels outside the volume get the fill value).
 */
class ResultMemoryTest {
    @Test
    void aDroppedResultIsGivenBackAndItsOldVoxelsNeverShowInTheNextResult() throws InterruptedException {
        Info info = Info.builder(DataType.UINT64, new long[] {96, 96, 32}, new long[] {32, 32, 16}).build();
        String full = "mem://" + UUID.randomUUID() + "/full";
        String sparse = "mem://" + UUID.randomUUID() + "/sparse";
        // Box partly outside the volume: 112 × 96 × 32 uint64 = 2.6 MiB, pooled.
        Box box = Box.of(new long[] {-16, 0, 0}, new long[] {96, 96, 32});
        try (BigArray a = BigArray.create(full, info); BigArray b = BigArray.create(sparse, info, Options.defaults().withFillValue(7));
                Arena scratch = Arena.ofConfined()) {
            NdView v = NdView.allocate(scratch, DataType.UINT64, new long[4], new long[] {96, 96, 32, 1});
            for (long i = 0; i < v.byteSize(); i += 8) v.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 0x5555_0000_0000L + i);
            a.write(v);
            // One chunk of the sparse layer stored, the rest missing.
            NdView one = NdView.allocate(scratch, DataType.UINT64, new long[] {32, 32, 16, 0}, new long[] {32, 32, 16, 1});
            one.fillBits(3);
            b.write(one);

            long before = ResultMemory.lent();
            NdView dense = a.read(box);
            assertTrue(ResultMemory.lent() >= before + dense.byteSize(), "a 2.6 MiB result must come from the pool");
            assertEquals(0x5555_0000_0000L, dense.getAsLong(0, 0, 0));
            dense = null;
            for (int i = 0; i < 200 && ResultMemory.lent() > before; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(before, ResultMemory.lent(), "the dropped result's memory was never given back");

            NdView got = b.read(box);
            for (long z = 0; z < 32; z++)
                for (long y = 0; y < 96; y++)
                    for (long x = -16; x < 96; x++) {
                        boolean stored = x >= 32 && x < 64 && y >= 32 && y < 64 && z >= 16;
                        assertEquals(stored ? 3 : 7, got.getAsLong(x, y, z), "voxel " + x + "," + y + "," + z);
                    }
        }
    }
}
