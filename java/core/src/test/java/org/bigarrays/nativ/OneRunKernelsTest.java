package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Which calls {@link OneRunKernels} makes in Java (one contiguous run in every segment) and
 * which it hands to the process's kernels; {@link KernelContractTest} and
 * {@link GatherContractTest} check its bytes and errors against the reference on random boxes.
 */
class OneRunKernelsTest {
    @Test
    void aWholeChunkIntoAnOutputOfItsShapeIsOneRun() {
        long[] shape = {64, 64, 64, 1};
        long[] strides = {1, 64, 64 * 64, 64 * 64 * 64};
        assertTrue(OneRunKernels.oneRun(shape, strides, strides, 1));
        long[] wide = {2, 128, 128 * 64, 128 * 64 * 64}; // uint16 rows of 64 in rows of 64: still one run
        assertTrue(OneRunKernels.oneRun(shape, wide, wide, 2));
    }

    @Test
    void rowsWithGapsOrPartOfAChunkAreNot() {
        long[] shape = {32, 64, 64, 1};
        long[] chunk = {1, 64, 64 * 64, 64 * 64 * 64};
        long[] out = {1, 32, 32 * 64, 32 * 64 * 64};
        assertFalse(OneRunKernels.oneRun(shape, chunk, out, 1), "half of each chunk row");
        assertFalse(OneRunKernels.oneRun(new long[] {4}, new long[] {2}, new long[] {1}, 1), "strided source");
        assertFalse(OneRunKernels.oneRun(new long[] {4, 4}, new long[] {1}, new long[] {1, 4}, 1), "strides of another rank");
        assertFalse(OneRunKernels.oneRun(new long[] {-1}, new long[] {1}, new long[] {1}, 1), "a negative extent");
    }

    @Test
    void aOneRunGatherWritesWhatTheJavaKernelsWrite() {
        try (Arena arena = Arena.ofConfined()) {
            long[] shape = {16, 8, 4, 1};
            long[] strides = {2, 32, 256, 1024};
            MemorySegment src = arena.allocate(1024);
            for (int i = 0; i < 1024; i++) src.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            MemorySegment a = arena.allocate(1024), b = arena.allocate(1024);
            Kernels.get().gather(new MemorySegment[] {src}, new long[] {0}, new long[][] {strides}, new long[] {16}, a, 0, strides, shape, 2);
            new JavaKernels().gather(new MemorySegment[] {src}, new long[] {0}, new long[][] {strides}, new long[] {16}, b, 0, strides, shape, 2);
            assertArrayEquals(b.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), a.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }
}
