package org.bigarrays.sharding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;

/**
 * A scale's {@code neuroglancer_uint64_sharded_v1} sharding parameters: how a chunk id maps to
 * a shard file and a minishard within it, and how indexes and chunk data are encoded.
 *
 * @param preshiftBits low id bits dropped before hashing, [0, 64]
 * @param hash the hash of the shifted id
 * @param minishardBits minishards per shard = 2^minishardBits, [0, 32]
 * @param shardBits shards = 2^shardBits, [0, 64 - minishardBits]
 * @param minishardIndexEncoding the bytes stage of minishard indexes: {@link Compression#NONE}
 *     ({@code "raw"}) or {@link Compression#GZIP}
 * @param dataEncoding the bytes stage of chunk data: {@link Compression#NONE} ({@code "raw"}) or
 *     {@link Compression#GZIP}
 */
public record ShardingSpec(int preshiftBits, Hash hash, int minishardBits, int shardBits,
                           Compression minishardIndexEncoding, Compression dataEncoding) {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public static final String TYPE = "neuroglancer_uint64_sharded_v1";

    /** The hash applied to {@code id >> preshift_bits}. */
    public enum Hash {
        IDENTITY("identity"),
        MURMURHASH3_X86_128("murmurhash3_x86_128");

        private final String json;

        Hash(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }

        public long apply(long x) {
            return this == IDENTITY ? x : MurmurHash3.hash64(x);
        }
    }

    /** The encodings of minishard indexes and chunk data inside a shard: {@code raw} and {@code gzip}. */
    public static final List<Compression> ENCODINGS = List.of(Compression.NONE, Compression.GZIP);

    public ShardingSpec {
        if (hash == null || minishardIndexEncoding == null || dataEncoding == null) throw new InvalidInputException("sharding: hash and encodings must be set");
        if (!ENCODINGS.contains(minishardIndexEncoding) || !ENCODINGS.contains(dataEncoding)) {
            throw new InvalidInputException("sharding: encodings must be raw or gzip, found " + encodingName(minishardIndexEncoding) + " and " + encodingName(dataEncoding));
        }
        if (preshiftBits < 0 || preshiftBits > 64) throw new InvalidInputException("sharding: preshift_bits must be in [0, 64], found " + preshiftBits);
        if (minishardBits < 0 || minishardBits > 32) throw new InvalidInputException("sharding: minishard_bits must be in [0, 32], found " + minishardBits);
        if (shardBits < 0 || shardBits > 64 - minishardBits) {
            throw new InvalidInputException("sharding: shard_bits must be in [0, " + (64 - minishardBits) + "] (64 - minishard_bits), found " + shardBits);
        }
    }

    /**
     * Parse the {@code sharding} member of a scale.
     * @param where what is parsed, for messages (e.g. "info scales[0].sharding")
     * @throws FormatException naming the member that is missing or out of range
     */
    /**
     * Parse a {@code sharding} JSON object's text; {@code where} opens every error message.
     * @throws FormatException when it is not valid JSON or not a valid spec
     */
    public static ShardingSpec parse(String json, String where) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(where + ": sharding is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        return parse(tree, where);
    }

    static ShardingSpec parse(JsonNode json, String where) {
        if (json == null || !json.isObject()) throw new FormatException(where + ": sharding must be a JSON object, found " + json);
        JsonNode type = json.get("@type");
        if (type == null || !type.isTextual() || !TYPE.equals(type.asText())) {
            throw new FormatException(where + ": \"@type\" must be \"" + TYPE + "\", found " + type);
        }
        int preshift = bits(json, "preshift_bits", 0, 64, where);
        int minishard = bits(json, "minishard_bits", 0, 32, where);
        int shard = bits(json, "shard_bits", 0, 64 - minishard, where);
        JsonNode h = json.get("hash");
        Hash hash = null;
        if (h != null && h.isTextual()) {
            for (Hash c : Hash.values()) if (c.json.equals(h.asText())) hash = c;
        }
        if (hash == null) throw new FormatException(where + ": \"hash\" must be \"identity\" or \"murmurhash3_x86_128\", found " + h);
        return new ShardingSpec(preshift, hash, minishard, shard, encoding(json, "minishard_index_encoding", where),
                encoding(json, "data_encoding", where));
    }

    private static int bits(JsonNode json, String name, int min, int max, String where) {
        JsonNode n = json.get(name);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw new FormatException(where + ": \"" + name + "\" must be an integer in [" + min + ", " + max + "], found " + n);
        }
        return n.asInt();
    }

    private static Compression encoding(JsonNode json, String name, String where) {
        JsonNode n = json.get(name);
        if (n == null || n.isNull()) return Compression.NONE;
        if (n.isTextual()) {
            for (Compression e : ENCODINGS) if (encodingName(e).equals(n.asText())) return e;
        }
        throw new FormatException(where + ": \"" + name + "\" must be \"raw\" or \"gzip\", found " + n);
    }

    /** The JSON name of a shard encoding ({@link #ENCODINGS}): {@code raw} for none, {@code gzip}. */
    public static String encodingName(Compression e) {
        return e == Compression.NONE ? "raw" : e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parse the CLI form {@code preshift,minishard,shard[,hash]} (hash: identity or murmurhash3_x86_128,
     * default identity); minishard indexes and data are gzip, as CloudVolume and Igneous write them.
     * @throws InvalidInputException on a malformed string
     */
    public static ShardingSpec parseCli(String text) {
        String[] p = text.trim().split(",");
        if (p.length < 3 || p.length > 4) {
            throw new InvalidInputException("--sharding '" + text + "': expected preshift,minishard,shard[,hash], e.g. 9,6,8,identity");
        }
        int[] v = new int[3];
        String[] names = {"preshift_bits", "minishard_bits", "shard_bits"};
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--sharding '" + text + "': " + names[i] + " '" + p[i] + "' is not an integer");
            }
        }
        Hash hash = Hash.IDENTITY;
        if (p.length == 4) {
            String h = p[3].trim().toLowerCase(Locale.ROOT);
            hash = switch (h) {
                case "identity" -> Hash.IDENTITY;
                case "murmurhash3_x86_128", "murmur", "murmurhash3" -> Hash.MURMURHASH3_X86_128;
                default -> throw new InvalidInputException("--sharding '" + text + "': hash '" + p[3] + "' must be identity or murmurhash3_x86_128");
            };
        }
        return new ShardingSpec(v[0], hash, v[1], v[2], Compression.GZIP, Compression.GZIP);
    }

    /** The JSON text of a scale's {@code sharding} member. */
    public String toJsonText() {
        return toJson().toString();
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("@type", TYPE);
        o.put("preshift_bits", preshiftBits);
        o.put("hash", hash.json);
        o.put("minishard_bits", minishardBits);
        o.put("shard_bits", shardBits);
        o.put("minishard_index_encoding", encodingName(minishardIndexEncoding));
        o.put("data_encoding", encodingName(dataEncoding));
        return o;
    }

    /** The hash of a chunk id (after the preshift). */
    public long hashOf(long chunkId) {
        return hash.apply(preshiftBits == 64 ? 0 : chunkId >>> preshiftBits);
    }

    /** The minishard of a chunk id within its shard. */
    public int minishardOf(long chunkId) {
        return (int) (hashOf(chunkId) & mask(minishardBits));
    }

    /** The shard number of a chunk id. */
    public long shardOf(long chunkId) {
        long h = hashOf(chunkId);
        return minishardBits == 64 ? 0 : (h >>> minishardBits) & mask(shardBits);
    }

    /** The shard's file name: lowercase hex zero-padded to ceil(shard_bits / 4) digits, then ".shard". */
    public String shardFileName(long shard) {
        int digits = (shardBits + 3) / 4;
        String hex = Long.toHexString(shard);
        return "0".repeat(Math.max(0, digits - hex.length())) + hex + ".shard";
    }

    /** Minishards per shard. */
    public long minishardCount() {
        return 1L << minishardBits;
    }

    /** Bytes of the shard index at the start of each shard file (16 per minishard). */
    public long shardIndexSize() {
        return 16L << minishardBits;
    }

    /**
     * The shape, in chunks, of the box every shard covers when shards are spatial blocks of the
     * grid: identity hash and {@code preshift + minishard + shard bits ≥} the grid's Morton bits,
     * so each shard is the aligned run of {@code 2^(preshift + minishard)} consecutive ids. Shards
     * at the upper edge are truncated by the volume. Null when shards are not blocks (murmur hash,
     * or too few bits), in which case only a box covering the whole volume covers whole shards.
     * Writers (e.g. transcode) iterate over boxes of this shape.
     */
    public long[] shardShapeInChunks(long[] gridShape) {
        return blockShape(gridShape, preshiftBits + minishardBits, true);
    }

    /** Like {@link #shardShapeInChunks}, for the chunks of one minishard ({@code 2^preshift} ids). */
    public long[] minishardShapeInChunks(long[] gridShape) {
        return blockShape(gridShape, preshiftBits, true);
    }

    private long[] blockShape(long[] gridShape, int lowBits, boolean needAllBits) {
        int[] bits = CompressedMorton.bits(gridShape);
        int total = 0;
        for (int b : bits) total += b;
        if (hash != Hash.IDENTITY || (needAllBits && preshiftBits + minishardBits + shardBits < total)) return null;
        // The first lowBits interleaved bits (LSB first, x, y, z in turn) span the block.
        long[] shape = new long[gridShape.length];
        java.util.Arrays.fill(shape, 1);
        int taken = 0;
        for (int i = 0; taken < Math.min(lowBits, total); i++) {
            for (int d = 0; d < bits.length && taken < Math.min(lowBits, total); d++) {
                if (i < bits[d]) {
                    shape[d] <<= 1;
                    taken++;
                }
            }
        }
        return shape;
    }

    private static long mask(int bits) {
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }
}
