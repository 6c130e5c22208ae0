package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;

/**
 * Zarr's {@code bytes} (array → bytes): the elements in C order, each in the stated byte order.
 * Chunks in memory are little-endian, so only {@code "big"} with elements wider than a byte
 * changes anything (each element's bytes reversed). The endian may be left out only for
 * one-byte types, where it means nothing.
 */
final class BytesStage {
    private final DataType type;
    private final String endian; // "little", "big", or null (absent: one-byte types only)

    BytesStage(DataType type, String endian) {
        if (endian == null && type.size() > 1) {
            throw new FormatException("zarr codec bytes: configuration needs \"endian\" (little or big) for " + type.jsonName() + ", a " + type.size() + "-byte type");
        }
        this.type = type;
        this.endian = endian;
    }

    static BytesStage parse(JsonNode codec, DataType type) {
        JsonNode c = CodecJson.configuration(codec, "bytes", List.of("endian"));
        return new BytesStage(type, c.has("endian") ? CodecJson.oneOf(c, "endian", "bytes", List.of("little", "big")) : null);
    }

    /** Whether stored bytes differ from the chunk's in memory (big-endian elements wider than a byte). */
    boolean swaps() {
        return "big".equals(endian) && type.size() > 1;
    }

    /** Reverses the bytes of each element of {@code src} into {@code dst} (the same size; may be the same segment). */
    void swap(MemorySegment src, MemorySegment dst) {
        long n = src.byteSize();
        switch (type.size()) {
            case 2 -> {
                ValueLayout.OfShort be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), le = be.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i += 2) dst.set(le, i, src.get(be, i));
            }
            case 4 -> {
                ValueLayout.OfInt be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), le = be.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i += 4) dst.set(le, i, src.get(be, i));
            }
            case 8 -> {
                ValueLayout.OfLong be = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), le = be.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i += 8) dst.set(le, i, src.get(be, i));
            }
            default -> MemorySegment.copy(src, 0, dst, 0, n);
        }
    }

    ObjectNode toJson() {
        return CodecJson.codec("bytes", endian == null ? null : CodecJson.JSON.objectNode().put("endian", endian));
    }

    @Override
    public String toString() {
        return endian == null ? "bytes" : "bytes " + endian;
    }
}
