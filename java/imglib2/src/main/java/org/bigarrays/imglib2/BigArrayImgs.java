package org.bigarrays.imglib2;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.BooleanArray;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.DoubleArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.basictypeaccess.array.LongArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;
import net.imglib2.type.logic.NativeBoolType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedLongType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * A layer's scale as an ImgLib2 image, for Fiji, BigDataViewer and ImgLib2 pipelines: lazy (a
 * cell is read when first touched), one cell per chunk, cells loaded with {@link BigArray#read}
 * (so through the decoded-chunk cache of the array's context, if it has one) and the most recently
 * used ones kept in a small cache of their own.
 *
 * <p>Axes are x, y, z, plus c when the layer has more than one channel; the interval's min is the
 * scale's {@code voxel_offset} (channels start at 0), so coordinates are the layer's own. Types:
 * uint8/16/32/64 as {@link UnsignedByteType}, {@link UnsignedShortType}, {@link UnsignedIntType},
 * {@link UnsignedLongType}; int8..int64 as {@link ByteType} .. {@link LongType}; float32/64 as
 * {@link FloatType}/{@link DoubleType}; bool as {@link NativeBoolType}.
 *
 * <pre>{@code
 * try (BigArray a = BigArray.open("s3://bucket/em")) {
 *     RandomAccessibleInterval<UnsignedByteType> em = BigArrayImgs.wrap(a.mip(1));
 * }
 * }</pre>
 * The image reads from {@code array} on demand: keep the array open while it is used.
 */
public final class BigArrayImgs {
    /** Bytes of decoded cells each image keeps by default (on top of the context's chunk cache). */
    public static final long DEFAULT_CELL_CACHE_BYTES = 64L << 20;

    private BigArrayImgs() {}

    /**
     * {@code array}'s scale as a lazy image with the voxel offset as its min.
     *
     * @param <T> the type matching the layer's data type (see the class comment); a wrong choice
     *            fails with a ClassCastException on first use
     */
    public static <T extends NativeType<T>> RandomAccessibleInterval<T> wrap(BigArray array) {
        return wrap(array, DEFAULT_CELL_CACHE_BYTES);
    }

    /** As {@link #wrap(BigArray)}, keeping at most {@code cellCacheBytes} of decoded cells (at least one cell). */
    public static <T extends NativeType<T>> RandomAccessibleInterval<T> wrap(BigArray array, long cellCacheBytes) {
        LazyCellImg<T, ?> img = cellImg(array, cellCacheBytes);
        long[] min = new long[img.numDimensions()];
        System.arraycopy(array.bounds().min(), 0, min, 0, 3);
        return Views.translate(img, min);
    }

    /** The zero-based cell image under {@link #wrap}: position 0 is the scale's voxel offset. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T extends NativeType<T>> LazyCellImg<T, ?> cellImg(BigArray array, long cellCacheBytes) {
        Box bounds = array.bounds();
        int channels = array.channels();
        int n = channels > 1 ? 4 : 3;
        long[] dims = new long[n];
        int[] cell = new int[n];
        for (int d = 0; d < 3; d++) {
            dims[d] = bounds.size(d);
            cell[d] = Math.toIntExact(Math.min(array.chunkShape()[d], bounds.size(d)));
        }
        if (n == 4) {
            dims[3] = channels;
            cell[3] = channels;
        }
        CellGrid grid = new CellGrid(dims, cell);
        CellLoader loader = new CellLoader(array, grid);
        LazyCellImg.Get<Cell<Object>> get = new CellCache<>(loader::load, Math.max(1, cellCacheBytes));
        return new LazyCellImg(grid, (NativeType) type(array.dataType()), get);
    }

    /** The ImgLib2 type a layer of {@code t} is shown as. */
    public static NativeType<?> type(DataType t) {
        return switch (t) {
            case UINT8 -> new UnsignedByteType();
            case INT8 -> new ByteType();
            case UINT16 -> new UnsignedShortType();
            case INT16 -> new ShortType();
            case UINT32 -> new UnsignedIntType();
            case INT32 -> new IntType();
            case UINT64 -> new UnsignedLongType();
            case INT64 -> new LongType();
            case FLOAT32 -> new FloatType();
            case FLOAT64 -> new DoubleType();
            case BOOL -> new NativeBoolType();
        };
    }

    /** Reads one cell (one chunk, clipped to the volume) into the array access its type uses. */
    private record CellLoader(BigArray array, CellGrid grid) {
        Cell<Object> load(long index) {
            int n = grid.numDimensions();
            long[] cellMin = new long[n];
            int[] cellDims = new int[n];
            grid.getCellDimensions(index, cellMin, cellDims);
            long[] lo = new long[3];
            long[] hi = new long[3];
            long[] offset = array.bounds().min();
            for (int d = 0; d < 3; d++) {
                lo[d] = offset[d] + cellMin[d];
                hi[d] = lo[d] + cellDims[d];
            }
            // x fastest, then y, z, c: the order of an ImgLib2 cell of dims [x, y, z(, c)].
            NdView v = array.read(Box.of(lo, hi));
            if (!v.isFortranContiguous()) {
                NdView dense = NdView.allocate(Arena.ofAuto(), v.dataType(), v.origin(), v.shape());
                array.read(Box.of(lo, hi), dense);
                v = dense;
            }
            MemorySegment voxels = v.segment().asSlice(v.byteOffset(), v.byteSize());
            return new Cell<>(cellDims, cellMin, access(array.dataType(), voxels));
        }

        private static Object access(DataType t, MemorySegment m) {
            int n = Math.toIntExact(m.byteSize() / t.size());
            return switch (t) {
                case UINT8, INT8 -> new ByteArray(m.toArray(ValueLayout.JAVA_BYTE));
                case UINT16, INT16 -> new ShortArray(m.toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                case UINT32, INT32 -> new IntArray(m.toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                case UINT64, INT64 -> new LongArray(m.toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                case FLOAT32 -> new FloatArray(m.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                case FLOAT64 -> new DoubleArray(m.toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) a[i] = m.get(ValueLayout.JAVA_BYTE, i) != 0;
                    yield new BooleanArray(a);
                }
            };
        }
    }
}
