package org.bigarrays.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;

/**
 * What {@code info} prints for a Zarr scale: its stored axes and codecs as its metadata
 * ({@code zarr.json}, or a v2 array's {@code .zarray}) states them, e.g.
 * {@code sharding_indexed (shards 16,64,64; inner: bytes little, zstd level 3; index: bytes little, crc32c at end)}.
 */
final class ZarrCodecsText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZarrCodecsText() {}

    /** The lines for scale {@code mip} of Zarr layer {@code a}, each starting with two spaces and a label. */
    static String describe(BigArray a, int mip) {
        String dir = a.format().equals("ome-zarr") ? a.info().scale(mip).key() + "/" : ""; // OME-Zarr: a dataset's path is its scale key
        boolean v2 = a.format().equals("zarr2");
        String key = dir + (v2 ? ".zarray" : "zarr.json");
        JsonNode m = read(a.context().store(a.uri()), key);
        StringBuilder s = new StringBuilder();
        JsonNode names = m.get("dimension_names");
        s.append(String.format(java.util.Locale.ROOT, "  stored       %s shape %s%s%n", key, csv(m.get("shape")), names != null && names.isArray() ? ", dimensions " + csv(names) : ""));
        if (v2) {
            JsonNode c = m.get("compressor");
            s.append(String.format(java.util.Locale.ROOT, "  codecs       order %s, compressor %s%s%n", m.path("order").asText("C"), c == null || c.isNull() ? "none" : c.path("id").asText() + level(c),
                    m.get("filters") == null || m.get("filters").isNull() ? "" : ", filters " + m.get("filters")));
        } else {
            s.append(String.format(java.util.Locale.ROOT, "  codecs       %s%n", codecs(m.get("codecs"))));
        }
        return s.toString();
    }

    private static JsonNode read(KeyValueStore store, String key) {
        try (ReadResult r = store.read(key)) {
            if (!r.found()) throw new FormatException(store.uri() + key + " is gone");
            return JSON.readTree(new String(r.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FormatException(store.uri() + key + ": " + e.getMessage(), e);
        }
    }

    /** A v3 codec list, one phrase per codec, comma-separated. */
    static String codecs(JsonNode list) {
        if (list == null || !list.isArray()) return "?";
        StringBuilder s = new StringBuilder();
        for (JsonNode c : list) {
            if (!s.isEmpty()) s.append(", ");
            s.append(codec(c));
        }
        return s.toString();
    }

    private static String codec(JsonNode c) {
        String name = c.path("name").asText("?");
        JsonNode k = c.path("configuration");
        return switch (name) {
            case "bytes" -> k.has("endian") ? "bytes " + k.get("endian").asText() : "bytes";
            case "transpose" -> "transpose " + csv(k.get("order"));
            case "gzip", "zstd" -> name + level(k);
            case "blosc" -> "blosc " + k.path("cname").asText("?") + level(k.has("clevel") ? JSON.createObjectNode().put("level", k.get("clevel").asInt()) : k);
            case "sharding_indexed" -> "sharding_indexed (inner chunks " + csv(k.get("chunk_shape")) + ": " + codecs(k.get("codecs")) + "; index: "
                    + codecs(k.get("index_codecs")) + " at " + k.path("index_location").asText("end") + ")";
            default -> name;
        };
    }

    private static String level(JsonNode k) {
        return k.has("level") ? " level " + k.get("level").asText() : "";
    }

    private static String csv(JsonNode a) {
        if (a == null || !a.isArray()) return "?";
        StringBuilder s = new StringBuilder();
        for (JsonNode v : a) s.append(s.isEmpty() ? "" : ",").append(v.asText());
        return s.toString();
    }
}
