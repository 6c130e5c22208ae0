package org.bigarrays.precomputed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bigarrays.FormatException;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.Keys;

/**
 * A precomputed volume's {@code info} metadata, parsed and validated. Immutable. Unknown
 * members, top level ({@code extra}) and per scale, survive {@link #parse} → {@link #toJson}.
 *
 * <pre>{@code
 * Info info = Info.builder(DataType.UINT8, new long[] {1024, 1024, 512}, new long[] {64, 64, 64})
 *         .resolution(4, 4, 40).build();
 * }</pre>
 *
 * @param type "image" or "segmentation"
 * @param dataType voxel type
 * @param numChannels channels per voxel (≥ 1)
 * @param scales mip levels, finest first
 * @param extra unknown top-level members ({@code @type}, {@code mesh}, {@code app}, ...)
 */
public record Info(String type, DataType dataType, int numChannels, List<Scale> scales, JsonMembers extra) {
    /** For writing; created on first use: reading goes through {@link JsonTree}, which needs no mapper. */
    static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

        private Mapper() {}
    }

    /**
     * Most bytes one chunk may take decoded (voxels × channels × bytes per voxel): 2 GiB. Larger
     * chunks cannot be held in one buffer, and an info that declares them is hostile or broken.
     */
    public static final long MAX_CHUNK_BYTES = 1L << 31;
    private static final Set<String> TOP = Set.of("type", "data_type", "num_channels", "scales");
    private static final Set<String> SCALE = Set.of("key", "size", "resolution", "voxel_offset", "chunk_sizes", "encoding",
            "compressed_segmentation_block_size", "jpeg_quality", "png_level", "sharding");

    /** @throws org.bigarrays.InvalidInputException when a chunk of some scale would take more than {@link #MAX_CHUNK_BYTES} */
    public Info {
        scales = List.copyOf(scales);
        if (dataType != null) {
            for (Scale s : scales) {
                for (long[] c : s.chunkSizes()) {
                    long bytes = saturatingProduct(saturatingProduct(c), numChannels, dataType.size());
                    if (bytes > MAX_CHUNK_BYTES) {
                        throw new org.bigarrays.InvalidInputException("scale '" + s.key() + "': a chunk " + java.util.Arrays.toString(c)
                                + " of " + numChannels + " channel(s) of " + dataType + " takes more than 2 GiB");
                    }
                }
            }
        }
    }

    /** The scale at {@code mip} (0 = finest). */
    public Scale scale(int mip) {
        if (mip < 0 || mip >= scales.size()) {
            throw new org.bigarrays.InvalidInputException("mip " + mip + " does not exist: the layer has mips 0.." + (scales.size() - 1));
        }
        return scales.get(mip);
    }

    public Info withScale(int mip, Scale s) {
        List<Scale> l = new ArrayList<>(scales);
        l.set(mip, s);
        return new Info(type, dataType, numChannels, l, extra);
    }

    public Info withScales(List<Scale> l) {
        return new Info(type, dataType, numChannels, l, extra);
    }

    /**
     * Parse info JSON; {@code where} (a URL) is named in errors, which are one line.
     *
     * @throws FormatException when the JSON is invalid, or a member is missing, of the wrong type or
     *     out of range (integers must fit 64 bits; a scale key must be a relative key inside the
     *     layer, see {@link Keys}; a chunk may take at most {@link #MAX_CHUNK_BYTES})
     */
    public static Info parse(byte[] json, String where) {
        JsonNode root;
        try {
            root = JsonTree.read(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new FormatException("info at " + where + " is not valid JSON" + at + ": " + oneLine(e.getOriginalMessage()), e);
        } catch (java.io.IOException e) {
            throw new FormatException("info at " + where + " is not valid JSON: " + oneLine(e.getMessage()), e);
        }
        if (root == null || root.isMissingNode()) throw new FormatException("info at " + where + " is empty");
        return parseTree(root, "info at " + where);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** Parse info JSON text (see {@link #parse(byte[], String)}). */
    public static Info parse(String json, String where) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), where);
    }

    /** Parse with {@code label} ("info at URL", "new info") opening every error message. */
    static Info parseTree(JsonNode root, String label) {
        if (!(root instanceof ObjectNode obj)) throw new FormatException(label + ": expected a JSON object, found " + root.getNodeType());
        Fields f = new Fields(label, "");
        String type = f.text(obj, "type");
        if (!type.equals("image") && !type.equals("segmentation")) {
            throw new FormatException(label + ": type: expected \"image\" or \"segmentation\", found \"" + type + "\"");
        }
        DataType dt;
        try {
            dt = DataType.of(f.text(obj, "data_type"));
        } catch (RuntimeException e) {
            throw new FormatException(label + ": data_type: " + e.getMessage());
        }
        long ch = f.positive(obj, "num_channels");
        if (ch > Integer.MAX_VALUE) throw f.error("num_channels", "at most " + Integer.MAX_VALUE, Long.toString(ch));
        int channels = (int) ch;
        JsonNode sc = obj.get("scales");
        if (!(sc instanceof ArrayNode arr) || arr.isEmpty()) {
            throw new FormatException(label + ": scales: expected a non-empty array, found " + abbreviate(String.valueOf(sc)));
        }
        List<Scale> scales = new ArrayList<>();
        Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < arr.size(); i++) {
            Scale s = parseScale(arr.get(i), new Fields(label, "scales[" + i + "]."), dt, channels);
            if (!keys.add(s.key())) throw f.error("scales[" + i + "].key", "a key no other scale uses", "'" + s.key() + "' twice");
            scales.add(s);
        }
        ObjectNode extra = JsonNodeFactory.instance.objectNode();
        obj.properties().forEach(e -> {
            if (!TOP.contains(e.getKey())) extra.set(e.getKey(), e.getValue().deepCopy());
        });
        return new Info(type, dt, channels, scales, JsonMembers.of(extra));
    }

    private static Scale parseScale(JsonNode n, Fields at, DataType dt, int channels) {
        if (!(n instanceof ObjectNode o)) {
            throw new FormatException(at.label() + ": " + at.prefix().replaceAll("\\.$", "") + ": expected a JSON object, found " + abbreviate(String.valueOf(n)));
        }
        // The key first: it becomes a path or URL below the layer, so nothing else is looked at
        // (and no I/O can happen) with a key that points elsewhere.
        String key = at.text(o, "key");
        String why = Keys.problem(key);
        if (why != null) {
            throw at.error("key", "a relative key inside the layer", "'" + Keys.printable(key) + "' (" + why + ")");
        }
        Fields f = new Fields(at.label(), at.prefix(), " of scale '" + key + "'");
        long[] size = f.longs(o, "size", 3, false, 0);
        double[] res = f.doubles(o, "resolution");
        long[] off = o.has("voxel_offset") ? f.longs(o, "voxel_offset", 3, true, Long.MIN_VALUE) : new long[3];
        JsonNode cs = o.get("chunk_sizes");
        if (!(cs instanceof ArrayNode csa) || csa.isEmpty()) throw f.error("chunk_sizes", "a non-empty array of [x,y,z]", abbreviate(String.valueOf(cs)));
        List<long[]> chunks = new ArrayList<>();
        for (int i = 0; i < csa.size(); i++) chunks.add(f.longArray(csa.get(i), "chunk_sizes[" + i + "]", 3, 1));
        for (int i = 0; i < 3; i++) {
            if (off[i] > Long.MAX_VALUE - size[i]) {
                throw f.error("voxel_offset", "voxel_offset + size within 64-bit integers", off[i] + " + " + size[i] + " on axis " + i);
            }
        }
        for (int i = 0; i < chunks.size(); i++) {
            long[] c = chunks.get(i);
            long voxels = saturatingProduct(c[0], c[1], c[2]);
            if (voxels > (1L << 40)) {
                throw f.error("chunk_sizes[" + i + "]", "at most 2^40 voxels per chunk", java.util.Arrays.toString(c));
            }
            long bytes = saturatingProduct(voxels, channels, dt.size());
            if (bytes > MAX_CHUNK_BYTES) {
                throw f.error("chunk_sizes[" + i + "]", "at most 2 GiB per chunk", java.util.Arrays.toString(c) + " x " + channels
                        + " channel(s) x " + dt.size() + " byte(s) = " + (bytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(bytes)) + " bytes");
            }
        }
        String enc = f.text(o, "encoding");
        long[] block = o.has("compressed_segmentation_block_size")
                ? f.longs(o, "compressed_segmentation_block_size", 3, false, 1) : null;
        if (enc.equals(org.bigarrays.codec.Encoding.COMPRESSED_SEGMENTATION.jsonName()) && block == null) {
            throw f.error("compressed_segmentation_block_size", "[x,y,z] for compressed_segmentation", "nothing");
        }
        if (block != null) {
            long[] c = chunks.getFirst();
            // A block is a unit of the chunk; one larger than the chunk only makes the encoder's
            // per-block tables (and memory) bigger than the chunk itself.
            if (saturatingProduct(block[0], block[1], block[2]) > saturatingProduct(c[0], c[1], c[2])) {
                throw f.error("compressed_segmentation_block_size", "a block no larger than the chunk " + java.util.Arrays.toString(c),
                        java.util.Arrays.toString(block));
            }
        }
        Integer q = o.has("jpeg_quality") ? (int) f.range(o, "jpeg_quality", 0, 100) : null;
        Integer lvl = o.has("png_level") ? (int) f.range(o, "png_level", 0, 9) : null;
        JsonMembers sharding = null;
        if (o.has("sharding") && !o.get("sharding").isNull()) {
            if (!(o.get("sharding") instanceof ObjectNode so)) throw f.error("sharding", "a JSON object", abbreviate(o.get("sharding").toString()));
            sharding = JsonMembers.of(so);
        }
        if (sharding != null && chunks.size() != 1) throw f.error("chunk_sizes", "exactly one chunk size for a sharded scale", chunks.size() + "");
        ObjectNode extra = JsonNodeFactory.instance.objectNode();
        o.properties().forEach(e -> {
            if (!SCALE.contains(e.getKey())) extra.set(e.getKey(), e.getValue().deepCopy());
        });
        return new Scale(key, size, res, off, chunks, enc, block, q, lvl, sharding, JsonMembers.of(extra));
    }

    /** The info as a JSON tree: known members first, then unknown ones as read. */
    ObjectNode toJsonTree() {
        ObjectNode extra = this.extra.node();
        JsonNodeFactory nf = JsonNodeFactory.instance;
        ObjectNode o = nf.objectNode();
        if (extra.has("@type")) o.set("@type", extra.get("@type"));
        o.put("type", type);
        o.put("data_type", dataType.jsonName());
        o.put("num_channels", numChannels);
        ArrayNode arr = o.putArray("scales");
        for (Scale s : scales) {
            ObjectNode so = arr.addObject();
            so.put("key", s.key());
            longs(so.putArray("size"), s.size());
            ArrayNode r = so.putArray("resolution");
            for (double d : s.resolution()) {
                if (d == Math.rint(d) && Math.abs(d) < 1e15) r.add((long) d);
                else r.add(d);
            }
            longs(so.putArray("voxel_offset"), s.voxelOffset());
            ArrayNode cs = so.putArray("chunk_sizes");
            for (long[] c : s.chunkSizes()) longs(cs.addArray(), c);
            so.put("encoding", s.encoding());
            if (s.blockSize() != null) longs(so.putArray("compressed_segmentation_block_size"), s.blockSize());
            if (s.jpegQuality() != null) so.put("jpeg_quality", s.jpegQuality());
            if (s.pngLevel() != null) so.put("png_level", s.pngLevel());
            if (s.isSharded()) so.set("sharding", s.sharding().node());
            so.setAll(s.extra().node());
        }
        extra.properties().forEach(e -> {
            if (!e.getKey().equals("@type")) o.set(e.getKey(), e.getValue());
        });
        return o;
    }

    /** The info as pretty-printed JSON. */
    public String toJson() {
        try {
            return Mapper.JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void longs(ArrayNode a, long[] v) {
        for (long x : v) a.add(x);
    }

    /** Start an info for a single-scale volume at offset 0, resolution 1 nm, one channel, raw. */
    public static InfoBuilder builder(DataType type, long[] size, long[] chunk) {
        return new InfoBuilder(type, size, chunk);
    }

    /** x·y·z, or Long.MAX_VALUE when it overflows (all factors ≥ 0). */
    static long saturatingProduct(long... v) {
        long p = 1;
        for (long x : v) {
            try {
                p = Math.multiplyExact(p, x);
            } catch (ArithmeticException overflow) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }

    /** A JSON fragment short enough for a one-line message. */
    private static String abbreviate(String s) {
        String t = oneLine(s);
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }

    /** The value of an integral JSON number that fits a long exactly (64.0 counts), else null. */
    private static Long exactLong(JsonNode e) {
        if (e == null || !e.isNumber()) return null;
        if (e.isIntegralNumber()) return e.canConvertToLong() ? e.longValue() : null;
        java.math.BigDecimal d = e.decimalValue();
        try {
            return d.longValueExact();
        } catch (ArithmeticException notAnInteger) {
            return null;
        }
    }

    /** Reads typed members, naming the field in errors ("expected X, found Y"). */
    private record Fields(String label, String prefix, String scale) {
        Fields(String label, String prefix) {
            this(label, prefix, "");
        }

        FormatException error(String field, String expected, String found) {
            return new FormatException(label + ": " + prefix + field + scale + ": expected " + expected + ", found " + found);
        }

        String text(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (n == null || !n.isTextual()) throw error(k, "a string", abbreviate(String.valueOf(n)));
            return n.asText();
        }

        long positive(ObjectNode o, String k) {
            Long v = exactLong(o.get(k));
            if (v == null || v < 1) throw error(k, "a positive integer within 64 bits", abbreviate(String.valueOf(o.get(k))));
            return v;
        }

        long range(ObjectNode o, String k, long lo, long hi) {
            Long v = exactLong(o.get(k));
            if (v == null || v < lo || v > hi) throw error(k, "an integer in " + lo + ".." + hi, abbreviate(String.valueOf(o.get(k))));
            return v;
        }

        long[] longs(ObjectNode o, String k, int len, boolean signed, long min) {
            return longArray(o.get(k), k, len, signed ? Long.MIN_VALUE : min);
        }

        long[] longArray(JsonNode n, String k, int len, long min) {
            if (!(n instanceof ArrayNode a) || a.size() != len) throw error(k, len + " integers", abbreviate(String.valueOf(n)));
            long[] out = new long[len];
            for (int i = 0; i < len; i++) {
                Long v = exactLong(a.get(i));
                if (v == null) throw error(k, len + " integers within 64 bits", abbreviate(String.valueOf(n)));
                out[i] = v;
                if (out[i] < min) throw error(k, "values ≥ " + min, abbreviate(String.valueOf(n)));
            }
            return out;
        }

        double[] doubles(ObjectNode o, String k) {
            JsonNode n = o.get(k);
            if (!(n instanceof ArrayNode a) || a.size() != 3) throw error(k, "3 numbers", abbreviate(String.valueOf(n)));
            double[] out = new double[3];
            for (int i = 0; i < 3; i++) {
                double d = a.get(i).asDouble();
                if (!a.get(i).isNumber() || !(d > 0) || !Double.isFinite(d)) throw error(k, "3 positive finite numbers", abbreviate(String.valueOf(n)));
                out[i] = a.get(i).asDouble();
            }
            return out;
        }
    }
}
