package org.bigarrays.zarr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.Blosc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24's interop, reading: every array Debian's python3-zarr (Zarr v2) and npm zarrita (Zarr
 * v3, sharded ones and OME-Zarr groups included) wrote opens through {@link BigArray#open} under
 * each URL form that names a local folder, and every voxel, read as the library's x, y, z, c,
 * equals the peer's manifest ({@link PeerArrayFormula}, C order over the stored dimensions),
 * fill regions included, NaN compared by its bits. Arrays the driver refuses are listed in
 * {@link #REFUSED} with the one-line message they must fail with.
 */
class ZarrInteropTest {
    @TempDir
    static Path tmp;
    private static Path v2;
    private static Path v3;
    private static JsonNode v2Manifest;
    private static JsonNode v3Manifest;

    /**
     * Peer arrays the driver refuses, by manifest path, with what the message must say: none now.
     * (Channels split across chunks, u2_blosc_lz4_4d_slash and ome/0, ome/1, were refused until
     * a library chunk read its channel chunks together, see ChannelGroups.)
     */
    private static final Map<String, String> REFUSED = Map.of();
    // ome/0, ome/1, ome_whole_channels/0 and /1 are read one by one as lone arrays, and as the groups' levels below.

    @BeforeAll
    static void write() {
        ZarrPeers peers = ZarrPeers.get();
        v2 = tmp.resolve("v2");
        v3 = tmp.resolve("v3");
        v2Manifest = peers.writeV2(v2);
        v3Manifest = peers.writeV3(v3);
    }

    @TestFactory
    Stream<DynamicTest> everyArrayPythonZarrWroteReadsVoxelForVoxel() {
        assertTrue(v2Manifest.get("arrays").size() >= 9, "arrays in the v2 manifest");
        return arrays(v2Manifest).map(a -> dynamicTest(a.get("path").asText(), () -> checkPeerArray(v2, a, "zarr2")));
    }

    @TestFactory
    Stream<DynamicTest> everyArrayZarritaWroteReadsVoxelForVoxel() {
        assertTrue(v3Manifest.get("arrays").size() >= 12, "arrays in the v3 manifest");
        return arrays(v3Manifest).map(a -> dynamicTest(a.get("path").asText(), () -> checkPeerArray(v3, a, "zarr3")));
    }

    /** The v2 and v3 manifests together cover what issue 24 lists: if a writer drops a case, this fails. */
    @Test
    void thePeerArraysCoverTheIssuesCases() {
        List<String> v2Seen = new ArrayList<>();
        for (JsonNode a : v2Manifest.get("arrays")) {
            v2Seen.add("order " + a.get("order").asText());
            v2Seen.add("compressor " + (a.get("compressor").isNull() ? "none" : a.at("/compressor/id").asText()));
            v2Seen.add("separator " + a.get("dimension_separator").asText());
            if (a.get("missing_chunks").size() > 0) v2Seen.add("missing chunks");
            if ("NaN".equals(a.get("fill_value").asText())) v2Seen.add("NaN fill");
        }
        for (String want : List.of("order C", "order F", "compressor gzip", "compressor zlib", "compressor zstd", "compressor blosc",
                "compressor lz4", "compressor none", "separator .", "separator /", "missing chunks", "NaN fill")) {
            assertTrue(v2Seen.contains(want), "python3-zarr arrays include " + want);
        }
        List<String> v3Seen = new ArrayList<>();
        for (JsonNode a : v3Manifest.get("arrays")) {
            collectCodecs(a.get("codecs"), v3Seen);
            if (a.has("sharding")) {
                v3Seen.add("index at " + a.at("/sharding/index_location").asText());
                if (a.get("missing_inner_chunks").size() > 0) v3Seen.add("missing inner chunks");
                if (a.get("missing_shards").size() > 0) v3Seen.add("missing shards");
            }
        }
        for (String want : List.of("bytes little", "bytes big", "gzip", "zstd", "blosc", "crc32c", "transpose", "sharding_indexed",
                "index at start", "index at end", "missing inner chunks", "missing shards")) {
            assertTrue(v3Seen.contains(want), "zarrita arrays include " + want + " (seen " + v3Seen + ")");
        }
    }

    private static void collectCodecs(JsonNode codecs, List<String> seen) {
        for (JsonNode c : codecs) {
            String name = c.get("name").asText();
            seen.add(name.equals("bytes") ? "bytes " + c.at("/configuration/endian").asText() : name);
            if (name.equals("sharding_indexed")) {
                collectCodecs(c.at("/configuration/codecs"), seen);
                collectCodecs(c.at("/configuration/index_codecs"), seen);
            }
        }
    }

    /**
     * The peer's OME-Zarr group whose chunks hold one channel each (the common OME-Zarr layout)
     * opens as a 2-mip layer, every voxel as the manifest says: a library chunk reads its two
     * channel chunks together.
     */
    @Test
    void zarritasOmeZarrGroupWithOneChannelPerChunkOpensVoxelForVoxel() {
        checkOmeGroup("ome_zarr");
    }

    /**
     * The peer's OME-Zarr group whose chunks hold both channels opens as a 2-mip layer: each
     * level's resolution (the OME scale, micrometres to nanometres), voxel offset (translation /
     * scale where integral, else 0), size, channels and every voxel as the manifest says.
     */
    @Test
    void zarritasOmeZarrGroupOpensWithBothLevelsVoxelForVoxel() {
        checkOmeGroup("ome_zarr_whole_channels");
    }

    private static void checkOmeGroup(String manifestKey) {
        JsonNode ome = v3Manifest.get(manifestKey);
        Path group = v3.resolve(ome.get("group").asText());
        List<String> forms = new ArrayList<>(urlForms(group, "zarr3"));
        for (String form : forms) {
            try (BigArray layer = BigArray.open(form)) {
                assertEquals("ome-zarr", layer.format(), form);
                assertEquals(2, layer.info().scales().size(), form + ": levels");
                for (int m = 0; m < 2; m++) {
                    String levelPath = ome.at("/levels/" + m).asText();
                    JsonNode a = arrays(v3Manifest).filter(e -> e.get("path").asText().equals(levelPath)).findFirst().orElseThrow();
                    BigArray level = layer.mip(m);
                    String what = form + " mip " + m;
                    JsonNode scale = ome.at("/scales/" + m);
                    JsonNode translation = ome.get("translation");
                    double[] resolution = new double[3];
                    long[] offset = new long[3];
                    for (int axis = 0; axis < 3; axis++) {
                        int d = 3 - axis; // stored (c, z, y, x)
                        resolution[axis] = scale.get(d).asDouble() * 1000;
                        double o = translation.get(d).asDouble() / scale.get(d).asDouble();
                        offset[axis] = Math.abs(o - Math.rint(o)) < 1e-6 ? Math.round(o) : 0;
                    }
                    assertArrayEquals(resolution, level.info().scale(m).resolution(), 1e-9, what + ": resolution (nm)");
                    assertArrayEquals(offset, level.bounds().min(), what + ": voxel offset");
                    long[] stored = longs(a.get("shape"));
                    long[] lib = {stored[3], stored[2], stored[1], stored[0]};
                    assertArrayEquals(new long[] {lib[0], lib[1], lib[2]}, level.bounds().shape(), what + ": size");
                    assertEquals(2, level.channels(), what + ": channels");
                    PeerArrayFormula f = PeerArrayFormula.of(a);
                    AxisMapping mapping = AxisMapping.of(stored, names(a), levelPath);
                    assertSameVoxels(libraryOrder(f, mapping, lib, new long[4], lib), bytesOf(level.read(level.bounds())), lib, f.bytesPerValue(), what);
                }
            }
        }
    }

    /**
     * What a listing finds (the basis of verify, transcode and sparse reads): every chunk a peer
     * wrote, whatever its key encoding (v2 "." and "/", v3 default and v2 keys), as library cells;
     * no missing chunk, missing inner chunk or chunk of a missing shard; nothing reported bad.
     */
    @Test
    void storedChunksListExactlyWhatThePeersWrote() {
        List<String> checked = new ArrayList<>();
        for (JsonNode manifest : List.of(v2Manifest, v3Manifest)) {
            Path root = manifest == v2Manifest ? v2 : v3;
            for (JsonNode a : (Iterable<JsonNode>) arrays(manifest)::iterator) {
                String path = a.get("path").asText();
                if (REFUSED.containsKey(path)) continue;
                long[] shape = longs(a.get("shape"));
                int rank = shape.length;
                long[] inner = longs(a.has("sharding") ? a.at("/sharding/chunk_shape") : a.has("chunks") ? a.get("chunks") : a.get("chunk_shape"));
                long[] shardShape = a.has("sharding") ? longs(a.get("chunk_shape")) : inner;
                java.util.Set<String> missing = new java.util.HashSet<>();
                for (JsonNode m : a.has("sharding") ? a.get("missing_inner_chunks") : a.get("missing_chunks")) missing.add(m.toString().replace(" ", ""));
                long[] counts = new long[rank];
                for (int d = 0; d < rank; d++) counts[d] = (shape[d] + inner[d] - 1) / inner[d];
                try (BigArray b = BigArray.open(root.resolve(path).toString())) {
                    var stored = b.storedChunks();
                    assertTrue(stored.badKeys().isEmpty(), path + ": bad keys " + stored.badKeys());
                    long present = 0;
                    java.util.Map<String, Boolean> anyStored = new java.util.LinkedHashMap<>();
                    long[] c = new long[rank];
                    for (long i = 0; i < java.util.Arrays.stream(counts).reduce(1, (x, y) -> x * y); i++) {
                        long rest = i;
                        for (int d = rank - 1; d >= 0; d--) {
                            c[d] = rest % counts[d];
                            rest /= counts[d];
                        }
                        boolean gone = missing.contains(java.util.Arrays.toString(c).replace(" ", ""));
                        if (a.has("sharding")) {
                            for (JsonNode s : a.get("missing_shards")) {
                                boolean inside = true;
                                for (int d = 0; d < rank; d++) inside &= c[d] * inner[d] / shardShape[d] == s.get(d).asLong();
                                gone |= inside;
                            }
                        }
                        long[] cell = {rank > 0 ? c[rank - 1] : 0, rank > 1 ? c[rank - 2] : 0, rank > 2 ? c[rank - 3] : 0};
                        // A library chunk holds every channel: it is stored when any of its channel chunks is.
                        anyStored.merge(java.util.Arrays.toString(cell), !gone, Boolean::logicalOr);
                    }
                    for (var e : anyStored.entrySet()) {
                        long[] cell = java.util.Arrays.stream(e.getKey().replaceAll("[\\[\\] ]", "").split(",")).mapToLong(Long::parseLong).toArray();
                        assertEquals(e.getValue(), stored.contains(cell), path + ": stored cell " + e.getKey());
                        if (e.getValue()) present++;
                    }
                    assertEquals(present, stored.count(), path + ": stored chunk count");
                    checked.add(path);
                }
            }
        }
        assertEquals(v2Manifest.get("arrays").size() + v3Manifest.get("arrays").size() - REFUSED.size(), checked.size(), "arrays listed: " + checked);
    }

    /** The peers' root folders are groups, not arrays: opening one says so, and where the arrays are. */
    @Test
    void openingAPeersRootGroupSaysItIsAGroup() {
        for (Path root : List.of(v2, v3)) {
            String form = "file://" + root + "/";
            FormatException e = assertThrows(FormatException.class, () -> BigArray.open(form).close(), form);
            assertOneLine(e.getMessage(), form);
            String want = root == v2 ? form + ".zgroup is a Zarr v2 group: open one of its arrays (" + form + "<name>/)"
                    : form + "zarr.json is a Zarr group without OME-Zarr multiscales: open one of its arrays (" + form + "<name>/)";
            assertEquals(want, e.getMessage(), form);
        }
    }

    // ---- one peer array

    private static Stream<JsonNode> arrays(JsonNode manifest) {
        return StreamSupport.stream(manifest.get("arrays").spliterator(), false);
    }

    /** The URL forms of a local folder: plain path, file:// with and without a trailing slash, and the format prefixes. */
    private static List<String> urlForms(Path dir, String format) {
        String p = dir.toAbsolutePath().toString();
        return List.of(p, "file://" + p, "file://" + p + "/", format + "://" + p, format + "://file://" + p + "/", "zarr://file://" + p);
    }

    private static void checkPeerArray(Path root, JsonNode a, String format) {
        String path = a.get("path").asText();
        Path dir = root.resolve(path);
        if (REFUSED.containsKey(path)) {
            for (String form : urlForms(dir, format)) {
                FormatException e = assertThrows(FormatException.class, () -> BigArray.open(form).close(), form);
                assertOneLine(e.getMessage(), form);
                assertTrue(e.getMessage().contains(REFUSED.get(path)), form + ": " + e.getMessage());
            }
            return;
        }
        if (usesBlosc(a) && !Blosc.available()) {
            // With BIGARRAYS_NATIVE=0 blosc (which has no pure-Java twin) is off: reads say so, on one line.
            for (String form : urlForms(dir, format)) {
                try (BigArray b = BigArray.open(form)) {
                    FormatException e = assertThrows(FormatException.class, () -> b.read(b.bounds()), form);
                    assertOneLine(e.getMessage(), form);
                    assertTrue(e.getMessage().contains(BLOSC_OFF), form + ": " + e.getMessage());
                }
            }
            return;
        }
        PeerArrayFormula f = PeerArrayFormula.of(a);
        long[] stored = longs(a.get("shape"));
        int rank = stored.length;
        // Every peer array stores (c,) z, y, x, named or not: library axis i is stored dimension rank-1-i.
        AxisMapping mapping = AxisMapping.of(stored, names(a), path);
        long[] lib = {1, 1, 1, 1};
        for (int axis = 0; axis < 4; axis++) {
            assertEquals(axis < rank ? rank - 1 - axis : -1, mapping.storedDimension(axis), path + ": stored dimension of library axis " + axis);
            if (axis < rank) lib[axis] = stored[rank - 1 - axis];
        }
        byte[] expected = libraryOrder(f, mapping, lib, new long[4], lib);
        String type = a.has("data_type") ? a.get("data_type").asText() : PeerArrayFormula.numpyToV3(a.get("dtype").asText());
        for (String form : urlForms(dir, format)) {
            try (BigArray b = BigArray.open(form)) {
                String what = path + " as " + form;
                assertEquals(format, b.format(), what);
                assertEquals(type, b.dataType().jsonName(), what);
                assertArrayEquals(new long[] {lib[0], lib[1], lib[2]}, b.bounds().shape(), what + ": size [x, y, z]");
                assertArrayEquals(new long[3], b.bounds().min(), what + ": origin");
                assertEquals(lib[3], b.channels(), what + ": channels");
                assertSameVoxels(expected, bytesOf(b.read(b.bounds())), lib, f.bytesPerValue(), what);
            }
        }
        try (BigArray b = BigArray.open(dir.toString())) {
            // A box across chunk edges, starting and ending inside chunks.
            long[] min = {Math.min(3, lib[0] - 1), Math.min(5, lib[1] - 1), Math.min(2, lib[2] - 1), 0};
            long[] max = {lib[0] - Math.min(2, lib[0] - 1 - min[0]), lib[1] - Math.min(1, lib[1] - 1 - min[1]), lib[2], lib[3]};
            long[] shape = new long[4];
            for (int i = 0; i < 4; i++) shape[i] = max[i] - min[i];
            assertSameVoxels(libraryOrder(f, mapping, lib, min, shape),
                    bytesOf(b.read(Box.of(new long[] {min[0], min[1], min[2]}, new long[] {max[0], max[1], max[2]}))), shape, f.bytesPerValue(),
                    path + " box " + java.util.Arrays.toString(min) + ".." + java.util.Arrays.toString(max));
            // Each fill region (a missing chunk, inner chunk or shard) on its own reads as the fill value.
            long fill = f.bitsOf(a.get("fill_value"));
            JsonNode regions = a.get("fill_regions");
            assertEquals(a.has("sharding") ? a.get("missing_inner_chunks").size() + a.get("missing_shards").size()
                    : a.get("missing_chunks").size(), regions.size(), path + ": fill regions");
            for (JsonNode r : regions) {
                long[] from = mapping.toLibrary(longs(r.get(0)), 0);
                long[] to = mapping.toLibrary(longs(r.get(1)), 1);
                long[] rs = {to[0] - from[0], to[1] - from[1], to[2] - from[2], lib[3]};
                long n = rs[0] * rs[1] * rs[2] * rs[3];
                // The region's channels hold the fill value; where channels are split over chunks the
                // others of the box keep the peer's values (library order: channel slowest).
                byte[] want = libraryOrder(f, mapping, lib, new long[] {from[0], from[1], from[2], 0}, rs);
                long plane = rs[0] * rs[1] * rs[2] * f.bytesPerValue();
                ByteBuffer fillBytes = ByteBuffer.allocate(Math.toIntExact(plane)).order(ByteOrder.nativeOrder());
                for (long i = 0; i < rs[0] * rs[1] * rs[2]; i++) put(fillBytes, fill, f.bytesPerValue());
                long cFrom = mapping.storedDimension(AxisMapping.C) < 0 ? 0 : from[3];
                long cTo = mapping.storedDimension(AxisMapping.C) < 0 ? lib[3] : Math.min(to[3], lib[3]);
                for (long c = cFrom; c < cTo; c++) System.arraycopy(fillBytes.array(), 0, want, Math.toIntExact(c * plane), Math.toIntExact(plane));
                assertSameVoxels(want, bytesOf(b.read(Box.of(new long[] {from[0], from[1], from[2]}, new long[] {to[0], to[1], to[2]}))),
                        rs, f.bytesPerValue(), path + " fill region " + r);
            }
        }
    }

    /** What a read of a blosc array says when the native blosc library is off. */
    static final String BLOSC_OFF = "blosc needs the native library libblosc.so.1, which is disabled (BIGARRAYS_NATIVE)";

    /** Whether a peer array's compressor (v2) or any of its codecs, inner and index codecs included (v3), is blosc. */
    static boolean usesBlosc(JsonNode a) {
        if (a.has("compressor")) return "blosc".equals(a.at("/compressor/id").asText());
        return a.get("codecs").toString().contains("\"name\":\"blosc\"");
    }

    static void assertOneLine(String message, String what) {
        assertFalse(message == null || message.isBlank(), what + ": a message");
        assertFalse(message.contains("\n"), what + ": one line: " + message);
    }

    private static List<String> names(JsonNode a) {
        if (!a.has("dimension_names")) return null;
        List<String> out = new ArrayList<>();
        a.get("dimension_names").forEach(n -> out.add(n.isNull() ? null : n.asText()));
        return out;
    }

    /**
     * The formula's values over the library box {@code [min, min + shape)} (x fastest, then y, z,
     * c), each voxel taken from the stored index the mapping gives it, in native byte order (as
     * the library's views hold them).
     */
    static byte[] libraryOrder(PeerArrayFormula f, AxisMapping mapping, long[] lib, long[] min, long[] shape) {
        int bytes = f.bytesPerValue();
        long n = shape[0] * shape[1] * shape[2] * shape[3];
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(n * bytes)).order(ByteOrder.nativeOrder());
        int[] index = new int[mapping.rank()];
        long[] at = new long[4];
        for (at[3] = min[3]; at[3] < min[3] + shape[3]; at[3]++) {
            for (at[2] = min[2]; at[2] < min[2] + shape[2]; at[2]++) {
                for (at[1] = min[1]; at[1] < min[1] + shape[1]; at[1]++) {
                    for (at[0] = min[0]; at[0] < min[0] + shape[0]; at[0]++) {
                        for (int d = 0; d < index.length; d++) {
                            int axis = mapping.libraryAxis(d);
                            index[d] = axis < 0 ? 0 : Math.toIntExact(at[axis]);
                        }
                        put(out, f.bitsAt(index), bytes);
                    }
                }
            }
        }
        return out.array();
    }

    private static void put(ByteBuffer out, long bits, int bytes) {
        switch (bytes) {
            case 1 -> out.put((byte) bits);
            case 2 -> out.putShort((short) bits);
            case 4 -> out.putInt((int) bits);
            default -> out.putLong(bits);
        }
    }

    static byte[] bytesOf(NdView v) {
        return v.toSegment(Arena.ofAuto()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Byte-equal views of {@code shape} ({@code [x, y, z, c]}); on failure, how many voxels differ and the first. */
    static void assertSameVoxels(byte[] expected, byte[] read, long[] shape, int bytes, String what) {
        assertEquals(expected.length, read.length, what + ": bytes read");
        if (java.util.Arrays.equals(expected, read)) return;
        long differ = 0;
        long first = -1;
        for (long v = 0; v < expected.length / bytes; v++) {
            int at = Math.toIntExact(v * bytes);
            if (!java.util.Arrays.equals(expected, at, at + bytes, read, at, at + bytes)) {
                differ++;
                if (first < 0) first = v;
            }
        }
        long x = first % shape[0], y = first / shape[0] % shape[1], z = first / (shape[0] * shape[1]) % shape[2], c = first / (shape[0] * shape[1] * shape[2]);
        int at = Math.toIntExact(first * bytes);
        fail(what + ": " + differ + " of " + expected.length / bytes + " voxels differ; first at (x, y, z, c) = (" + x + ", " + y + ", " + z + ", " + c
                + ") of the box: expected " + hex(expected, at, bytes) + ", read " + hex(read, at, bytes));
    }

    private static String hex(byte[] b, int at, int n) {
        return java.util.HexFormat.of().formatHex(b, at, at + n);
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
        return out;
    }
}
