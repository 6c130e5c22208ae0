package org.bigarrays.downsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;

/**
 * Both downsample kernels (C through FFM, and the Java twin) against {@link DownsampleReference}
 * on the same random inputs: every data type, method, factors 1–4 per axis (2,2,1 and 2,2,2
 * often, for the fast paths), odd origins (negative too) so edge blocks are partial, 1–3
 * channels, sparse mode, few distinct values (ties, fill runs) or piecewise-constant labels (runs),
 * heap and off-heap memory.
 */
class DownsampleContractTest {
    static List<Downsampler> kernels() {
        List<Downsampler> ks = new ArrayList<>();
        ks.add(Downsampler.java());
        Downsampler.nativeKernel().ifPresent(ks::add);
        return ks;
    }

    record Case(DataType type, DownsampleMethod method, boolean sparse, long[] factor, NdView in, long fill) {
        @Override
        public String toString() {
            return type + " " + method + (sparse ? " sparse" : "") + " factor " + Arrays.toString(factor) + " input " + in.box() + " fill " + fill;
        }
    }

    static long randomBits(DataType t, Random r) {
        return switch (t) {
            case BOOL -> r.nextInt(2);
            case FLOAT32 -> {
                float[] special = {0f, -0f, 1.5f, -2.25f, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, 1e-40f};
                float v = r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : (r.nextInt(2001) - 1000) / 8f;
                yield Float.floatToIntBits(v) & 0xffff_ffffL; // canonical NaN
            }
            case FLOAT64 -> {
                double[] special = {0d, -0d, 1e300, -1e300, Double.NaN, Double.NEGATIVE_INFINITY, 0.1};
                double v = r.nextInt(3) == 0 ? special[r.nextInt(special.length)] : (r.nextInt(2_000_001) - 1_000_000) / 3d;
                yield Double.doubleToLongBits(v);
            }
            default -> t.size() == 8 ? r.nextLong() : r.nextLong() & ((1L << (8 * t.size())) - 1);
        };
    }

    static Case randomCase(long seed) {
        Random r = new Random(seed);
        DataType t = DataType.values()[r.nextInt(DataType.values().length)];
        DownsampleMethod m = DownsampleMethod.values()[r.nextInt(DownsampleMethod.values().length)];
        boolean fast = r.nextBoolean();
        long[] f = fast ? new long[] {2, 2, 1 + r.nextInt(2)} : new long[] {1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(4)};
        long[] origin = {r.nextInt(19) - 9, r.nextInt(19) - 9, r.nextInt(19) - 9, 0};
        long[] shape = {1 + r.nextInt(10), 1 + r.nextInt(10), 1 + r.nextInt(8), 1 + r.nextInt(3)};
        if (r.nextInt(8) == 0) shape[0] = 40 + r.nextInt(40); // long rows for the fast paths
        long[] palette = new long[2 + r.nextInt(5)];
        for (int i = 0; i < palette.length; i++) palette[i] = randomBits(t, r);
        boolean wide = r.nextInt(4) == 0; // every value distinct-ish: means and medians of spread values
        // Or piecewise-constant boxes of random size, as in a segmentation: long runs of one label,
        // whole uniform blocks (both of a pair of 64-bit blocks, or one) and blocks on box edges.
        boolean runs = !wide && r.nextInt(3) == 0;
        long[] run = {1 + r.nextInt(7), 1 + r.nextInt(7), 1 + r.nextInt(4)};
        if (runs && r.nextBoolean()) shape[0] = 40 + r.nextInt(40);
        long bytes = t.size();
        for (long s : shape) bytes *= s;
        MemorySegment seg = r.nextBoolean() ? MemorySegment.ofArray(new byte[(int) bytes]) : Arena.ofAuto().allocate(bytes, 8);
        NdView in = NdView.wrap(seg, t, origin, shape);
        for (long c = 0; c < shape[3]; c++)
            for (long z = 0; z < shape[2]; z++)
                for (long y = 0; y < shape[1]; y++)
                    for (long x = 0; x < shape[0]; x++) {
                        long v = wide ? randomBits(t, r)
                                : runs ? palette[(int) ((x / run[0] + 3 * (y / run[1]) + 7 * (z / run[2]) + c) % palette.length)]
                                : palette[r.nextInt(palette.length)];
                        DownsampleReference.setBits(in, v, origin[0] + x, origin[1] + y, origin[2] + z, c);
                    }
        return new Case(t, m, r.nextInt(3) == 0, f, in, palette[0]);
    }

    static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Property(tries = 400)
    void bothKernelsMatchTheReference(@ForAll long seed) {
        Case c = randomCase(seed);
        NdView want = DownsampleReference.downsample(c.in(), c.factor(), c.method(), c.sparse(), c.fill());
        for (Downsampler k : kernels()) {
            NdView got = k.downsample(c.in(), c.factor(), c.method(), c.sparse(), c.fill());
            assertEquals(want.box(), got.box(), k.kernelName() + ": " + c);
            assertArrayEquals(bytes(want), bytes(got), k.kernelName() + " kernel differs from the reference: " + c);
        }
    }

    @Test
    void theNativeKernelIsActiveOnLinuxX8664() {
        // A silent fallback to Java must not pass CI where the library is built.
        if (System.getProperty("os.name").toLowerCase().contains("linux") && System.getProperty("os.arch").matches("amd64|x86_64")
                && !NativeLibrary.BIGARRAYS.disabledByConfiguration()) {
            assertTrue(Downsampler.nativeKernel().isPresent(), "native downsample kernel not loaded: " + NativeLibrary.BIGARRAYS.status());
            assertEquals("native", Downsampler.get().kernelName());
        }
        if (NativeLibrary.BIGARRAYS.disabledByConfiguration()) assertEquals("java", Downsampler.get().kernelName());
    }

    @Test
    void largeInputsSplitIntoParallelSlabsGiveTheSameResult() {
        // 2.3 MiB: above the slab threshold; odd origin so the first slab has a phase.
        Random r = new Random(7);
        long[] origin = {3, -5, 1, 0}, shape = {192, 96, 127, 1};
        NdView in = NdView.wrap(MemorySegment.ofArray(new byte[192 * 96 * 127]), DataType.UINT8, origin, shape);
        r.nextBytes(new byte[1]);
        byte[] data = new byte[192 * 96 * 127];
        r.nextBytes(data);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, in.segment(), 0, data.length);
        for (long[] f : List.of(new long[] {2, 2, 2}, new long[] {3, 1, 2})) {
            NdView want = DownsampleReference.downsample(in, f, DownsampleMethod.MEAN, false, 0);
            for (Downsampler k : kernels()) {
                assertArrayEquals(bytes(want), bytes(k.downsample(in, f, DownsampleMethod.MEAN, false, 0)), k.kernelName() + " " + Arrays.toString(f));
            }
        }
    }

    @Test
    void badArgumentsAreErrorsNamingTheValues() {
        NdView in = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {4, 4, 4, 1});
        for (Downsampler k : kernels()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> k.downsample(in, new long[] {2, 0, 1}, DownsampleMethod.MEAN, false, 0));
            assertTrue(e.getMessage().contains("[2, 0, 1]"), e.getMessage());
            NdView wrongBox = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {3, 2, 4, 1});
            e = assertThrows(InvalidInputException.class, () -> k.downsample(in, wrongBox, new long[] {2, 2, 1}, DownsampleMethod.MODE, false, 0));
            assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        }
        assertEquals(Box.parse("-1,0,0:2,3,1"), Downsampler.outputBox(Box.parse("-1,1,0:3,5,1"), new long[] {2, 2, 1}));
        assertThrows(InvalidInputException.class, () -> DownsampleMethod.of("average"));
        assertEquals(DownsampleMethod.MODE, DownsampleMethod.defaultFor("segmentation"));
    }
}
