package org.bigarrays.zarr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.precomputed.ChunkCodec;
import org.bigarrays.precomputed.ChunkStorage;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.LayerFormat;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.zarr.codec.ShardingCodec;
import org.bigarrays.zarr.codec.ZarrCodecPipeline;

/**
 * The Zarr format driver: a Zarr v3 array (one scale, its chunks under the layer root), an
 * OME-Zarr 0.5 multiscale image (a v3 group whose {@code ome.multiscales} lists one array per
 * mip), or a Zarr v2 array (read only). Each is seen as an {@link Info} through the stated
 * {@link AxisMapping}: size, chunk shape (the inner chunk of a sharded array), resolution and
 * offset (from OME-Zarr's transforms, or for arrays we wrote from our {@code bigarrays}
 * attribute). New layers are written with dimensions (c,) z, y, x and {@code dimension_names},
 * {@code bytes} little-endian and the chosen compressor, and {@code sharding_indexed} where the
 * Info's scale is sharded. Immutable.
 */
final class ZarrFormat implements LayerFormat {
    static final String ZARR_JSON = "zarr.json";
    /** Our attribute: the layer type, and a lone array's resolution and voxel offset (which Zarr itself cannot say). */
    static final String OUR_ATTRIBUTE = "bigarrays";
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Kind { ARRAY, OME, V2 }

    /** One scale's stored array. */
    record Level(String path, ZarrArrayMetadata v3, ZarrV2ArrayMetadata v2, AxisMapping axes) {
        long[] shape() {
            return v3 != null ? v3.shape() : v2.shape();
        }

        long[] chunkShape() {
            return v3 != null ? v3.chunkShape() : v2.chunks();
        }

        DataType dataType() {
            return v3 != null ? v3.dataType() : v2.dtype().dataType();
        }

        FillValue fill() {
            return v3 != null ? v3.fillValue() : v2.fillValue();
        }

        ChunkKeyEncoding keys() {
            return v3 != null ? v3.chunkKeyEncoding() : v2.chunkKeyEncoding();
        }
    }

    private final Kind kind;
    private final Map<String, Level> levels; // by scale key
    private final ObjectNode groupAttributes; // OME: the group's attributes as read (ome replaced on publish)
    private final Compression compression; // for levels this driver adds
    private final int zstdLevel;

    private ZarrFormat(Kind kind, Map<String, Level> levels, ObjectNode groupAttributes, Compression compression, int zstdLevel) {
        this.kind = kind;
        this.levels = levels;
        this.groupAttributes = groupAttributes;
        this.compression = compression;
        this.zstdLevel = zstdLevel;
    }

    @Override
    public String name() {
        return switch (kind) {
            case ARRAY -> "zarr3";
            case OME -> "ome-zarr";
            case V2 -> "zarr2";
        };
    }

    @Override
    public boolean exists(KeyValueStore root) {
        return root.exists(kind == Kind.V2 ? ".zarray" : ZARR_JSON);
    }

    // ---- reading

    @Override
    public Opened open(KeyValueStore root, String where) {
        return openAt(root, where, null);
    }

    /** The Zarr layer at {@code root}, or null when none is there. */
    static Opened openAt(KeyValueStore root, String where, String name) {
        byte[] top = bytes(root, ZARR_JSON);
        if (top != null) {
            ObjectNode node = readObject(top, where + ZARR_JSON);
            String type = node.path("node_type").asText("");
            if (type.equals("array")) {
                if ("ome-zarr".equals(name)) throw new FormatException(where + ZARR_JSON + " is a Zarr v3 array, not an OME-Zarr multiscale group");
                ZarrArrayMetadata m = ZarrArrayMetadata.parse(top, where + ZARR_JSON);
                AxisMapping axes = AxisMapping.of(m.shape(), m.dimensionNames(), where + ZARR_JSON);
                Level level = new Level("", m, null, axes);
                Map<String, Level> levels = Map.of(LONE, level);
                ZarrFormat f = new ZarrFormat(Kind.ARRAY, levels, null, Compression.NONE, org.bigarrays.codec.ZstdCodec.LEVEL);
                return new Opened(f.info(ours(m.attributes()), List.of(new Placed(LONE, level, ourResolution(m.attributes(), axes), ourOffset(m.attributes())))), f);
            }
            if (type.equals("group")) {
                ZarrGroupMetadata g = ZarrGroupMetadata.parse(top, where + ZARR_JSON);
                return openOme(root, where, g);
            }
            throw new FormatException(where + ZARR_JSON + ": node_type: expected \"array\" or \"group\", found " + node.get("node_type"));
        }
        byte[] zarray = bytes(root, ".zarray");
        if (zarray != null) {
            if (name != null && !name.equals("zarr2") && !name.equals("zarr")) throw new FormatException(where + " holds a Zarr v2 array (.zarray), not " + name);
            ZarrV2ArrayMetadata m = ZarrV2ArrayMetadata.parse(zarray, bytes(root, ".zattrs"), where + ".zarray");
            AxisMapping axes = AxisMapping.of(m.shape(), m.dimensionNames(), where + ".zarray");
            Level level = new Level("", null, m, axes);
            ZarrFormat f = new ZarrFormat(Kind.V2, Map.of(LONE, level), null, Compression.NONE, org.bigarrays.codec.ZstdCodec.LEVEL);
            return new Opened(f.info(ours(m.attributes()), List.of(new Placed(LONE, level, ourResolution(m.attributes(), axes), ourOffset(m.attributes())))), f);
        }
        byte[] zgroup = bytes(root, ".zgroup");
        if (zgroup != null) {
            // Named, as a v3 group is, rather than "no layer here": the user is one folder away from an array.
            ZarrGroupMetadata g = ZarrGroupMetadata.parseV2(zgroup, bytes(root, ".zattrs"), where);
            boolean ome = g.attributes() != null && g.attributes().has("multiscales");
            throw new FormatException(where + ".zgroup is a Zarr v2 group"
                    + (ome ? " holding an OME-Zarr 0.4 image (multiscale images are read from OME-Zarr 0.5, on Zarr v3)" : "")
                    + ": open one of its arrays (" + where + "<name>/)");
        }
        return null;
    }

    /** The scale key of a lone array (its chunks lie under the layer root, see {@link #scaleDirectory}). */
    static final String LONE = "0";

    private record Placed(String key, Level level, double[] resolution, long[] offset) {}

    private static Opened openOme(KeyValueStore root, String where, ZarrGroupMetadata g) {
        Multiscales ms = Multiscales.fromAttributes(g.attributes(), where + ZARR_JSON);
        if (ms == null || ms.images().isEmpty()) {
            throw new FormatException(where + ZARR_JSON + " is a Zarr group without OME-Zarr multiscales: open one of its arrays (" + where + "<name>/)");
        }
        Multiscales.Multiscale image = ms.images().getFirst();
        Map<String, Level> levels = new LinkedHashMap<>();
        List<Placed> placed = new ArrayList<>();
        List<OmeLevel> ome = null;
        for (int i = 0; i < image.datasets().size(); i++) {
            String path = image.datasets().get(i).path();
            String key = path + "/" + ZARR_JSON;
            byte[] b = bytes(root, key);
            if (b == null) throw new FormatException(where + ZARR_JSON + ": multiscales dataset '" + path + "' has no " + key);
            ZarrArrayMetadata m = ZarrArrayMetadata.parse(b, where + key);
            AxisMapping axes = image.axisMapping(m.shape(), where + key);
            if (ome == null) ome = image.levels(axes);
            OmeLevel l = ome.get(i);
            Level level = new Level(path, m, null, axes);
            levels.put(path, level);
            placed.add(new Placed(path, level, l.resolution(), l.voxelOffset()));
        }
        // Levels added later (downsample) are compressed as level 0 is.
        JsonNode first = codecs(levels.values().iterator().next().v3);
        ZarrFormat f = new ZarrFormat(Kind.OME, levels, g.attributes(), compressionOf(first), zstdLevelOf(first));
        return new Opened(f.info(ours(g.attributes()), placed), f);
    }

    /** The compressor among {@code codecs} (a sharded array's: its inner chunks'), NONE when there is none of ours. */
    private static Compression compressionOf(JsonNode codecs) {
        JsonNode c = compressorOf(codecs);
        if (c == null) return Compression.NONE;
        return c.path("name").asText().equals("gzip") ? Compression.GZIP : Compression.ZSTD;
    }

    private static int zstdLevelOf(JsonNode codecs) {
        JsonNode c = compressorOf(codecs);
        return c != null && c.path("name").asText().equals("zstd") ? c.path("configuration").path("level").asInt(org.bigarrays.codec.ZstdCodec.LEVEL)
                : org.bigarrays.codec.ZstdCodec.LEVEL;
    }

    private static JsonNode compressorOf(JsonNode codecs) {
        for (JsonNode c : codecs) {
            String name = c.path("name").asText();
            if (name.equals("gzip") || name.equals("zstd")) return c;
            if (name.equals("sharding_indexed")) return compressorOf(c.path("configuration").path("codecs"));
        }
        return null;
    }

    private static ObjectNode ours(ObjectNode attributes) {
        return attributes != null && attributes.get(OUR_ATTRIBUTE) instanceof ObjectNode o ? o : JSON.createObjectNode();
    }

    /**
     * A lone array's voxel size [x, y, z] in nanometres: our attribute where we wrote it, else the
     * {@code dimension_units} attribute TensorStore and Neuroglancer use ("4 nm", "0.5 um" per
     * stored dimension), else 1.
     */
    private static double[] ourResolution(ObjectNode attributes, AxisMapping axes) {
        JsonNode r = ours(attributes).get("resolution");
        if (r != null && r.isArray() && r.size() == 3) return new double[] {r.get(0).asDouble(1), r.get(1).asDouble(1), r.get(2).asDouble(1)};
        double[] res = {1, 1, 1};
        JsonNode units = attributes == null ? null : attributes.get("dimension_units");
        if (units == null || !units.isArray() || units.size() != axes.rank()) return res;
        for (int d = 0; d < axes.rank(); d++) {
            int a = axes.libraryAxis(d);
            if (a < 0 || a > 2 || !units.get(d).isTextual()) continue;
            String[] p = units.get(d).asText().trim().split("\\s+");
            try {
                double n = p.length == 2 ? Double.parseDouble(p[0]) : 1;
                Double nm = Multiscales.NANOMETRES_PER.get(p[p.length - 1]);
                if (nm != null && n > 0) res[a] = n * nm;
            } catch (NumberFormatException notANumber) {
                // a unit we cannot read: the voxel size stays 1
            }
        }
        return res;
    }

    /** TensorStore's and Neuroglancer's {@code dimension_units} for an array we write: "<resolution> nm" per spatial dimension, null for c. */
    private static ArrayNode dimensionUnits(AxisMapping axes, double[] resolution) {
        ArrayNode u = JSON.createArrayNode();
        for (int d = 0; d < axes.rank(); d++) {
            int a = axes.libraryAxis(d);
            if (a < 0 || a > 2) {
                u.addNull();
            } else {
                double r = resolution[a];
                u.add((r == Math.rint(r) && Math.abs(r) < 1e15 ? Long.toString((long) r) : Double.toString(r)) + " nm");
            }
        }
        return u;
    }

    private static long[] ourOffset(ObjectNode attributes) {
        JsonNode r = ours(attributes).get("voxel_offset");
        if (r == null || !r.isArray() || r.size() != 3) return new long[3];
        return new long[] {r.get(0).asLong(), r.get(1).asLong(), r.get(2).asLong()};
    }

    /** The Info of the placed levels: finest first, raw chunks of the library's chunk shape. */
    private Info info(ObjectNode ours, List<Placed> placed) {
        Level first = placed.getFirst().level;
        DataType type = first.dataType();
        long channels = first.axes.librarySize()[AxisMapping.C];
        ObjectNode info = JSON.createObjectNode();
        info.put("@type", "neuroglancer_multiscale_volume");
        // Another writer's array says nothing of its kind: uint64 is taken as labels, as Neuroglancer does.
        info.put("type", ours.path("type").asText(type == DataType.UINT64 ? "segmentation" : "image"));
        info.put("data_type", type.jsonName());
        info.put("num_channels", channels);
        ArrayNode scales = info.putArray("scales");
        for (Placed p : placed) {
            Level l = p.level;
            if (l.dataType() != type) throw new FormatException("OME-Zarr level '" + p.key + "' is " + l.dataType() + ", level 0 " + type);
            long[] size = l.axes.librarySize();
            if (size[AxisMapping.C] != channels) throw new FormatException("OME-Zarr level '" + p.key + "' has " + size[AxisMapping.C] + " channels, level 0 " + channels);
            long[] chunk = l.axes.toLibrary(libraryChunkStored(l), 1);
            channelGroups(l); // checks where split channels must lie
            ObjectNode s = scales.addObject();
            s.put("key", p.key);
            s.set("size", longs(size[0], size[1], size[2]));
            ArrayNode res = s.putArray("resolution");
            for (double r : p.resolution) res.add(r);
            s.set("voxel_offset", longs(p.offset[0], p.offset[1], p.offset[2]));
            s.putArray("chunk_sizes").add(longs(chunk[0], chunk[1], chunk[2]));
            s.put("encoding", "raw");
        }
        try {
            return Info.parse(JSON.writeValueAsBytes(info), "the Info of a Zarr layer");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * How a library chunk (every channel) maps to Zarr chunks along c: one, or several when the
     * array splits its channels over chunks. In a sharded array the channel chunks of one library
     * chunk must share a shard (they are read and written together).
     * @throws FormatException when a shard holds fewer channels than the library chunk
     */
    private static ChannelGroups channelGroups(Level l) {
        long channels = l.axes.librarySize()[AxisMapping.C];
        long perChunk = l.axes.toLibrary(libraryChunkStored(l), 1)[AxisMapping.C];
        ChannelGroups g = new ChannelGroups(channels, Math.min(perChunk, channels));
        if (!g.single() && l.v3 != null && ShardingCodec.isSharded(codecs(l.v3))) {
            long perShard = l.axes.toLibrary(l.chunkShape(), 1)[AxisMapping.C];
            if (perShard < channels) {
                throw new FormatException("Zarr array '" + (l.path.isEmpty() ? "." : l.path) + "': shards of " + perShard + " of its " + channels
                        + " channels; split channels are read only where one shard holds every channel");
            }
        }
        return g;
    }

    /** The chunk shape the library's chunks have, in stored order: a sharded array's inner chunks. */
    private static long[] libraryChunkStored(Level l) {
        if (l.v3 != null && ShardingCodec.isSharded(codecs(l.v3))) return ShardingCodec.parse(codecs(l.v3), l.dataType(), l.v3.chunkShape()).innerChunkShape();
        return l.chunkShape();
    }

    private static ArrayNode codecs(ZarrArrayMetadata m) {
        ArrayNode a = JSON.createArrayNode();
        m.codecs().forEach(a::add);
        return a;
    }

    private static ArrayNode longs(long... v) {
        ArrayNode a = JSON.createArrayNode();
        for (long x : v) a.add(x);
        return a;
    }

    // ---- writing

    /** A driver that writes {@code info} as a new {@code name} layer (zarr3 or ome-zarr). */
    static ZarrFormat forNew(String name, Info info, Compression compression, int zstdLevel) {
        Kind kind = switch (name) {
            case "zarr3" -> Kind.ARRAY;
            case "ome-zarr" -> Kind.OME;
            default -> throw new InvalidInputException("format '" + name + "' is read only here: write zarr3 or ome-zarr");
        };
        return new ZarrFormat(kind, Map.of(), null, compression, zstdLevel).forNew(info);
    }

    @Override
    public ZarrFormat forNew(Info info) {
        if (kind == Kind.V2) throw new InvalidInputException("Zarr v2 arrays are read only: transcode to --format zarr3 or ome-zarr to write");
        if (kind == Kind.ARRAY && info.scales().size() != 1) {
            throw new InvalidInputException("a Zarr v3 array holds one scale, found " + info.scales().size() + ": use --format ome-zarr for a pyramid");
        }
        Map<String, Level> next = new LinkedHashMap<>();
        for (Scale s : info.scales()) {
            Level known = levels.get(s.key());
            next.put(s.key(), known != null && fits(known, info, s) ? known : newLevel(info, s));
        }
        return new ZarrFormat(kind, next, groupAttributes, compression, zstdLevel);
    }

    private boolean fits(Level l, Info info, Scale s) {
        long[] size = l.axes.librarySize();
        long[] chunk = l.axes.toLibrary(libraryChunkStored(l), 1);
        return l.dataType() == info.dataType() && size[0] == s.size()[0] && size[1] == s.size()[1] && size[2] == s.size()[2]
                && size[3] == info.numChannels() && java.util.Arrays.equals(new long[] {chunk[0], chunk[1], chunk[2]}, s.chunkSize());
    }

    private Level newLevel(Info info, Scale s) {
        Compression c = compression;
        Encoding e = Encoding.find(s.encoding()).orElse(null);
        if (e == Encoding.GZIP) c = Compression.GZIP;
        else if (e == Encoding.ZSTD) c = Compression.ZSTD;
        else if (e != Encoding.RAW) {
            throw new InvalidInputException("scale '" + s.key() + "': encoding '" + s.encoding() + "' has no Zarr codec here; Zarr layers store raw chunks "
                    + "compressed by gzip or zstd (--compress)");
        }
        String compressor = switch (c) {
            case NONE -> "none";
            case GZIP -> "gzip";
            case ZSTD -> "zstd";
            case LZ4 -> throw new InvalidInputException("lz4 has no Zarr v3 codec: use --compress gzip or zstd for a Zarr layer");
        };
        int channels = info.numChannels();
        long[] lib = {s.size()[0], s.size()[1], s.size()[2], channels};
        AxisMapping axes = AxisMapping.forWriting(lib, channels > 1);
        long[] shape = axes.toStored(lib, 1);
        long[] ch = s.chunkSize();
        long[] inner = axes.toStored(new long[] {ch[0], ch[1], ch[2], channels}, 1);
        DataType type = info.dataType();
        ZarrCodecPipeline pipeline = ZarrCodecPipeline.of(type, inner, compressor, c == Compression.ZSTD ? zstdLevel : null, false);
        List<JsonNode> codecs = new ArrayList<>();
        long[] chunkShape = inner;
        // A level added to a sharded image (downsample) is sharded as the image's levels are.
        long[] inherited = s.isSharded() ? null : chunksPerShardOfALevel();
        if (s.isSharded() || inherited != null) {
            long[] grid = new ChunkGrid(s.voxelOffset(), s.size(), ch).gridShape();
            long[] per = inherited != null ? new long[] {Math.min(inherited[0], grid[0]), Math.min(inherited[1], grid[1]), Math.min(inherited[2], grid[2])}
                    : s.shardingSpec().shardShapeInChunks(grid);
            if (per == null) per = new long[] {Math.min(8, grid[0]), Math.min(8, grid[1]), Math.min(8, grid[2])};
            chunkShape = axes.toStored(new long[] {ch[0] * per[0], ch[1] * per[1], ch[2] * per[2], channels}, 1);
            ShardingCodec sc = ShardingCodec.of(chunkShape, pipeline, ShardingCodec.IndexLocation.END);
            sc.toJson().forEach(codecs::add);
        } else {
            pipeline.toJson().forEach(codecs::add);
        }
        ObjectNode attributes = JSON.createObjectNode();
        if (kind == Kind.ARRAY) {
            attributes.set(OUR_ATTRIBUTE, ourAttribute(info, s));
            attributes.set("dimension_units", dimensionUnits(axes, s.resolution())); // how Neuroglancer places a lone array
        }
        ZarrArrayMetadata m = ZarrArrayMetadata.builder(shape, type, chunkShape).codecs(codecs).dimensionNames(axes.dimensionNames())
                .attributes(attributes).build();
        return new Level(kind == Kind.ARRAY ? "" : s.key(), m, null, axes);
    }

    /** Inner chunks per shard, [x, y, z], of the first sharded level this layer already has; null when none is. */
    private long[] chunksPerShardOfALevel() {
        for (Level l : levels.values()) {
            if (l.v3 == null || !ShardingCodec.isSharded(codecs(l.v3))) continue;
            long[] inner = l.axes.toLibrary(libraryChunkStored(l), 1);
            long[] shard = l.axes.toLibrary(l.chunkShape(), 1);
            return new long[] {shard[0] / inner[0], shard[1] / inner[1], shard[2] / inner[2]};
        }
        return null;
    }

    private static ObjectNode ourAttribute(Info info, Scale s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", info.type());
        ArrayNode r = o.putArray("resolution");
        for (double v : s.resolution()) r.add(v);
        o.set("voxel_offset", longs(s.voxelOffset()));
        return o;
    }

    @Override
    public String generation(KeyValueStore root) {
        try (ReadResult r = root.read(topKey(), ReadOptions.range(ByteRange.of(0, 0)))) {
            return r.found() ? r.generation() : Generation.NO_VALUE;
        }
    }

    private String topKey() {
        return kind == Kind.V2 ? ".zarray" : ZARR_JSON;
    }

    @Override
    public boolean publish(KeyValueStore root, Info info, String expected) {
        if (kind == Kind.V2) throw new InvalidInputException("Zarr v2 arrays are read only: transcode to --format zarr3 or ome-zarr to write");
        ZarrFormat f = forNew(info);
        if (kind == Kind.OME) {
            // The levels first, the group that lists them last: a reader never finds a listed level without its array.
            for (Level l : f.levels.values()) {
                root.write(l.path + "/" + ZARR_JSON, MemorySegment.ofArray(l.v3.toJson().getBytes(StandardCharsets.UTF_8)));
            }
        }
        byte[] top = f.metadata(info).getBytes(StandardCharsets.UTF_8);
        return root.write(ZARR_JSON, MemorySegment.ofArray(top), new WriteOptions(expected)).written();
    }

    @Override
    public String storedMetadata(KeyValueStore root) {
        byte[] b = bytes(root, topKey());
        if (b == null) return null;
        String where = root.uri() + topKey();
        return switch (kind) {
            case ARRAY -> ZarrArrayMetadata.parse(b, where).toJson();
            case OME -> ZarrGroupMetadata.parse(b, where).toJson();
            case V2 -> new String(b, StandardCharsets.UTF_8);
        };
    }

    @Override
    public String metadata(Info info) {
        ZarrFormat f = forNew(info);
        if (kind == Kind.ARRAY) return f.levels.values().iterator().next().v3.toJson();
        // A group read from the store (another writer's image): its name, and each level it already
        // lists as it placed it, a fractional origin included, which the Info's integral offset cannot say.
        Multiscales.Multiscale known = knownImage();
        Map<String, OmeLevel> placed = new LinkedHashMap<>();
        if (known != null) {
            Level first = levels.get(known.datasets().getFirst().path());
            if (first != null) for (OmeLevel l : known.levels(first.axes)) placed.put(l.path(), l);
        }
        List<OmeLevel> ome = new ArrayList<>();
        for (Scale s : info.scales()) {
            OmeLevel k = placed.get(s.key());
            boolean same = k != null && java.util.Arrays.equals(k.resolution(), s.resolution()) && java.util.Arrays.equals(k.voxelOffset(), s.voxelOffset());
            ome.add(same ? new OmeLevel(s.key(), k.resolution(), null, k.voxelOffset(), k.fractionalOffset()) : OmeLevel.of(s.key(), s.resolution(), s.voxelOffset()));
        }
        ObjectNode attributes = groupAttributes == null ? JSON.createObjectNode() : groupAttributes.deepCopy();
        ObjectNode mine = JSON.createObjectNode();
        mine.put("type", info.type());
        attributes.set(OUR_ATTRIBUTE, mine);
        String name = known == null ? null : known.name();
        return ZarrGroupMetadata.of(Multiscales.of(Multiscales.Multiscale.forPyramid(name, info.numChannels() > 1, ome)).writeInto(attributes)).toJson();
    }

    /** The first multiscale image of the group as read; null for a new group or one without a readable multiscales. */
    private Multiscales.Multiscale knownImage() {
        if (groupAttributes == null) return null;
        try {
            Multiscales ms = Multiscales.fromAttributes(groupAttributes, "the group's attributes");
            return ms == null || ms.images().isEmpty() ? null : ms.images().getFirst();
        } catch (FormatException unreadable) {
            return null;
        }
    }

    // ---- chunks

    @Override
    public String scaleDirectory(Scale scale) {
        Level l = levels.get(scale.key());
        return l != null ? l.path : scale.key();
    }

    @Override
    public ScaleChunkStore scale(Info info, int mip, KeyValueStore scaleStore, BufferPool buffers, IoBudget io) {
        Scale s = info.scale(mip);
        Level l = levels.get(s.key());
        if (l == null) throw new IllegalStateException("no Zarr array for scale '" + s.key() + "'");
        ChunkGrid grid = new ChunkGrid(s.voxelOffset(), s.size(), s.chunkSize());
        ChunkStorage storage;
        ChunkCodec codec;
        try {
            JsonNode codecs = l.v3 != null ? codecs(l.v3) : V2Codecs.of(l.v2);
            ChannelGroups groups = channelGroups(l);
            if (ShardingCodec.isSharded(codecs)) {
                ShardingCodec sharding = ShardingCodec.parse(codecs, l.dataType(), l.chunkShape());
                codec = ChunkCodec.of(new ZarrChunkCodec(sharding.inner(), l.axes, l.fill(), groups));
                storage = new ZarrShardStorage(scaleStore, new ZarrChunkKeys(l.axes, l.keys(), 1), sharding, l.axes, grid, groups);
            } else {
                codec = ChunkCodec.of(new ZarrChunkCodec(ZarrCodecPipeline.parse(codecs, l.dataType(), l.chunkShape()), l.axes, l.fill(), groups));
                storage = new ZarrChunkStorage(scaleStore, new ZarrChunkKeys(l.axes, l.keys(), groups.groups), grid, kind == Kind.V2, groups);
            }
        } catch (FormatException unsupported) {
            codec = ChunkCodec.unsupported(new FormatException("Zarr array '" + scaleStore.uri() + "': " + unsupported.getMessage(), unsupported));
            ChannelGroups one = new ChannelGroups(1, 1);
            storage = new ZarrChunkStorage(scaleStore, new ZarrChunkKeys(l.axes, l.keys(), 1), grid, kind == Kind.V2, one);
        }
        return new ScaleChunkStore(info, s, l.path, scaleStore, buffers, storage, codec);
    }

    /** The fill value of level 0 as decimal text; null when it is zero. */
    String fillText() {
        FillValue f = levels.values().iterator().next().fill();
        if (f.isZero()) return null;
        String t = f.text();
        return "true".equals(t) ? "1" : t;
    }

    private static byte[] bytes(KeyValueStore root, String key) {
        try (ReadResult r = root.read(key)) {
            return r.found() ? r.toByteArray() : null;
        }
    }

    private static ObjectNode readObject(byte[] b, String where) {
        try {
            JsonNode n = JSON.readTree(b);
            if (n instanceof ObjectNode o) return o;
            throw new FormatException(where + ": expected a JSON object, found " + (n == null ? "nothing" : n.getNodeType()));
        } catch (IOException e) {
            throw new FormatException(where + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
