package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteOrder;
import org.bigarrays.FormatException;

/**
 * A Zarr v2 array's chunk format as the v3 codecs that decode it: {@code transpose} for
 * {@code order: "F"}, {@code bytes} with the dtype's byte order, then the numcodecs compressor
 * mapped to its v3 equivalent (gzip, zstd, blosc) or to the v2-only stages the pipeline reads
 * ({@code numcodecs.zlib}, {@code numcodecs.lz4}). Reading only.
 */
final class V2Codecs {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private V2Codecs() {}

    static ArrayNode of(ZarrV2ArrayMetadata m) {
        ArrayNode codecs = NODES.arrayNode();
        int rank = m.rank();
        if (m.fortranOrder() && rank > 1) {
            ArrayNode order = NODES.arrayNode();
            for (int d = rank - 1; d >= 0; d--) order.add(d);
            ObjectNode t = codecs.addObject();
            t.put("name", "transpose");
            t.putObject("configuration").set("order", order);
        }
        ObjectNode bytes = codecs.addObject();
        bytes.put("name", "bytes");
        if (m.dtype().dataType().size() > 1) {
            bytes.putObject("configuration").put("endian", m.dtype().byteOrder() == ByteOrder.BIG_ENDIAN ? "big" : "little");
        }
        ObjectNode c = m.compressor();
        if (c == null) return codecs;
        String id = c.path("id").asText("");
        ObjectNode v3 = codecs.addObject();
        ObjectNode conf = NODES.objectNode();
        switch (id) {
            case "gzip" -> {
                v3.put("name", "gzip");
                conf.put("level", c.path("level").asInt(5));
            }
            case "zlib" -> {
                v3.put("name", "numcodecs.zlib");
                conf.put("level", c.path("level").asInt(1));
            }
            case "zstd" -> {
                v3.put("name", "zstd");
                conf.put("level", c.path("level").asInt(1));
                conf.put("checksum", c.path("checksum").asBoolean(false));
            }
            case "lz4" -> {
                v3.put("name", "numcodecs.lz4");
                conf.put("acceleration", c.path("acceleration").asInt(1));
            }
            case "blosc" -> {
                v3.put("name", "blosc");
                conf.put("cname", c.path("cname").asText("lz4"));
                conf.put("clevel", c.path("clevel").asInt(5));
                int shuffle = c.path("shuffle").asInt(1);
                int typesize = m.dtype().dataType().size();
                // numcodecs' -1 (AUTOSHUFFLE) is bit shuffle for one-byte types, byte shuffle otherwise.
                conf.put("shuffle", switch (shuffle) {
                    case 0 -> "noshuffle";
                    case 1 -> "shuffle";
                    case 2 -> "bitshuffle";
                    case -1 -> typesize == 1 ? "bitshuffle" : "shuffle";
                    default -> throw new FormatException(".zarray: compressor.shuffle: expected -1, 0, 1 or 2, found " + shuffle);
                });
                conf.put("typesize", typesize);
                conf.put("blocksize", c.path("blocksize").asInt(0));
            }
            default -> throw new FormatException(".zarray: compressor.id: expected gzip, zlib, zstd, lz4 or blosc, found '" + id + "'");
        }
        v3.set("configuration", conf);
        return codecs;
    }

    /** For messages. */
    static String describe(JsonNode codecs) {
        return codecs.toString();
    }
}
