package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The contract every {@link Kernels} implementation meets, checked on the same random inputs
 * for {@link JavaKernels}, (when loaded) {@link NativeKernels} and {@link OneRunKernels}: the bytes written equal a
 * naive element-by-element reference, bytes outside the box are untouched, and a box leaving a
 * segment throws {@link IndexOutOfBoundsException} without writing. Inputs: ranks 1–5 (up to 8
 * with small extents), element sizes 1/2/4/8/3/12, padded containers, gaps between elements,
 * heap and off-heap segments on both sides.
 */
class KernelContractTest {
    private static final int[] ELEM_SIZES = {1, 2, 4, 8, 3, 12};

    static List<Kernels> implementations() {
        List<Kernels> ks = new ArrayList<>();
        ks.add(new JavaKernels());
        if (NativeLibrary.BIGARRAYS.isLoaded()) ks.add(new NativeKernels());
        ks.add(Kernels.get()); // one contiguous run in Java, the rest to the kernels above
        return ks;
    }

    /** A box in a random container: strides in bytes, offset of the box's first element, size. */
    record Layout(long[] strides, long offset, long byteSize) {
        static Layout random(long[] shape, int e, Random r) {
            long stride = (long) e * (r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1);
            long off = r.nextInt(5);
            long ext = 1;
            long[] strides = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                ext = shape[i] + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
                strides[i] = stride;
                off += r.nextLong(ext - shape[i] + 1) * stride;
                if (i + 1 < shape.length) stride *= ext;
            }
            return new Layout(strides, off, ext * stride + 4 + e);
        }
    }

    record Case(long[] shape, int e, Layout src, Layout dst, boolean srcHeap, boolean dstHeap) {
        @Override
        public String toString() {
            return "shape " + Arrays.toString(shape) + ", elemSize " + e + ", src strides " + Arrays.toString(src.strides())
                    + " offset " + src.offset() + (srcHeap ? " heap" : " off-heap") + ", dst strides " + Arrays.toString(dst.strides())
                    + " offset " + dst.offset() + (dstHeap ? " heap" : " off-heap");
        }

        static Case random(long seed) {
            Random r = new Random(seed);
            int rank = r.nextInt(10) == 0 ? 6 + r.nextInt(3) : 1 + r.nextInt(5);
            long[] shape = new long[rank];
            int max = rank <= 3 ? (r.nextBoolean() ? 70 : 12) : 4;
            long budget = 200_000;
            for (int i = 0; i < rank; i++) {
                shape[i] = Math.min(1 + r.nextInt(max), Math.max(1, budget));
                budget /= shape[i];
            }
            int e = ELEM_SIZES[r.nextInt(ELEM_SIZES.length)];
            return new Case(shape, e, Layout.random(shape, e, r), Layout.random(shape, e, r), r.nextBoolean(), r.nextBoolean());
        }
    }

    static MemorySegment segment(long size, boolean heap, Arena arena) {
        return heap ? MemorySegment.ofArray(new byte[Math.toIntExact(size)]) : arena.allocate(size);
    }

    static void randomize(MemorySegment s, Random r) {
        byte[] b = new byte[Math.toIntExact(s.byteSize())];
        r.nextBytes(b);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, s, 0, b.length);
    }

    /** Element by element, in raster order, with an explicit index vector. */
    static void referenceCopy(byte[] src, long so, long[] ss, byte[] dst, long dof, long[] ds, long[] shape, int e) {
        long count = 1;
        for (long s : shape) count *= s;
        long[] idx = new long[shape.length];
        for (long n = 0; n < count; n++) {
            long s = so, d = dof;
            for (int i = 0; i < shape.length; i++) {
                s += idx[i] * ss[i];
                d += idx[i] * ds[i];
            }
            System.arraycopy(src, Math.toIntExact(s), dst, Math.toIntExact(d), e);
            for (int i = 0; i < shape.length && ++idx[i] == shape[i]; i++) idx[i] = 0;
        }
    }

    @Property(tries = 400)
    void copyEqualsReference(@ForAll long seed) {
        Case c = Case.random(seed);
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            MemorySegment src = segment(c.src().byteSize(), c.srcHeap(), arena);
            randomize(src, r);
            byte[] before = new byte[Math.toIntExact(c.dst().byteSize())];
            r.nextBytes(before);
            byte[] want = before.clone();
            referenceCopy(src.toArray(ValueLayout.JAVA_BYTE), c.src().offset(), c.src().strides(),
                    want, c.dst().offset(), c.dst().strides(), c.shape(), c.e());
            for (Kernels k : implementations()) {
                MemorySegment dst = segment(before.length, c.dstHeap(), arena);
                MemorySegment.copy(MemorySegment.ofArray(before), 0, dst, 0, before.length);
                k.copy(src, c.src().offset(), c.src().strides(), dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e());
                assertArrayEquals(want, dst.toArray(ValueLayout.JAVA_BYTE), k.name() + " copy of " + c);
            }
        }
    }

    @Property(tries = 300)
    void fillEqualsReference(@ForAll long seed) {
        Case c = Case.random(seed);
        Random r = new Random(seed);
        long pattern = r.nextInt(3) == 0 ? 0x0101010101010101L * (r.nextInt(256)) : r.nextLong();
        byte[] elem = new byte[c.e()];
        for (int i = 0; i < Math.min(8, c.e()); i++) elem[i] = (byte) (pattern >>> (8 * i));
        try (Arena arena = Arena.ofConfined()) {
            byte[] before = new byte[Math.toIntExact(c.dst().byteSize())];
            r.nextBytes(before);
            byte[] want = before.clone();
            referenceCopy(elem, 0, new long[c.shape().length], want, c.dst().offset(), c.dst().strides(), c.shape(), c.e());
            for (Kernels k : implementations()) {
                MemorySegment dst = segment(before.length, c.dstHeap(), arena);
                MemorySegment.copy(MemorySegment.ofArray(before), 0, dst, 0, before.length);
                k.fill(dst, c.dst().offset(), c.dst().strides(), c.shape(), c.e(), pattern);
                assertArrayEquals(want, dst.toArray(ValueLayout.JAVA_BYTE), k.name() + " fill of " + c);
            }
        }
    }

    @Property(tries = 200)
    void boxLeavingASegmentThrowsAndWritesNothing(@ForAll long seed) {
        Case c = Case.random(seed);
        long[] shape = c.shape();
        long srcEnd = c.src().offset() + c.e(), dstEnd = c.dst().offset() + c.e();
        for (int i = 0; i < shape.length; i++) {
            srcEnd += (shape[i] - 1) * c.src().strides()[i];
            dstEnd += (shape[i] - 1) * c.dst().strides()[i];
        }
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(seed);
            MemorySegment src = segment(c.src().byteSize(), c.srcHeap(), arena);
            randomize(src, r);
            for (Kernels k : implementations()) {
                MemorySegment dst = segment(dstEnd, c.dstHeap(), arena);
                randomize(dst, r);
                byte[] before = dst.toArray(ValueLayout.JAVA_BYTE);
                MemorySegment shortSrc = src.asSlice(0, srcEnd - 1);
                MemorySegment shortDst = dst.asSlice(0, dstEnd - 1);
                assertThrows(IndexOutOfBoundsException.class, () -> k.copy(shortSrc, c.src().offset(), c.src().strides(),
                        dst, c.dst().offset(), c.dst().strides(), shape, c.e()), k.name());
                assertThrows(IndexOutOfBoundsException.class, () -> k.copy(src, c.src().offset(), c.src().strides(),
                        shortDst, c.dst().offset(), c.dst().strides(), shape, c.e()), k.name());
                assertThrows(IndexOutOfBoundsException.class, () -> k.fill(shortDst, c.dst().offset(), c.dst().strides(),
                        shape, c.e(), -1L), k.name());
                assertArrayEquals(before, dst.toArray(ValueLayout.JAVA_BYTE), k.name() + " wrote outside a failed call");
                // The exact fit is accepted.
                k.copy(src.asSlice(0, srcEnd), c.src().offset(), c.src().strides(), dst, c.dst().offset(), c.dst().strides(), shape, c.e());
            }
            if (NativeLibrary.BIGARRAYS.isLoaded()) {
                // C checks on its own too: bypass the Java checks.
                MemorySegment dst = segment(dstEnd, c.dstHeap(), arena);
                assertEquals(NativeResult.OUT_OF_BOUNDS, NativeResult.of(LibBigArrays.copy(src, c.src().offset(), c.src().strides(),
                        dst.asSlice(0, dstEnd - 1), c.dst().offset(), c.dst().strides(), shape, c.e())));
                assertEquals(NativeResult.OUT_OF_BOUNDS, NativeResult.of(LibBigArrays.fill(dst.asSlice(0, dstEnd - 1), c.dst().offset(),
                        c.dst().strides(), shape, c.e(), 1)));
                assertEquals(NativeResult.BAD_ARGUMENT, NativeResult.of(LibBigArrays.copy(src, -1, c.src().strides(),
                        dst, c.dst().offset(), c.dst().strides(), shape, c.e())));
            }
        }
    }
}
