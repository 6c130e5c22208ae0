package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.nativ.KernelContractTest.Layout;

/**
 * {@link Kernels#gather} for {@link JavaKernels} and (when loaded) {@link NativeKernels} on the
 * same random inputs, against the simplest model: each source's box copied element by element
 * to its place along dimension 0. Inputs: ranks 1–5, 0–7 sources of random extents (0 too), each
 * in its own padded, possibly gapped container, heap or off-heap, element sizes 1/2/3/4/8/12;
 * small and large destinations (the native non-temporal path starts at 8 MiB). A bound broken
 * anywhere throws and writes nothing; C refuses it on its own too.
 */
class GatherContractTest {
    private static final int[] ELEM_SIZES = {1, 2, 3, 4, 8, 12};
    private static final long BIG_DST = 9L << 20;

    record Case(long[] shape, int e, long[] extents, Layout[] srcs, boolean[] heap, Layout dst, boolean big) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("shape " + Arrays.toString(shape) + ", elemSize " + e + ", extents " + Arrays.toString(extents));
            for (int k = 0; k < srcs.length; k++) {
                b.append(", src ").append(k).append(" strides ").append(Arrays.toString(srcs[k].strides())).append(" offset ")
                        .append(srcs[k].offset()).append(heap[k] ? " heap" : " off-heap");
            }
            return b.append(", dst strides ").append(Arrays.toString(dst.strides())).append(" offset ").append(dst.offset())
                    .append(big ? " (large)" : "").toString();
        }

        static Case random(long seed) {
            Random r = new Random(seed);
            int rank = 1 + r.nextInt(5);
            int e = ELEM_SIZES[r.nextInt(ELEM_SIZES.length)];
            int n = r.nextInt(8);
            long[] extents = new long[n];
            long x = 0;
            for (int k = 0; k < n; k++) {
                extents[k] = r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 80 : 10);
                x += extents[k];
            }
            long[] shape = new long[rank];
            shape[0] = x;
            long budget = 100_000 / Math.max(1, x);
            for (int i = 1; i < rank; i++) {
                shape[i] = Math.min(1 + r.nextInt(rank <= 3 ? 20 : 4), Math.max(1, budget));
                budget /= shape[i];
            }
            Layout[] srcs = new Layout[n];
            boolean[] heap = new boolean[n];
            for (int k = 0; k < n; k++) {
                long[] piece = shape.clone();
                piece[0] = Math.max(1, extents[k]);
                srcs[k] = Layout.random(piece, e, r);
                heap[k] = r.nextInt(4) == 0;
            }
            return new Case(shape, e, extents, srcs, heap, Layout.random(shape, e, r), r.nextInt(10) == 0);
        }

        long dstSize() {
            return dst.byteSize() + (big ? BIG_DST : 0);
        }

        long[][] strides() {
            long[][] s = new long[srcs.length][];
            for (int k = 0; k < srcs.length; k++) s[k] = srcs[k].strides();
            return s;
        }

        long[] offsets() {
            long[] o = new long[srcs.length];
            for (int k = 0; k < srcs.length; k++) o[k] = srcs[k].offset();
            return o;
        }

        MemorySegment[] sources(Arena arena, Random r) {
            MemorySegment[] s = new MemorySegment[srcs.length];
            for (int k = 0; k < s.length; k++) {
                s[k] = KernelContractTest.segment(srcs[k].byteSize(), heap[k], arena);
                KernelContractTest.randomize(s[k], r);
            }
            return s;
        }

        /** The model: each source's box element by element at its place along dimension 0. */
        byte[] expected(MemorySegment[] s, byte[] before) {
            byte[] want = before.clone();
            long d = dst.offset();
            for (int k = 0; k < s.length; k++) {
                long[] piece = shape.clone();
                piece[0] = extents[k];
                if (extents[k] > 0) {
                    KernelContractTest.referenceCopy(s[k].toArray(ValueLayout.JAVA_BYTE), srcs[k].offset(), srcs[k].strides(),
                            want, d, dst.strides(), piece, e);
                }
                d += extents[k] * dst.strides()[0];
            }
            return want;
        }
    }

    @Property(tries = 300)
    void gatherEqualsReference(@ForAll long seed) {
        Case c = Case.random(seed);
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            MemorySegment[] s = c.sources(arena, r);
            byte[] before = new byte[Math.toIntExact(c.dstSize())];
            r.nextBytes(before);
            byte[] want = c.expected(s, before);
            for (Kernels k : KernelContractTest.implementations()) {
                MemorySegment dst = arena.allocate(before.length, 64);
                MemorySegment.copy(MemorySegment.ofArray(before), 0, dst, 0, before.length);
                k.gather(s, c.offsets(), c.strides(), c.extents(), dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e());
                assertArrayEquals(want, dst.toArray(ValueLayout.JAVA_BYTE), k.name() + " gather of " + c);
            }
        }
    }

    @Property(tries = 150)
    void brokenBoundThrowsAndWritesNothing(@ForAll long seed) {
        Case c = Case.random(seed);
        if (c.extents().length == 0 || c.shape()[0] == 0) return;
        int k = 0;
        while (c.extents()[k] == 0) k++;
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(seed);
            MemorySegment[] s = c.sources(arena, r);
            MemorySegment dst = arena.allocate(c.dstSize());
            KernelContractTest.randomize(dst, r);
            byte[] before = dst.toArray(ValueLayout.JAVA_BYTE);
            // Source k one byte short of its box: its last element is at the end of the box's span.
            long[] piece = c.shape().clone();
            piece[0] = c.extents()[k];
            long end = c.srcs()[k].offset() + c.e();
            for (int i = 0; i < piece.length; i++) end += (piece[i] - 1) * c.srcs()[k].strides()[i];
            MemorySegment[] shortSrc = s.clone();
            shortSrc[k] = s[k].asSlice(0, end - 1);
            long[] moreX = c.extents().clone();
            moreX[k]++;
            for (Kernels kk : KernelContractTest.implementations()) {
                assertThrows(IndexOutOfBoundsException.class, () -> kk.gather(shortSrc, c.offsets(), c.strides(), c.extents(),
                        dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e()), kk.name());
                assertThrows(IndexOutOfBoundsException.class, () -> kk.gather(s, c.offsets(), c.strides(), c.extents(),
                        dst.asSlice(0, c.dst().offset()), c.dst().offset(), c.dst().strides(), c.shape(), c.e()), kk.name());
                assertThrows(IllegalArgumentException.class, () -> kk.gather(s, c.offsets(), c.strides(), moreX,
                        dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e()), kk.name());
                assertArrayEquals(before, dst.toArray(ValueLayout.JAVA_BYTE), kk.name() + " wrote outside a failed call");
            }
            if (NativeLibrary.BIGARRAYS.isLoaded()) {
                // C checks on its own too: bypass the Java checks (off-heap sources only).
                MemorySegment[] offHeap = new MemorySegment[s.length];
                for (int i = 0; i < s.length; i++) offHeap[i] = arena.allocate(s[i].byteSize()).copyFrom(s[i]);
                offHeap[k] = offHeap[k].asSlice(0, end - 1);
                assertEquals(NativeResult.OUT_OF_BOUNDS, NativeResult.of(LibBigArrays.gather(offHeap, c.offsets(), c.strides(), c.extents(),
                        dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e())));
                assertEquals(NativeResult.BAD_ARGUMENT, NativeResult.of(LibBigArrays.gather(offHeap, c.offsets(), c.strides(), moreX,
                        dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e())));
                assertArrayEquals(before, dst.toArray(ValueLayout.JAVA_BYTE), "native wrote outside a failed call");
            }
        }
    }
}
