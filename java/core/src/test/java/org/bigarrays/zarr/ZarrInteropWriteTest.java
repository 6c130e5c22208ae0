package org.bigarrays.zarr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigarrays.FormatException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.Blosc;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingPlanner;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24's interop, writing: what the library writes as Zarr v3 (unsharded with each
 * compressor, {@code sharding_indexed}, two channels) and as OME-Zarr (two levels written, and a
 * pyramid built by {@link Pyramid#build}) is read by npm zarrita, an independent implementation,
 * to the same values (the checksum of the C-order bytes over the stored dimensions, which for our
 * (c, z, y, x) layout are the library's x-fastest bytes), shape, data type, chunk shape and
 * codecs; and zarrita sees the OME-Zarr group's axes and datasets as written.
 */
class ZarrInteropWriteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static ZarrPeers peers;

    @BeforeAll
    static void peers() {
        peers = ZarrPeers.get();
    }

    /** An x-fastest [x, y, z, c] view of {@code size} with seeded random values (NaN-free for floats: the checksum is over bits either way). */
    private static NdView data(DataType type, long[] size, long seed) {
        NdView v = NdView.allocate(Arena.ofAuto(), type, new long[4], size);
        byte[] b = new byte[Math.toIntExact(v.byteSize())];
        new Random(seed).nextBytes(b);
        if (type == DataType.FLOAT32) {
            ByteBuffer f = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            Random r = new Random(seed);
            for (int i = 0; i < b.length; i += 4) f.putFloat(i, (float) r.nextGaussian() * 1000);
        }
        MemorySegment.copy(MemorySegment.ofArray(b), 0, v.segment(), 0, b.length);
        return v;
    }

    /** The C-order bytes over (c,) z, y, x, little-endian: the view's x-fastest bytes in little-endian order. */
    private static byte[] cOrderLittleEndian(NdView v) {
        byte[] b = ZarrInteropTest.bytesOf(v);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) return b;
        int n = v.dataType().size();
        for (int i = 0; i < b.length; i += n) {
            for (int j = 0; j < n / 2; j++) {
                byte t = b[i + j];
                b[i + j] = b[i + n - 1 - j];
                b[i + n - 1 - j] = t;
            }
        }
        return b;
    }

    private static String url(Path dir) {
        return "file://" + dir.toAbsolutePath();
    }

    /** Compares numbers, not JSON node types (zarrita's ints against our longs). */
    private static void assertLongs(long[] want, JsonNode got, String what) {
        assertArrayEquals(want, ZarrInteropTest.longs(got), what + ": " + got);
    }

    /** Zarr's stored order of an [x, y, z] (and c) vector: (c,) z, y, x. */
    private static long[] stored(long[] xyz, int channels) {
        return channels > 1 ? new long[] {channels, xyz[2], xyz[1], xyz[0]} : new long[] {xyz[2], xyz[1], xyz[0]};
    }

    /** zarrita reads {@code arrayPath} under {@code root} as holding {@code data}: checksum, shape, data type, dimension names. */
    private static JsonNode assertZarritaReads(Path root, String arrayPath, NdView data, int channels, String what) {
        JsonNode read = peers.readV3(root, arrayPath);
        long[] xyz = {data.shape()[0], data.shape()[1], data.shape()[2]};
        assertLongs(stored(xyz, channels), read.get("shape"), what + ": shape");
        assertEquals(data.dataType().jsonName(), read.get("data_type").asText(), what + ": data_type");
        assertEquals(JSON.valueToTree(channels > 1 ? List.of("c", "z", "y", "x") : List.of("z", "y", "x")), read.get("dimension_names"),
                what + ": dimension_names");
        assertEquals(PeerArrayFormula.sha256(cOrderLittleEndian(data)), read.get("sha256").asText(), what + ": zarrita's checksum of every value");
        return read;
    }

    @Test
    void unshardedZarr3ArraysOfEachCompressorReadInZarrita() {
        long[] size = {45, 33, 20};
        long[] chunk = {16, 16, 8};   // edge chunks partial on every axis
        int seed = 0;
        for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.ZSTD)) {
            for (DataType type : List.of(DataType.UINT16, DataType.FLOAT32)) {
                String name = "zarr3_" + c.name().toLowerCase() + "_" + type.jsonName();
                Path dir = tmp.resolve(name);
                NdView data = data(type, new long[] {size[0], size[1], size[2], 1}, ++seed);
                try (BigArray a = BigArray.create(url(dir), Info.builder(type, size, chunk).build(),
                        Options.defaults().withFormat("zarr3").withCompression(c))) {
                    a.write(data);
                }
                JsonNode read = assertZarritaReads(tmp, name, data, 1, name);
                assertLongs(stored(chunk, 1), read.get("chunk_shape"), name + ": chunk_shape");
                assertTrue(read.get("sharding").isNull(), name + ": unsharded");
                List<String> codecs = new ArrayList<>();
                read.get("codecs").forEach(x -> codecs.add(x.asText()));
                assertEquals(c == Compression.NONE ? List.of("bytes") : List.of("bytes", c == Compression.GZIP ? "gzip" : "zstd"), codecs, name + ": codecs");
            }
        }
    }

    @Test
    void shardedZarr3ArraysReadInZarritaWithTheirIndexCheckedByCrc32c() {
        long[] size = {70, 64, 40};   // a partial shard along x and z
        long[] chunk = {16, 16, 8};
        long chunkBytes = 2 * chunk[0] * chunk[1] * chunk[2];
        ShardingSpec spec = ShardingPlanner.forImage(size, chunk, 2, 8 * chunkBytes, 8192, 48);
        int seed = 10;
        for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
            String name = "sharded_" + c.name().toLowerCase();
            Path dir = tmp.resolve(name);
            NdView data = data(DataType.UINT16, new long[] {size[0], size[1], size[2], 1}, ++seed);
            try (BigArray a = BigArray.create(url(dir), Info.builder(DataType.UINT16, size, chunk).sharding(spec).build(),
                    Options.defaults().withFormat("zarr3").withCompression(c))) {
                a.write(data);
            }
            JsonNode read = assertZarritaReads(tmp, name, data, 1, name);
            JsonNode sharding = read.get("sharding");
            assertEquals("end", sharding.get("index_location").asText(), name);
            assertLongs(stored(chunk, 1), sharding.get("chunk_shape"), name + ": inner chunk shape");
            assertEquals(JSON.valueToTree(List.of("bytes", c == Compression.GZIP ? "gzip" : "zstd")), sharding.get("codecs"), name + ": inner codecs");
            assertEquals(JSON.valueToTree(List.of("bytes", "crc32c")), sharding.get("index_codecs"), name + ": index codecs");
            long[] shard = ZarrInteropTest.longs(read.get("chunk_shape"));
            for (int d = 0; d < 3; d++) {
                long inner = stored(chunk, 1)[d];
                assertEquals(0, shard[d] % inner, name + ": shard shape " + read.get("chunk_shape") + " a multiple of the inner chunks");
            }
            assertTrue(shard[0] * shard[1] * shard[2] > chunk[0] * chunk[1] * chunk[2], name + ": shards hold several inner chunks");
        }
    }

    @Test
    void aTwoChannelZarr3ArrayReadsInZarritaAsCzyx() {
        long[] size = {37, 29, 11};
        String name = "two_channels";
        NdView data = data(DataType.UINT8, new long[] {size[0], size[1], size[2], 2}, 21);
        try (BigArray a = BigArray.create(url(tmp.resolve(name)), Info.builder(DataType.UINT8, size, new long[] {16, 16, 8}).channels(2).build(),
                Options.defaults().withFormat("zarr3").withCompression(Compression.ZSTD))) {
            a.write(data);
        }
        JsonNode read = assertZarritaReads(tmp, name, data, 2, name);
        assertLongs(new long[] {2, 8, 16, 16}, read.get("chunk_shape"), name + ": chunk_shape");
    }

    /** An OME-Zarr layer of two scales, each written with its own values: zarrita reads both levels and the group's multiscales. */
    @Test
    void anOmeZarrImageOfTwoWrittenLevelsReadsInZarrita() {
        String name = "ome_two_levels";
        Info info = Info.builder(DataType.UINT16, new long[] {50, 40, 12}, new long[] {16, 16, 8}).channels(2).resolution(4, 4, 40).mips(2).build();
        List<NdView> written = new ArrayList<>();
        try (BigArray a = BigArray.create(url(tmp.resolve(name)), info, Options.defaults().withFormat("ome-zarr").withCompression(Compression.GZIP))) {
            for (int m = 0; m < 2; m++) {
                long[] s = a.info().scale(m).size();
                NdView data = data(DataType.UINT16, new long[] {s[0], s[1], s[2], 2}, 30 + m);
                a.mip(m).write(data);
                written.add(data);
            }
            assertOmeGroup(name, a.info(), 2);
        }
        for (int m = 0; m < 2; m++) {
            String level = name + "/" + info.scale(m).key();
            JsonNode read = assertZarritaReads(tmp, level, written.get(m), 2, level);
            assertLongs(new long[] {2, 8, 16, 16}, read.get("chunk_shape"), level + ": chunk_shape");
        }
    }

    /** A pyramid {@link Pyramid#build} adds to an OME-Zarr layer: zarrita reads each level as the library does, and the group lists both. */
    @Test
    void anOmeZarrPyramidBuiltByTheLibraryReadsInZarrita() {
        String name = "ome_pyramid";
        Info info = Info.builder(DataType.UINT8, new long[] {64, 48, 10}, new long[] {16, 16, 8}).resolution(8, 8, 30).build();
        NdView data = data(DataType.UINT8, new long[] {64, 48, 10, 1}, 40);
        List<NdView> levels = new ArrayList<>();
        try (BigArray a = BigArray.create(url(tmp.resolve(name)), info, Options.defaults().withFormat("ome-zarr").withCompression(Compression.ZSTD))) {
            a.write(data);
        }
        Info built;
        try (BigArray a = BigArray.open(url(tmp.resolve(name)))) {
            Pyramid.build(a, PyramidSpec.defaults().withMips(1));
        }
        try (BigArray a = BigArray.open(url(tmp.resolve(name)))) {
            built = a.info();
            assertEquals(2, built.scales().size(), "levels after the pyramid");
            for (int m = 0; m < 2; m++) {
                BigArray level = a.mip(m);
                levels.add(level.read(level.bounds()));
            }
            assertOmeGroup(name, built, 1);
        }
        assertArrayEquals(ZarrInteropTest.bytesOf(data), ZarrInteropTest.bytesOf(levels.get(0)), "mip 0 reads back as written");
        for (int m = 0; m < 2; m++) {
            String level = name + "/" + built.scale(m).key();
            assertZarritaReads(tmp, level, levels.get(m), 1, level);
        }
    }

    /**
     * Writing into arrays zarrita wrote (whatever their codecs: transpose, big endian, blosc,
     * crc32c, v2 keys, sharding with the index at the start or end, missing chunks and shards):
     * a box across chunk edges, covering part of a missing chunk, is written by the library and
     * zarrita then reads the peer's values outside the box and ours inside it. Arrays whose
     * codecs the library cannot encode must refuse the write with a one-line message instead.
     */
    @Test
    void writesIntoArraysZarritaWroteReadBackInZarrita() {
        Path root = tmp.resolve("peer_v3");
        JsonNode manifest = peers.writeV3(root);
        List<String> rewritten = new ArrayList<>();
        for (JsonNode a : manifest.get("arrays")) {
            String path = a.get("path").asText();
            if (path.startsWith("ome")) continue;   // the OME levels are read-tested in ZarrInteropTest
            PeerArrayFormula f = PeerArrayFormula.of(a);
            long[] shape = ZarrInteropTest.longs(a.get("shape"));   // (z, y, x)
            long[] min = {3, 10, 5};   // [x, y, z]: across chunk edges on every axis
            long[] max = {17, 20, 30};
            long[] boxShape = {max[0] - min[0], max[1] - min[1], max[2] - min[2], 1};
            try (BigArray b = BigArray.open(url(root.resolve(path)), Options.defaults().withReadModifyWrite(true))) {
                NdView ours = data(b.dataType(), boxShape, path.hashCode()).withOrigin(new long[] {min[0], min[1], min[2], 0});
                if (ZarrInteropTest.usesBlosc(a) && !Blosc.available()) {
                    FormatException e = assertThrows(FormatException.class, () -> b.write(ours), path);
                    ZarrInteropTest.assertOneLine(e.getMessage(), path);
                    assertTrue(e.getMessage().contains(ZarrInteropTest.BLOSC_OFF), path + ": " + e.getMessage());
                    assertEquals(a.get("sha256").asText(), peers.readV3(root, path).get("sha256").asText(), path + ": unchanged by the refused write");
                    continue;
                }
                b.write(ours);
                // Expected: the formula's C-order bytes, with the box replaced by ours.
                byte[] want = f.expectedBytes();
                byte[] mine = cOrderLittleEndian(ours);
                int n = f.bytesPerValue();
                for (long z = min[2]; z < max[2]; z++) for (long y = min[1]; y < max[1]; y++) for (long x = min[0]; x < max[0]; x++) {
                    long to = ((z * shape[1] + y) * shape[2] + x) * n;
                    long from = (((z - min[2]) * boxShape[1] + (y - min[1])) * boxShape[0] + (x - min[0])) * n;
                    System.arraycopy(mine, Math.toIntExact(from), want, Math.toIntExact(to), n);
                }
                JsonNode read = peers.readV3(root, path);
                assertEquals(PeerArrayFormula.sha256(want), read.get("sha256").asText(), path + ": zarrita's checksum after our write");
                rewritten.add(path);
            }
        }
        assertEquals(Blosc.available() ? 10 : 7, rewritten.size(), "peer arrays written into: " + rewritten);
    }

    /**
     * A pyramid built on zarrita's OME-Zarr image adds a level and leaves the image's own
     * description alone: its name, and each existing level's scale and translation in physical
     * units (converted to nanometres where the library rewrote them), including a translation
     * that is no whole number of voxels (z: 10 µm at 1.5 µm voxels); level 0's values unchanged.
     */
    @Test
    void aPyramidBuiltOnZarritasOmeZarrImageKeepsItsLevelsPlaced() {
        Path root = tmp.resolve("peer_ome");
        JsonNode manifest = peers.writeV3(root);
        JsonNode ome = manifest.get("ome_zarr_whole_channels");
        String group = ome.get("group").asText();
        JsonNode before = peers.readGroupV3(root, group).at("/attributes/ome/multiscales/0");
        try (BigArray a = BigArray.open(url(root.resolve(group)))) {
            Pyramid.build(a, PyramidSpec.defaults().withMips(2));
        }
        JsonNode after = peers.readGroupV3(root, group).at("/attributes/ome/multiscales/0");
        assertEquals(3, after.get("datasets").size(), "datasets after adding mip 2: " + after);
        assertEquals(before.get("name"), after.get("name"), "the image's name");
        for (int m = 0; m < 2; m++) {
            for (String type : List.of("scale", "translation")) {
                double[] was = physical(before, m, type);
                double[] is = physical(after, m, type);
                assertArrayEquals(was, is, 1e-6, "level " + m + " " + type + " in nanometres, before and after: " + before.at("/datasets/" + m)
                        + " -> " + after.at("/datasets/" + m));
            }
        }
        JsonNode level0 = peers.readV3(root, ome.at("/levels/0").asText());
        JsonNode entry = null;
        for (JsonNode e : manifest.get("arrays")) if (e.get("path").equals(ome.at("/levels/0"))) entry = e;
        assertEquals(entry.get("sha256"), level0.get("sha256"), "level 0 unchanged");
        try (BigArray a = BigArray.open(url(root.resolve(group)))) {
            assertEquals(3, a.info().scales().size(), "levels the library reopens");
        }
    }

    /** A dataset's scale or translation (0 where absent) per axis, in nanometres for space axes with a length unit. */
    private static double[] physical(JsonNode multiscale, int level, String type) {
        JsonNode axes = multiscale.get("axes");
        double[] out = new double[axes.size()];
        for (JsonNode t : multiscale.at("/datasets/" + level + "/coordinateTransformations")) {
            if (!t.get("type").asText().equals(type)) continue;
            for (int d = 0; d < out.length; d++) {
                String unit = axes.get(d).path("unit").asText("");
                double f = switch (unit) {
                    case "micrometer" -> 1000;
                    case "nanometer" -> 1;
                    case "" -> 1;
                    default -> throw new AssertionError("a unit the test does not convert: " + unit);
                };
                out[d] = t.get(type).get(d).asDouble() * f;
            }
        }
        return out;
    }

    /** zarrita's view of the OME-Zarr group: version, axes (names, types, units), one dataset per scale with its scale transform. */
    private static void assertOmeGroup(String name, Info info, int channels) {
        JsonNode ome = peers.readGroupV3(tmp, name).at("/attributes/ome");
        assertEquals("0.5", ome.get("version").asText(), name + ": OME-Zarr version");
        JsonNode ms = ome.at("/multiscales/0");
        List<String> axisNames = new ArrayList<>();
        List<String> axisTypes = new ArrayList<>();
        for (JsonNode x : ms.get("axes")) {
            axisNames.add(x.get("name").asText());
            axisTypes.add(x.get("type").asText());
            if (x.get("type").asText().equals("space")) assertEquals("nanometer", x.get("unit").asText(), name + ": unit of axis " + x);
        }
        assertEquals(channels > 1 ? List.of("c", "z", "y", "x") : List.of("z", "y", "x"), axisNames, name + ": axes");
        assertEquals(channels > 1 ? List.of("channel", "space", "space", "space") : List.of("space", "space", "space"), axisTypes, name + ": axis types");
        assertEquals(info.scales().size(), ms.get("datasets").size(), name + ": datasets");
        for (int m = 0; m < info.scales().size(); m++) {
            JsonNode d = ms.at("/datasets/" + m);
            assertEquals(info.scale(m).key(), d.get("path").asText(), name + ": dataset " + m);
            double[] r = info.scale(m).resolution();
            JsonNode scale = null;
            for (JsonNode t : d.get("coordinateTransformations")) if (t.get("type").asText().equals("scale")) scale = t.get("scale");
            double[] want = channels > 1 ? new double[] {1, r[2], r[1], r[0]} : new double[] {r[2], r[1], r[0]};
            double[] got = new double[scale.size()];
            for (int i = 0; i < got.length; i++) got[i] = scale.get(i).asDouble();
            assertArrayEquals(want, got, name + ": scale of dataset " + m);
        }
    }
}
