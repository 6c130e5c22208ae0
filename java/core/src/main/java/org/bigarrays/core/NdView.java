package org.bigarrays.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bigarrays.InvalidInputException;
import org.bigarrays.nativ.Kernels;

/**
 * An N-d array view over a {@link MemorySegment}: element type, shape, byte strides and an
 * origin, so that elements are addressed by absolute coordinates (like Julia's OffsetArray).
 * Cutouts are rank 4, {@code [x, y, z, channel]}, origin {@code [x0, y0, z0, 0]}, laid out in
 * Fortran order (x fastest), little-endian, as precomputed raw chunks are.
 *
 * <p>A view never owns memory: whoever allocated the segment (the {@link Arena} passed to
 * {@link #allocate}) controls its lifetime. Access after that arena is closed throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * NdView v = array.read(Box.parse("100,200,30:164,264,94"));
 * int label = v.getInt(120, 210, 40);      // absolute coordinates, channel 0
 * byte[] all = v.toByteArray();            // x fastest
 * }</pre>
 */
public final class NdView {
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final long offset;
    private final DataType type;
    private final long[] origin;
    private final long[] shape;
    private final long[] strides;

    private NdView(MemorySegment segment, long offset, DataType type, long[] origin, long[] shape, long[] strides) {
        this.segment = segment;
        this.offset = offset;
        this.type = type;
        this.origin = origin;
        this.shape = shape;
        this.strides = strides;
    }

    /** Byte strides of a dense Fortran-order array (dimension 0 fastest). */
    public static long[] fortranStrides(long[] shape, int elemSize) {
        long[] s = new long[shape.length];
        long st = elemSize;
        for (int i = 0; i < shape.length; i++) {
            s[i] = st;
            st = Math.multiplyExact(st, shape[i]);
        }
        return s;
    }

    /** Byte strides of a dense C-order array (last dimension fastest). */
    public static long[] cOrderStrides(long[] shape, int elemSize) {
        long[] s = new long[shape.length];
        long st = elemSize;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = st;
            st = Math.multiplyExact(st, shape[i]);
        }
        return s;
    }

    /** A new zeroed Fortran-order array allocated in {@code arena}. */
    public static NdView allocate(Arena arena, DataType type, long[] origin, long[] shape) {
        long bytes = Math.multiplyExact(count(shape), type.size());
        MemorySegment seg = arena.allocate(Math.max(bytes, 1), 64);
        return new NdView(seg, 0, type, origin.clone(), shape.clone(), fortranStrides(shape, type.size()));
    }

    /** A Fortran-order view of {@code segment} (which must hold at least the whole array). */
    public static NdView wrap(MemorySegment segment, DataType type, long[] origin, long[] shape) {
        return wrap(segment, 0, type, origin, shape, fortranStrides(shape, type.size()));
    }

    /** A view with explicit byte offset and strides (non-negative), checked against the segment. */
    public static NdView wrap(MemorySegment segment, long offset, DataType type, long[] origin, long[] shape, long[] strides) {
        if (origin.length != shape.length || shape.length != strides.length) {
            throw new InvalidInputException("origin, shape and strides need the same rank: "
                    + Arrays.toString(origin) + ", " + Arrays.toString(shape) + ", " + Arrays.toString(strides));
        }
        org.bigarrays.nativ.StridedCopy.checkBounds(segment, offset, strides, shape, type.size(), "view");
        return new NdView(segment, offset, type, origin.clone(), shape.clone(), strides.clone());
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Byte offset of the origin element within {@link #segment()}. */
    public long byteOffset() {
        return offset;
    }

    public DataType dataType() {
        return type;
    }

    public int rank() {
        return shape.length;
    }

    public long[] origin() {
        return origin.clone();
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Byte strides per dimension. */
    public long[] strides() {
        return strides.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        return count(shape);
    }

    /** Bytes the elements take (not counting gaps of a strided view). */
    public long byteSize() {
        return elementCount() * type.size();
    }

    /** The box {@code [origin, origin + shape)} over all dimensions. */
    public Box box() {
        return Box.at(origin, shape);
    }

    /** Whether the elements are dense in Fortran order from {@link #byteOffset()}. */
    public boolean isFortranContiguous() {
        return Arrays.equals(strides, fortranStrides(shape, type.size()));
    }

    /** The same memory seen at another origin. */
    public NdView withOrigin(long[] newOrigin) {
        if (newOrigin.length != origin.length) throw new InvalidInputException("origin rank " + newOrigin.length + " != view rank " + origin.length);
        return new NdView(segment, offset, type, newOrigin.clone(), shape, strides);
    }

    /**
     * A sub-view of {@code box} (absolute coordinates, inside this view), sharing memory. On a
     * rank-4 view {@code [x, y, z, c]} a 3-D box means all channels, as in {@code BigArray.read}.
     */
    public NdView subView(Box box) {
        Box b = box;
        if (box.rank() == 3 && rank() == 4) {
            b = Box.of(new long[] {box.min(0), box.min(1), box.min(2), origin[3]},
                    new long[] {box.max(0), box.max(1), box.max(2), origin[3] + shape[3]});
        }
        if (b.rank() != rank()) {
            throw new InvalidInputException("sub-box " + box + " has rank " + box.rank() + ", view " + box() + " has rank " + rank()
                    + (rank() == 4 ? " (give x,y,z or x,y,z,c)" : ""));
        }
        if (!box().contains(b)) throw new InvalidInputException("sub-box " + box + " is not inside view " + box());
        long off = offset;
        for (int i = 0; i < shape.length; i++) off += (b.min(i) - origin[i]) * strides[i];
        return new NdView(segment, off, type, b.min(), b.shape(), strides);
    }

    /**
     * Byte position of the element at absolute {@code coords}: one coordinate per dimension, or,
     * on a rank-4 cutout {@code [x, y, z, c]}, just {@code x, y, z} for its first channel.
     *
     * @throws InvalidInputException for any other number of coordinates
     * @throws IndexOutOfBoundsException when the element is outside the view
     */
    public long byteIndex(long... coords) {
        int n = shape.length;
        if (coords.length != n && !(n == 4 && coords.length == 3)) {
            throw new InvalidInputException("expected " + n + " coordinates" + (n == 4 ? " (x,y,z,c) or 3 (x,y,z: first channel)" : "")
                    + " for view " + box() + ", found " + coords.length + ": " + Arrays.toString(coords));
        }
        long p = offset;
        for (int i = 0; i < n; i++) {
            long c = (i < coords.length ? coords[i] : origin[i]) - origin[i];
            if (c < 0 || c >= shape[i]) {
                throw new IndexOutOfBoundsException("coordinates " + Arrays.toString(coords) + " outside view " + box());
            }
            p += c * strides[i];
        }
        return p;
    }

    private void need(int size, String what) {
        if (type.size() != size) {
            throw new InvalidInputException(what + " needs a " + size + "-byte type, but the view holds " + type);
        }
    }

    public byte getByte(long... c) {
        need(1, "getByte");
        return segment.get(ValueLayout.JAVA_BYTE, byteIndex(c));
    }

    public short getShort(long... c) {
        need(2, "getShort");
        return segment.get(S, byteIndex(c));
    }

    public int getInt(long... c) {
        need(4, "getInt");
        return segment.get(I, byteIndex(c));
    }

    public long getLong(long... c) {
        need(8, "getLong");
        return segment.get(L, byteIndex(c));
    }

    public float getFloat(long... c) {
        if (type != DataType.FLOAT32) throw new InvalidInputException("getFloat needs float32, view holds " + type);
        return segment.get(F, byteIndex(c));
    }

    public double getDouble(long... c) {
        if (type != DataType.FLOAT64) throw new InvalidInputException("getDouble needs float64, view holds " + type);
        return segment.get(D, byteIndex(c));
    }

    /**
     * The element as a long: unsigned types zero-extended, signed sign-extended, floats
     * truncated toward zero (uint64 above 2^63 comes back negative, as its raw bits).
     */
    public long getAsLong(long... c) {
        long p = byteIndex(c);
        return switch (type) {
            case UINT8, BOOL -> Byte.toUnsignedLong(segment.get(ValueLayout.JAVA_BYTE, p));
            case INT8 -> segment.get(ValueLayout.JAVA_BYTE, p);
            case UINT16 -> Short.toUnsignedLong(segment.get(S, p));
            case INT16 -> segment.get(S, p);
            case UINT32 -> Integer.toUnsignedLong(segment.get(I, p));
            case INT32 -> segment.get(I, p);
            case UINT64, INT64 -> segment.get(L, p);
            case FLOAT32 -> (long) segment.get(F, p);
            case FLOAT64 -> (long) segment.get(D, p);
        };
    }

    /** The element as a double (uint64 read as unsigned). */
    public double getAsDouble(long... c) {
        long p = byteIndex(c);
        return switch (type) {
            case FLOAT32 -> segment.get(F, p);
            case FLOAT64 -> segment.get(D, p);
            case UINT64 -> {
                long v = segment.get(L, p);
                yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            default -> getAsLong(c);
        };
    }

    /** Store {@code value} (converted to the view's type, like a C cast) at {@code coords}. */
    public void set(long[] coords, long value) {
        long p = byteIndex(coords);
        switch (type) {
            case UINT8, INT8 -> segment.set(ValueLayout.JAVA_BYTE, p, (byte) value);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, p, (byte) (value != 0 ? 1 : 0));
            case UINT16, INT16 -> segment.set(S, p, (short) value);
            case UINT32, INT32 -> segment.set(I, p, (int) value);
            case UINT64, INT64 -> segment.set(L, p, value);
            case FLOAT32 -> segment.set(F, p, (float) value);
            case FLOAT64 -> segment.set(D, p, (double) value);
        }
    }

    /** Store a floating-point {@code value} (converted to the view's type) at {@code coords}. */
    public void setDouble(long[] coords, double value) {
        long p = byteIndex(coords);
        switch (type) {
            case FLOAT32 -> segment.set(F, p, (float) value);
            case FLOAT64 -> segment.set(D, p, value);
            default -> set(coords, (long) value);
        }
    }

    /**
     * The bit pattern of {@code value} in {@code type}, as the kernels' fill takes it. A value
     * that does not fit the type (300 or -1 for uint8, 2.7 or NaN for an integer type, a finite
     * value beyond float32's range) is an error, not a wrapped or truncated pattern; see
     * {@link DataType#bitsOf(double, String)}. For int64/uint64 values a double cannot hold,
     * use {@link DataType#bitsOf(String, String)} and {@link #fillBits}.
     *
     * @throws InvalidInputException naming the value and the type
     */
    public static long fillPattern(DataType type, double value) {
        return type.bitsOf(value, "fill value");
    }

    /** Set every element to {@code value}, which must fit the view's type ({@link #fillPattern}). */
    public void fill(double value) {
        fillBits(fillPattern(type, value));
    }

    /** Set every element to the bit pattern {@code bits} (low {@code dataType().size()} bytes). */
    public void fillBits(long bits) {
        Kernels.get().fill(segment, offset, strides, shape, type.size(), bits);
    }

    /** Copy all elements of {@code src} (same type and shape; origins may differ) into this view. */
    public void copyFrom(NdView src) {
        if (src.type != type || !Arrays.equals(src.shape, shape)) {
            throw new InvalidInputException("copy needs the same type and shape: source " + src.type + " " + Arrays.toString(src.shape)
                    + ", destination " + type + " " + Arrays.toString(shape));
        }
        Kernels.get().copy(src.segment, src.offset, src.strides, segment, offset, strides, shape, type.size());
    }

    /** The elements, Fortran order, as a new dense segment allocated in {@code arena}. */
    public MemorySegment toSegment(Arena arena) {
        NdView dense = allocate(arena, type, origin, shape);
        dense.copyFrom(this);
        return dense.segment.asSlice(0, byteSize());
    }

    private MemorySegment dense() {
        if (isFortranContiguous()) return segment.asSlice(offset, byteSize());
        return toSegment(Arena.ofAuto());
    }

    /** Elements in Fortran order (for 1-byte types). */
    public byte[] toByteArray() {
        need(1, "toByteArray");
        return dense().toArray(ValueLayout.JAVA_BYTE);
    }

    /** Elements in Fortran order (for 2-byte types). */
    public short[] toShortArray() {
        need(2, "toShortArray");
        return dense().toArray(S);
    }

    /** Elements in Fortran order (for 4-byte integer types). */
    public int[] toIntArray() {
        need(4, "toIntArray");
        return dense().toArray(I);
    }

    /** Elements in Fortran order (for 8-byte integer types). */
    public long[] toLongArray() {
        need(8, "toLongArray");
        return dense().toArray(L);
    }

    /** Elements in Fortran order (float32). */
    public float[] toFloatArray() {
        if (type != DataType.FLOAT32) throw new InvalidInputException("toFloatArray needs float32, view holds " + type);
        return dense().toArray(F);
    }

    /** Elements in Fortran order (float64). */
    public double[] toDoubleArray() {
        if (type != DataType.FLOAT64) throw new InvalidInputException("toDoubleArray needs float64, view holds " + type);
        return dense().toArray(D);
    }

    @Override
    public String toString() {
        return "NdView[" + type + " " + box() + "]";
    }
}
