package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.bigarrays.CorruptChunkException;

/** Zarr's {@code crc32c} (bytes → bytes): the CRC-32C of the bytes appended, 4 bytes little-endian; checked on decode. */
final class Crc32cStage implements BytesToBytesStage {
    static final Crc32cStage INSTANCE = new Crc32cStage();
    private static final ValueLayout.OfInt LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Crc32cStage() {}

    static Crc32cStage parse(JsonNode codec) {
        CodecJson.configuration(codec, "crc32c", List.of());
        return INSTANCE;
    }

    private static int crc(MemorySegment data) {
        CRC32C c = new CRC32C();
        if (data.isNative() || data.heapBase().orElse(null) instanceof byte[]) c.update(data.asByteBuffer());
        else c.update(data.toArray(ValueLayout.JAVA_BYTE)); // a heap segment over long[] etc. has no ByteBuffer view
        return (int) c.getValue();
    }

    /** Returns a slice of {@code in}: the checksum is only checked, never copied. */
    @Override
    public MemorySegment decode(MemorySegment in, long capacity, Supplier<MemorySegment> scratch, String key) {
        long n = in.byteSize() - 4;
        if (n < 0) throw new CorruptChunkException(key, "crc32c: " + in.byteSize() + " bytes, shorter than the 4-byte checksum");
        if (n > capacity) throw new CorruptChunkException(key, "crc32c: " + n + " bytes of data, more than the " + capacity + " expected");
        MemorySegment data = in.asSlice(0, n);
        int stored = in.get(LE, n), computed = crc(data);
        if (stored != computed) {
            throw new CorruptChunkException(key, String.format("crc32c checksum mismatch: stored %08x, computed %08x", stored, computed));
        }
        return data;
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(in.byteSize() + 4)]);
        MemorySegment.copy(in, 0, out, 0, in.byteSize());
        out.set(LE, in.byteSize(), crc(in));
        return out;
    }

    @Override
    public long maxEncodedSize(long n) {
        return n + 4;
    }

    @Override
    public long fixedOverhead() {
        return 4;
    }

    @Override
    public ObjectNode toJson() {
        return CodecJson.codec("crc32c", null);
    }

    @Override
    public String toString() {
        return "crc32c";
    }
}
