package org.bigarrays.bench.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bigarrays.core.Box;

/**
 * The stored chunks of a Zarr v3 array that a box overlaps, read straight from the files without
 * the library: the bare decoder's input for the harness's Zarr limit. Unsharded: each chunk
 * file's bytes (the compressor's output). {@code sharding_indexed}: the inner chunks' byte ranges,
 * found through the shard's index (at the end of the shard, {@code bytes} little-endian offset and
 * length per inner chunk, then a crc32c, as the library writes it). Handles the layouts the
 * library writes: {@code default} or {@code v2} chunk keys, dimensions named x, y, z (and c).
 */
final class ZarrChunks {
    private ZarrChunks() {}

    /**
     * One stored chunk per overlapped (inner) chunk, each in its own off-heap segment.
     * @throws IllegalStateException when one is missing: the harness's volume stores every chunk, so a
     *     missing one means the keys or the index were read wrong
     */
    static List<MemorySegment> overlapping(Path dir, Box box) throws IOException {
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("zarr.json").toFile());
        JsonNode names = meta.get("dimension_names");
        int n = meta.get("shape").size();
        long[] outer = longs(meta.get("chunk_grid").get("configuration").get("chunk_shape"));
        JsonNode sharding = null;
        for (JsonNode c : meta.get("codecs")) {
            if (c.get("name").asText().equals("sharding_indexed")) sharding = c.get("configuration");
        }
        long[] inner = sharding == null ? outer : longs(sharding.get("chunk_shape"));
        if (sharding != null && !sharding.path("index_location").asText("end").equals("end")) {
            throw new IllegalStateException("ZarrChunks reads shards with the index at the end only");
        }
        // The box in stored dimension order (the library's x, y, z map to the stored names).
        long[] lo = new long[n], hi = new long[n];
        for (int d = 0; d < n; d++) {
            String name = names.get(d).asText();
            int lib = switch (name) {
                case "x" -> 0;
                case "y" -> 1;
                case "z" -> 2;
                default -> -1; // channels: one here
            };
            lo[d] = lib < 0 ? 0 : box.min(lib);
            hi[d] = lib < 0 ? 1 : box.max(lib);
        }
        JsonNode keyEnc = meta.get("chunk_key_encoding");
        boolean v2 = keyEnc.get("name").asText().equals("v2");
        String sep = keyEnc.path("configuration").path("separator").asText(v2 ? "." : "/");
        List<MemorySegment> out = new ArrayList<>();
        long[] first = new long[n], last = new long[n], at = new long[n];
        for (int d = 0; d < n; d++) {
            first[d] = lo[d] / inner[d];
            last[d] = (hi[d] - 1) / inner[d];
        }
        System.arraycopy(first, 0, at, 0, n);
        Map<String, MemorySegment> shards = new HashMap<>(); // each shard file read once
        while (true) {
            long[] file = new long[n];
            for (int d = 0; d < n; d++) file[d] = at[d] * inner[d] / outer[d];
            String key = key(file, v2, sep);
            Path f = dir.resolve(key);
            if (sharding == null) {
                if (!Files.exists(f)) throw new IllegalStateException("no chunk file " + f);
                out.add(copy(Files.readAllBytes(f)));
            } else {
                if (!Files.exists(f)) throw new IllegalStateException("no shard file " + f);
                MemorySegment shard = shards.computeIfAbsent(key, k -> read(f));
                // Row-major index of the inner chunk inside its shard (C order over stored dimensions).
                long i = 0, entries = 1;
                for (int d = 0; d < n; d++) {
                    long per = outer[d] / inner[d];
                    i = i * per + at[d] % per;
                    entries *= per;
                }
                long indexStart = shard.byteSize() - entries * 16 - 4;
                long off = shard.get(ValueLayout.JAVA_LONG_UNALIGNED, indexStart + 16 * i);
                long len = shard.get(ValueLayout.JAVA_LONG_UNALIGNED, indexStart + 16 * i + 8);
                if (off == -1 && len == -1) throw new IllegalStateException("inner chunk " + i + " missing in " + f);
                out.add(Arena.ofAuto().allocate(len, 64).copyFrom(shard.asSlice(off, len)));
            }
            int d = n - 1;
            while (d >= 0 && at[d] == last[d]) {
                at[d] = first[d];
                d--;
            }
            if (d < 0) return out;
            at[d]++;
        }
    }

    private static String key(long[] pos, boolean v2, String sep) {
        StringBuilder sb = new StringBuilder(v2 ? "" : "c" + sep);
        for (int d = 0; d < pos.length; d++) sb.append(d > 0 ? sep : "").append(pos[d]);
        return sb.toString();
    }

    private static MemorySegment read(Path f) {
        try {
            return MemorySegment.ofArray(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static MemorySegment copy(byte[] b) {
        return Arena.ofAuto().allocate(b.length, 64).copyFrom(MemorySegment.ofArray(b));
    }

    private static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asLong();
        return r;
    }
}
