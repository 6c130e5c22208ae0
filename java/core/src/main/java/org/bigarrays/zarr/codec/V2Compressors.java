package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.BytesCodec;

/**
 * The two Zarr v2 (numcodecs) compressors that have no v3 codec: {@code zlib} (a zlib stream,
 * java.util.zip) and {@code lz4} (numcodecs' LZ4: the decoded size as 4 little-endian bytes,
 * then one LZ4 block, through lz4-java), as {@link CompressorStage}s over bytes codecs of their
 * own. They appear only in the codecs a v2 array's metadata is read as ({@code numcodecs.zlib},
 * {@code numcodecs.lz4}); v2 arrays are read only, but each also encodes, as numcodecs does, so
 * it can be tested by round trips.
 */
final class V2Compressors {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private V2Compressors() {}

    static CompressorStage parseZlib(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "numcodecs.zlib", List.of("level"));
        int level = c.has("level") ? CodecJson.integer(c, "level", "numcodecs.zlib", 0, 9) : 1;
        return CompressorStage.of("numcodecs.zlib", new Zlib(level), CodecJson.JSON.objectNode().put("level", level));
    }

    static CompressorStage parseLz4(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "numcodecs.lz4", List.of("acceleration"));
        int a = c.has("acceleration") ? c.get("acceleration").asInt(1) : 1;
        return CompressorStage.of("numcodecs.lz4", new Lz4Block(), CodecJson.JSON.objectNode().put("acceleration", a));
    }

    /** Room for one byte past the output: a stream that produces it is corruption. */
    private static byte[] room(MemorySegment out, String key, String name) {
        if (out.byteSize() > Integer.MAX_VALUE - 16) throw new CorruptChunkException(key, name + " chunk of more than 2 GiB");
        return new byte[(int) out.byteSize() + 1];
    }

    private record Zlib(int level) implements BytesCodec {
        @Override
        public String name() {
            return "zlib";
        }

        @Override
        public boolean matches(MemorySegment bytes) {
            return false;
        }

        @Override
        public long decode(MemorySegment in, MemorySegment out, String key) {
            byte[] dst = room(out, key, "zlib");
            Inflater inf = new Inflater();
            int n;
            try {
                inf.setInput(in.toArray(ValueLayout.JAVA_BYTE));
                n = inf.inflate(dst);
                if (!inf.finished()) throw new CorruptChunkException(key, "zlib stream does not end within " + out.byteSize() + " bytes");
                if (inf.getRemaining() > 0) throw new CorruptChunkException(key, "zlib stream followed by " + inf.getRemaining() + " bytes");
            } catch (DataFormatException e) {
                throw new CorruptChunkException(key, "not a valid zlib stream: " + e.getMessage());
            } finally {
                inf.end();
            }
            if (n > out.byteSize()) throw new CorruptChunkException(key, "zlib chunk decodes to more than " + out.byteSize() + " bytes");
            MemorySegment.copy(MemorySegment.ofArray(dst), 0, out, 0, n);
            return n;
        }

        @Override
        public MemorySegment encode(MemorySegment in) {
            byte[] src = in.toArray(ValueLayout.JAVA_BYTE);
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
    }

    private record Lz4Block() implements BytesCodec {
        @Override
        public String name() {
            return "lz4";
        }

        @Override
        public boolean matches(MemorySegment bytes) {
            return false;
        }

        @Override
        public long decode(MemorySegment in, MemorySegment out, String key) {
            if (in.byteSize() < 4) throw new CorruptChunkException(key, "numcodecs lz4 chunk of " + in.byteSize() + " bytes has no size header");
            int declared = in.get(INT_LE, 0);
            if (declared < 0 || declared > out.byteSize()) {
                throw new CorruptChunkException(key, "numcodecs lz4 chunk declares " + Integer.toUnsignedString(declared) + " bytes, more than " + out.byteSize());
            }
            byte[] src = in.toArray(ValueLayout.JAVA_BYTE);
            byte[] dst = room(out, key, "lz4");
            int n;
            try {
                n = LZ4Factory.fastestJavaInstance().safeDecompressor().decompress(src, 4, src.length - 4, dst, 0, declared);
            } catch (LZ4Exception e) {
                throw new CorruptChunkException(key, "not a valid numcodecs lz4 chunk: " + e.getMessage());
            }
            if (n != declared) throw new CorruptChunkException(key, "numcodecs lz4 chunk decodes to " + n + " bytes, its header says " + declared);
            MemorySegment.copy(MemorySegment.ofArray(dst), 0, out, 0, n);
            return n;
        }

        @Override
        public MemorySegment encode(MemorySegment in) {
            byte[] src = in.toArray(ValueLayout.JAVA_BYTE);
            var c = LZ4Factory.fastestJavaInstance().fastCompressor();
            byte[] buf = new byte[4 + c.maxCompressedLength(src.length)];
            int n = c.compress(src, 0, src.length, buf, 4, buf.length - 4);
            MemorySegment.ofArray(buf).set(INT_LE, 0, src.length);
            return MemorySegment.ofArray(java.util.Arrays.copyOf(buf, 4 + n));
        }
    }
}
