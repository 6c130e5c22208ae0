package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import org.bigarrays.CorruptChunkException;

/**
 * The two Zarr v2 (numcodecs) compressors that have no v3 codec: {@code zlib} (a zlib stream,
 * java.util.zip) and {@code lz4} (numcodecs' LZ4: the decoded size as 4 little-endian bytes,
 * then one LZ4 block, through lz4-java). They appear only in the codecs a v2 array's metadata is
 * read as ({@code numcodecs.zlib}, {@code numcodecs.lz4}); v2 arrays are read only, but each
 * stage also encodes, as numcodecs does, so it can be tested by round trips.
 */
final class V2CompressorStage implements BytesToBytesStage {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final ObjectNode configuration;
    private final int level;

    private V2CompressorStage(String name, ObjectNode configuration, int level) {
        this.name = name;
        this.configuration = configuration;
        this.level = level;
    }

    static V2CompressorStage parseZlib(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "numcodecs.zlib", List.of("level"));
        int level = c.has("level") ? CodecJson.integer(c, "level", "numcodecs.zlib", 0, 9) : 1;
        return new V2CompressorStage("numcodecs.zlib", CodecJson.JSON.objectNode().put("level", level), level);
    }

    static V2CompressorStage parseLz4(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "numcodecs.lz4", List.of("acceleration"));
        int a = c.has("acceleration") ? c.get("acceleration").asInt(1) : 1;
        return new V2CompressorStage("numcodecs.lz4", CodecJson.JSON.objectNode().put("acceleration", a), 0);
    }

    private boolean zlib() {
        return name.equals("numcodecs.zlib");
    }

    @Override
    public MemorySegment decode(MemorySegment in, long capacity, Supplier<MemorySegment> scratch, String key) {
        MemorySegment out = scratch.get();
        byte[] src = in.toArray(ValueLayout.JAVA_BYTE);
        if (capacity > Integer.MAX_VALUE - 16) throw new CorruptChunkException(key, name + " chunk of more than 2 GiB");
        byte[] dst = new byte[(int) capacity + 1]; // one spare byte: output beyond the capacity is corruption
        int n;
        if (zlib()) {
            Inflater inf = new Inflater();
            try {
                inf.setInput(src);
                n = inf.inflate(dst);
                if (!inf.finished()) throw new CorruptChunkException(key, "zlib stream does not end within " + capacity + " bytes");
                if (inf.getRemaining() > 0) throw new CorruptChunkException(key, "zlib stream followed by " + inf.getRemaining() + " bytes");
            } catch (DataFormatException e) {
                throw new CorruptChunkException(key, "not a valid zlib stream: " + e.getMessage());
            } finally {
                inf.end();
            }
        } else {
            if (src.length < 4) throw new CorruptChunkException(key, "numcodecs lz4 chunk of " + src.length + " bytes has no size header");
            int declared = in.get(INT_LE, 0);
            if (declared < 0 || declared > capacity) throw new CorruptChunkException(key, "numcodecs lz4 chunk declares " + Integer.toUnsignedString(declared) + " bytes, more than " + capacity);
            try {
                int read = LZ4Factory.fastestJavaInstance().safeDecompressor().decompress(src, 4, src.length - 4, dst, 0, declared);
                n = read;
                if (n != declared) throw new CorruptChunkException(key, "numcodecs lz4 chunk decodes to " + n + " bytes, its header says " + declared);
            } catch (LZ4Exception e) {
                throw new CorruptChunkException(key, "not a valid numcodecs lz4 chunk: " + e.getMessage());
            }
        }
        if (n > capacity) throw new CorruptChunkException(key, name + " chunk decodes to more than " + capacity + " bytes");
        MemorySegment.copy(MemorySegment.ofArray(dst), 0, out, 0, n);
        return out.asSlice(0, n);
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        byte[] src = in.toArray(ValueLayout.JAVA_BYTE);
        if (zlib()) {
            Deflater d = new Deflater(level);
            try {
                d.setInput(src);
                d.finish();
                byte[] buf = new byte[(int) maxEncodedSize(src.length)];
                int n = d.deflate(buf);
                return MemorySegment.ofArray(java.util.Arrays.copyOf(buf, n));
            } finally {
                d.end();
            }
        }
        var c = LZ4Factory.fastestJavaInstance().fastCompressor();
        byte[] buf = new byte[4 + c.maxCompressedLength(src.length)];
        int n = c.compress(src, 0, src.length, buf, 4, buf.length - 4);
        MemorySegment out = MemorySegment.ofArray(buf);
        out.set(INT_LE, 0, src.length);
        return MemorySegment.ofArray(java.util.Arrays.copyOf(buf, 4 + n));
    }

    @Override
    public long maxEncodedSize(long n) {
        return n + n / 8 + 1024;
    }

    @Override
    public long fixedOverhead() {
        return -1;
    }

    @Override
    public ObjectNode toJson() {
        return CodecJson.codec(name, configuration.deepCopy());
    }

    @Override
    public String toString() {
        return name;
    }
}
