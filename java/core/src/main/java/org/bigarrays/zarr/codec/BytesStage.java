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
        ValueLayout le = switch (type.size()) {
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
            case 8 -> ValueLayout.JAVA_LONG_UNALIGNED;
            default -> null;
        };
        if (le == null) {
            MemorySegment.copy(src, 0, dst, 0, src.byteSize());
            return;
        }
        // A bulk copy between layouts of opposite byte orders swaps every element (overlap allowed).
        le = le.withOrder(ByteOrder.LITTLE_ENDIAN);
        MemorySegment.copy(src, le.withOrder(ByteOrder.BIG_ENDIAN), 0, dst, le, 0, src.byteSize() / type.size());
    }

    ObjectNode toJson() {
        return CodecJson.codec("bytes", endian == null ? null : CodecJson.JSON.objectNode().put("endian", endian));
    }

    @Override
    public String toString() {
        return endian == null ? "bytes" : "bytes " + endian;
    }
}
