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
        long[] origin = new long[shape.length];
        if (shape.length <= 8) { // the kernels' largest rank
            NdView.wrap(dst, 0, type, origin, shape, dstStrides).copyFrom(NdView.wrap(src, 0, type, origin, shape, srcStrides));
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
