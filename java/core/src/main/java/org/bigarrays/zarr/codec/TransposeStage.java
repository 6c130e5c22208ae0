package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Arrays;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * Zarr's {@code transpose} (array → array): encoding permutes the dimensions as NumPy's
 * {@code transpose(order)} does, so the encoded array's dimension {@code i} is the decoded
 * array's dimension {@code order[i]}; both are dense C order. Bound to the decoded shape it
 * sees; runs through the strided copy kernels ({@link NdView#copyFrom}).
 */
final class TransposeStage {
    private final DataType type;
    private final int[] order;
    private final long[] decodedShape;
    private final long[] encodedShape;
    private final boolean identity;

    TransposeStage(DataType type, int[] order, long[] decodedShape) {
        int rank = decodedShape.length;
        boolean[] seen = new boolean[rank];
        if (order.length != rank) throw new FormatException("zarr codec transpose: order " + Arrays.toString(order) + " has " + order.length + " entries for a chunk of rank " + rank);
        for (int o : order) {
            if (o < 0 || o >= rank || seen[o]) throw new FormatException("zarr codec transpose: order " + Arrays.toString(order) + " is not a permutation of 0.." + (rank - 1));
            seen[o] = true;
        }
        this.type = type;
        this.order = order.clone();
        this.decodedShape = decodedShape.clone();
        this.encodedShape = new long[rank];
        boolean id = true;
        for (int i = 0; i < rank; i++) {
            encodedShape[i] = decodedShape[order[i]];
            id &= order[i] == i;
        }
        this.identity = id;
    }

    static TransposeStage parse(JsonNode codec, DataType type, long[] decodedShape) {
        JsonNode c = CodecJson.configuration(codec, "transpose", List.of("order"));
        JsonNode o = c.get("order");
        if (o == null || !o.isArray()) throw new FormatException("zarr codec transpose: configuration needs \"order\", an array of dimension indices, found " + o);
        int[] order = new int[o.size()];
        for (int i = 0; i < order.length; i++) order[i] = CodecJson.integerValue(o.get(i), "order", "transpose", 0, Integer.MAX_VALUE);
        return new TransposeStage(type, order, decodedShape);
    }

    long[] encodedShape() {
        return encodedShape.clone();
    }

    /** {@code decoded} (C order of the decoded shape) into {@code encoded} (C order of the encoded shape); no aliasing. */
    void encode(MemorySegment decoded, MemorySegment encoded) {
        if (identity) {
            MemorySegment.copy(decoded, 0, encoded, 0, decoded.byteSize());
            return;
        }
        long[] c = NdView.cOrderStrides(decodedShape, type.size());
        long[] strides = new long[order.length];
        for (int i = 0; i < order.length; i++) strides[i] = c[order[i]];
        copy(decoded, strides, encoded, NdView.cOrderStrides(encodedShape, type.size()), encodedShape);
    }

    /** The inverse of {@link #encode}. */
    void decode(MemorySegment encoded, MemorySegment decoded) {
        if (identity) {
            MemorySegment.copy(encoded, 0, decoded, 0, encoded.byteSize());
            return;
        }
        long[] c = NdView.cOrderStrides(encodedShape, type.size());
        long[] strides = new long[order.length];
        for (int i = 0; i < order.length; i++) strides[order[i]] = c[i];
        copy(encoded, strides, decoded, NdView.cOrderStrides(decodedShape, type.size()), decodedShape);
    }

    /** Copies a view of {@code src} with {@code srcStrides} into {@code dst} with {@code dstStrides}, both of {@code shape}. */
    private void copy(MemorySegment src, long[] srcStrides, MemorySegment dst, long[] dstStrides, long[] shape) {
        int rank = shape.length;
        if (rank <= 8) { // the kernels' largest rank
            // The kernels run dimension 0 fastest (Fortran order): hand them the C-order dimensions reversed, so the
            // innermost loop walks the destination contiguously and contiguous runs coalesce.
            long[] sh = new long[rank], ss = new long[rank], ds = new long[rank];
            for (int i = 0; i < rank; i++) {
                sh[i] = shape[rank - 1 - i];
                ss[i] = srcStrides[rank - 1 - i];
                ds[i] = dstStrides[rank - 1 - i];
            }
            tiled(src, ss, dst, ds, sh);
            return;
        }
        // Higher ranks (rare): element by element, an odometer over the shape.
        int size = type.size();
        long[] at = new long[shape.length];
        long count = 1;
        for (long s : shape) count *= s;
        for (long n = 0; n < count; n++) {
            long so = 0, d = 0;
            for (int k = 0; k < shape.length; k++) {
                so += at[k] * srcStrides[k];
                d += at[k] * dstStrides[k];
            }
            MemorySegment.copy(src, so, dst, d, size);
            for (int k = shape.length - 1; k >= 0 && ++at[k] == shape[k]; k--) at[k] = 0;
        }
    }

    /** Elements per side of a tile: 64x64 of up to 8 bytes (32 KiB) stays in the caches. */
    private static final int TILE = 64;

    /**
     * A strided copy (dimension 0 fastest, destination contiguous along it) in 2-d tiles over
     * the destination's and the source's fastest dimensions when they differ, one kernel call
     * per tile: a whole-chunk transpose otherwise reads one element per cache line.
     */
    private void tiled(MemorySegment src, long[] ss, MemorySegment dst, long[] ds, long[] sh) {
        int rank = sh.length, s = 0;
        for (int i = 1; i < rank; i++) if (sh[i] > 1 && (sh[s] == 1 || ss[i] < ss[s])) s = i;
        long[] origin = new long[rank];
        if (s == 0 || sh[0] <= TILE && sh[s] <= TILE) {
            NdView.wrap(dst, 0, type, origin, sh, ds).copyFrom(NdView.wrap(src, 0, type, origin, sh, ss));
            return;
        }
        long[] step = new long[rank], tile = new long[rank], at = new long[rank];
        for (int d = 0; d < rank; d++) step[d] = d == 0 || d == s ? TILE : 1;
        while (true) {
            long so = 0, dO = 0;
            for (int d = 0; d < rank; d++) {
                tile[d] = Math.min(step[d], sh[d] - at[d]);
                so += at[d] * ss[d];
                dO += at[d] * ds[d];
            }
            NdView.wrap(dst, dO, type, origin, tile, ds).copyFrom(NdView.wrap(src, so, type, origin, tile, ss));
            int d = 0;
            while (d < rank && (at[d] += step[d]) >= sh[d]) at[d++] = 0; // dimension 0 fastest: the destination in order
            if (d == rank) return;
        }
    }

    ObjectNode toJson() {
        ArrayNode o = CodecJson.JSON.arrayNode();
        for (int i : order) o.add(i);
        ObjectNode c = CodecJson.JSON.objectNode();
        c.set("order", o);
        return CodecJson.codec("transpose", c);
    }

    @Override
    public String toString() {
        return "transpose " + Arrays.toString(order);
    }
}
