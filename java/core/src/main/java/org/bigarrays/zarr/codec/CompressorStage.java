package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.BloscCodec;
import org.bigarrays.codec.BytesCodec;
import org.bigarrays.codec.GzipCodec;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.core.DataType;

/**
 * Zarr's {@code gzip}, {@code zstd} and {@code blosc} (bytes → bytes), each the library's own
 * {@link BytesCodec} (libdeflate, libzstd, libblosc through FFM, with their Java twins where
 * there are). The configuration is kept as read and written back unchanged. Reads are the same
 * at every level; writes: gzip always at {@link GzipCodec}'s level 6 (a valid stream for any
 * level the metadata states), zstd at the stated level with a content checksum, blosc exactly as
 * configured.
 */
final class CompressorStage implements BytesToBytesStage {
    static final List<String> BLOSC_CNAMES = List.of("lz4", "lz4hc", "blosclz", "zstd", "snappy", "zlib");
    private static final List<String> SHUFFLES = List.of("noshuffle", "shuffle", "bitshuffle"); // blosc's numbers: the index

    private final String name;
    private final BytesCodec codec;
    private final ObjectNode configuration;

    private CompressorStage(String name, BytesCodec codec, ObjectNode configuration) {
        this.name = name;
        this.codec = codec;
        this.configuration = configuration;
    }

    /** A stage over another bytes codec (Zarr v2's zlib and lz4, see {@link V2Compressors}), its configuration written back as given. */
    static CompressorStage of(String name, BytesCodec codec, ObjectNode configuration) {
        return new CompressorStage(name, codec, configuration);
    }

    static CompressorStage gzip(int level) {
        if (level < 0 || level > 9) throw new InvalidInputException("gzip level " + level + ": expected 0 to 9");
        return new CompressorStage("gzip", GzipCodec.DEFAULT, CodecJson.JSON.objectNode().put("level", level));
    }

    static CompressorStage zstd(int level, boolean checksum) {
        return new CompressorStage("zstd", ZstdCodec.atLevel(level), CodecJson.JSON.objectNode().put("level", level).put("checksum", checksum));
    }

    /** @param typeSize the shuffle unit; blocksize 0 (blosc's choice) */
    static CompressorStage blosc(String cname, int clevel, String shuffle, int typeSize, long blockSize) {
        if (!BLOSC_CNAMES.contains(cname)) throw new InvalidInputException("blosc cname '" + cname + "': expected one of " + String.join(", ", BLOSC_CNAMES));
        int s = SHUFFLES.indexOf(shuffle);
        if (s < 0) throw new InvalidInputException("blosc shuffle '" + shuffle + "': expected noshuffle, shuffle or bitshuffle");
        ObjectNode c = CodecJson.JSON.objectNode().put("cname", cname).put("clevel", clevel).put("shuffle", shuffle).put("typesize", typeSize).put("blocksize", (int) blockSize); // int, as read: equal JSON either way
        return new CompressorStage("blosc", new BloscCodec(typeSize, cname, clevel, s, blockSize), c);
    }

    static CompressorStage parseGzip(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "gzip", List.of("level"));
        return gzip(CodecJson.integer(c, "level", "gzip", 0, 9));
    }

    static CompressorStage parseZstd(JsonNode codec) {
        JsonNode c = CodecJson.configuration(codec, "zstd", List.of("level", "checksum"));
        int level = CodecJson.integer(c, "level", "zstd", ZstdCodec.MIN_LEVEL, ZstdCodec.MAX_LEVEL);
        JsonNode cs = c.path("checksum");
        if (!cs.isMissingNode() && !cs.isBoolean()) throw new FormatException("zarr codec zstd: \"checksum\" must be true or false, found " + cs);
        return zstd(level, cs.asBoolean(false));
    }

    /** {@code typesize} may be left out (or 0) only with noshuffle; then the data type's size is used. */
    static CompressorStage parseBlosc(JsonNode codec, DataType type) {
        JsonNode c = CodecJson.configuration(codec, "blosc", List.of("cname", "clevel", "shuffle", "typesize", "blocksize"));
        String cname = CodecJson.oneOf(c, "cname", "blosc", BLOSC_CNAMES);
        int clevel = CodecJson.integer(c, "clevel", "blosc", 0, 9);
        String shuffle = CodecJson.oneOf(c, "shuffle", "blosc", SHUFFLES);
        int typeSize = c.has("typesize") ? CodecJson.integer(c, "typesize", "blosc", 0, 255) : 0;
        if (typeSize == 0 && !shuffle.equals("noshuffle")) throw new FormatException("zarr codec blosc: \"typesize\" (1 to 255) is needed with shuffle " + shuffle);
        long blockSize = c.has("blocksize") ? CodecJson.integer(c, "blocksize", "blosc", 0, Integer.MAX_VALUE) : 0;
        CompressorStage s = blosc(cname, clevel, shuffle, typeSize == 0 ? type.size() : typeSize, blockSize);
        return new CompressorStage("blosc", s.codec, ((ObjectNode) c).deepCopy());
    }

    @Override
    public MemorySegment decode(MemorySegment in, long capacity, Supplier<MemorySegment> scratch, String key) {
        MemorySegment out = scratch.get();
        return out.asSlice(0, codec.decode(in, out, key));
    }

    @Override
    public MemorySegment encode(MemorySegment in) {
        return codec.encode(in);
    }

    @Override
    public long maxEncodedSize(long n) {
        return codec.maxEncodedSize(n);
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
        return codec.toString();
    }
}
