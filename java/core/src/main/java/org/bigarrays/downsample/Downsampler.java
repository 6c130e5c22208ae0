package org.bigarrays.downsample;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.DownsampleKernel;

/**
 * Downsamples a box of one mip into the box of the next, in absolute voxel coordinates: output
 * voxel {@code p} reduces the input voxels of the block {@code [p*f, (p+1)*f)} that lie inside
 * the input view (so the input must be exactly the part of the mip's bounds the output needs:
 * its edge blocks are partial). Runs the C kernel when it loads (else its Java twin); large
 * inputs are cut into z-slabs per channel that run in parallel. Thread-safe.
 *
 * <pre>{@code
 * NdView mip0 = array.read(box);                               // [x,y,z,c] at box.min()
 * NdView mip1 = Downsampler.get().downsample(mip0, new long[] {2, 2, 1}, DownsampleMethod.MEAN, false, 0);
 * }</pre>
 */
public final class Downsampler {
    /** Inputs above this many bytes are split into slabs run in parallel. */
    private static final long PARALLEL_BYTES = 1 << 21;

    private static final Downsampler DEFAULT = new Downsampler(DownsampleKernel.get());
    private final DownsampleKernel kernel;

    private Downsampler(DownsampleKernel kernel) {
        this.kernel = kernel;
    }

    /** The downsampler with the kernel in use (native unless unavailable or {@code BIGARRAYS_NATIVE=0}). */
    public static Downsampler get() {
        return DEFAULT;
    }

    /** The pure-Java kernel's downsampler. */
    public static Downsampler java() {
        return new Downsampler(DownsampleKernel.java());
    }

    /** The C kernel's downsampler, when libbigarrays loads. */
    public static Optional<Downsampler> nativeKernel() {
        return DownsampleKernel.nativeKernel().map(Downsampler::new);
    }

    /** "native" or "java". */
    public String kernelName() {
        return kernel.name();
    }

    /** The output box of {@code in}: {@code [floor(min/f), ceil(max/f))} per axis. */
    public static Box outputBox(Box in, long[] factor) {
        checkFactor(factor);
        long[] lo = new long[3], hi = new long[3];
        for (int d = 0; d < 3; d++) {
            lo[d] = Math.floorDiv(in.min(d), factor[d]);
            hi[d] = Math.ceilDiv(in.max(d), factor[d]);
        }
        return Box.of(lo, hi);
    }

    /** The input a box of the next mip needs: {@code [min*f, max*f)} clipped to the mip's {@code bounds}. */
    public static Box inputBox(Box out, long[] factor, Box bounds) {
        checkFactor(factor);
        long[] lo = new long[3], hi = new long[3];
        for (int d = 0; d < 3; d++) {
            lo[d] = Math.multiplyExact(out.min(d), factor[d]);
            hi[d] = Math.multiplyExact(out.max(d), factor[d]);
        }
        return Box.of(lo, hi).intersect(bounds);
    }

    static void checkFactor(long[] factor) {
        if (factor.length != 3) throw new InvalidInputException("downsample factor: expected 3 values x,y,z, found " + Arrays.toString(factor));
        for (long f : factor) if (f < 1) throw new InvalidInputException("downsample factor: expected values ≥ 1, found " + Arrays.toString(factor));
    }

    /**
     * Downsample {@code in} (rank 4 {@code [x,y,z,c]}, origin its absolute box) into new memory.
     * @param fillBits the fill value's bits: with {@code sparse}, voxels equal to it do not vote
     *     unless their whole block is fill
     */
    public NdView downsample(NdView in, long[] factor, DownsampleMethod method, boolean sparse, long fillBits) {
        Box ob = outputBox(box3(in), factor);
        long[] shape = {ob.size(0), ob.size(1), ob.size(2), in.shape()[3]};
        long bytes = in.dataType().size();
        for (long s : shape) bytes = Math.multiplyExact(bytes, s);
        MemorySegment seg = bytes <= Integer.MAX_VALUE - 8 ? MemorySegment.ofArray(new byte[(int) bytes]) : Arena.ofAuto().allocate(bytes, 8);
        NdView out = NdView.wrap(seg, in.dataType(), new long[] {ob.min(0), ob.min(1), ob.min(2), 0}, shape);
        downsample(in, out, factor, method, sparse, fillBits);
        return out;
    }

    /**
     * Downsample {@code in} into {@code out}, whose box must be {@link #outputBox} of the input's
     * and whose type and channels match. Views that are not dense Fortran order are copied.
     * @throws InvalidInputException on a shape, type or factor mismatch
     */
    public void downsample(NdView in, NdView out, long[] factor, DownsampleMethod method, boolean sparse, long fillBits) {
        downsample(in, out, factor, method, sparse, fillBits, true);
    }

    /**
     * As {@link #downsample(NdView, NdView, long[], DownsampleMethod, boolean, long)}; with
     * {@code split} false the kernel runs on the caller's thread whatever the input's size (for
     * callers that already run many small inputs in parallel).
     */
    public void downsample(NdView in, NdView out, long[] factor, DownsampleMethod method, boolean sparse, long fillBits, boolean split) {
        if (in.rank() != 4 || out.rank() != 4) throw new InvalidInputException("downsample: expected rank-4 [x,y,z,c] views, found ranks " + in.rank() + ", " + out.rank());
        if (in.dataType() != out.dataType() || in.shape()[3] != out.shape()[3]) {
            throw new InvalidInputException("downsample: input " + in + " and output " + out + " differ in data type or channels");
        }
        Box inBox = box3(in);
        Box want = outputBox(inBox, factor);
        if (!want.equals(box3(out))) {
            throw new InvalidInputException("downsample: output box " + box3(out) + " does not match " + want + ", the input " + inBox + " downsampled by " + Arrays.toString(factor));
        }
        if (in.elementCount() == 0) return;
        NdView src = in.isFortranContiguous() ? in : dense(in);
        NdView dst = out.isFortranContiguous() ? out : dense(out);
        long[] phase = new long[3];
        for (int d = 0; d < 3; d++) phase[d] = inBox.min(d) - want.min(d) * factor[d];
        run(src, dst, factor, phase, typeCode(in.dataType()), method.code(), sparse, fillBits, split);
        if (dst != out) out.copyFrom(dst);
    }

    /** Runs the kernel, in parallel z-slabs (per channel) when the input is large. */
    private void run(NdView src, NdView dst, long[] factor, long[] phase, int dt, int method, boolean sparse, long fill, boolean split) {
        long[] n = src.shape(), m = dst.shape();
        int es = src.dataType().size();
        MemorySegment in = src.segment().asSlice(src.byteOffset(), src.byteSize());
        MemorySegment out = dst.segment().asSlice(dst.byteOffset(), dst.byteSize());
        if (!split || src.byteSize() < PARALLEL_BYTES || (m[2] < 2 && n[3] < 2)) {
            kernel.downsample(in, n, dt, method, sparse, fill, factor, phase, out);
            return;
        }
        int pieces = Math.max(1, Runtime.getRuntime().availableProcessors());
        long slab = Math.max(1, Math.ceilDiv(m[2] * n[3], pieces));
        List<long[]> jobs = new ArrayList<>(); // channel, first output z, end output z
        for (long c = 0; c < n[3]; c++) {
            for (long z = 0; z < m[2]; z += Math.max(1, slab)) jobs.add(new long[] {c, z, Math.min(m[2], z + slab)});
        }
        long inPlane = n[0] * n[1] * es, outPlane = m[0] * m[1] * es;
        IntStream.range(0, jobs.size()).parallel().forEach(i -> {
            long c = jobs.get(i)[0], z0 = jobs.get(i)[1], z1 = jobs.get(i)[2];
            long iz0 = Math.max(0, z0 * factor[2] - phase[2]), iz1 = Math.min(n[2], z1 * factor[2] - phase[2]);
            long ph = z0 == 0 ? phase[2] : 0;
            MemorySegment ins = in.asSlice((c * n[2] + iz0) * inPlane, (iz1 - iz0) * inPlane);
            MemorySegment outs = out.asSlice((c * m[2] + z0) * outPlane, (z1 - z0) * outPlane);
            kernel.downsample(ins, new long[] {n[0], n[1], iz1 - iz0, 1}, dt, method, sparse, fill, factor,
                    new long[] {phase[0], phase[1], ph}, outs);
        });
    }

    private static NdView dense(NdView v) {
        long bytes = v.byteSize();
        NdView d = NdView.wrap(bytes <= Integer.MAX_VALUE - 8 ? MemorySegment.ofArray(new byte[(int) bytes]) : Arena.ofAuto().allocate(bytes, 8),
                v.dataType(), v.origin(), v.shape());
        d.copyFrom(v);
        return d;
    }

    private static Box box3(NdView v) {
        long[] o = v.origin(), s = v.shape();
        return Box.at(new long[] {o[0], o[1], o[2]}, new long[] {s[0], s[1], s[2]});
    }

    /** The kernel's type code ({@code ba_dtype} in bigarrays.h). */
    static int typeCode(DataType t) {
        return switch (t) {
            case UINT8 -> 0;
            case INT8 -> 1;
            case UINT16 -> 2;
            case INT16 -> 3;
            case UINT32 -> 4;
            case INT32 -> 5;
            case UINT64 -> 6;
            case INT64 -> 7;
            case FLOAT32 -> 8;
            case FLOAT64 -> 9;
            case BOOL -> 10;
        };
    }
}
