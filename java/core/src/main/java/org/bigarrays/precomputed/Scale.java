package org.bigarrays.precomputed;

import java.util.List;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.Keys;

/**
 * One entry of the info's {@code scales} (one mip level). Immutable. {@code extra} holds every
 * member this class does not model, written back untouched; {@code sharding} is kept as JSON
 * (null when unsharded).
 *
 * @param key path of the scale's chunks relative to the layer: a valid {@link Keys} key, so it
 *     never leaves the layer (no "..", no absolute path, no URL scheme, no '%')
 * @param size volume size in voxels [x, y, z]
 * @param resolution voxel size in nm [x, y, z]
 * @param voxelOffset the volume's lower corner [x, y, z] (may be negative)
 * @param chunkSizes one or more chunk shapes; the first is the one used for reading and writing
 * @param encoding "raw", "jpeg", "png", "compressed_segmentation", ...
 * @param blockSize compressed_segmentation_block_size, or null
 * @param jpegQuality jpeg_quality, or null
 * @param pngLevel png_level, or null
 * @param sharding the {@code sharding} object as read, or null when unsharded
 * @param extra unknown members, in their original order
 */
public record Scale(String key, long[] size, double[] resolution, long[] voxelOffset, List<long[]> chunkSizes,
                    String encoding, long[] blockSize, Integer jpegQuality, Integer pngLevel,
                    JsonMembers sharding, JsonMembers extra) {

    /**
     * @throws org.bigarrays.InvalidInputException when {@code key} is not a relative key inside the
     *     layer, or a compressed_segmentation block has more voxels than the chunk
     */
    public Scale {
        String why = Keys.problem(key);
        if (why != null) throw new org.bigarrays.InvalidInputException("scale key '" + Keys.printable(key) + "': " + why);
        if (blockSize != null && chunkSizes != null && !chunkSizes.isEmpty()) {
            long[] c = chunkSizes.getFirst();
            if (Info.saturatingProduct(blockSize) > Info.saturatingProduct(c)) {
                throw new org.bigarrays.InvalidInputException("scale '" + key + "': compressed_segmentation block "
                        + java.util.Arrays.toString(blockSize) + " is larger than the chunk " + java.util.Arrays.toString(c));
            }
        }
    }

    /** The chunk shape used for I/O (the first of {@code chunk_sizes}). */
    public long[] chunkSize() {
        return chunkSizes.getFirst().clone();
    }

    /** The volume's voxel box. */
    public Box bounds() {
        return Box.at(voxelOffset, size);
    }

    public boolean isSharded() {
        return sharding != null;
    }

    /** The sharding spec of a sharded scale, parsed; null when unsharded. */
    public org.bigarrays.sharding.ShardingSpec shardingSpec() {
        return sharding == null ? null : org.bigarrays.sharding.ShardingSpec.parse(sharding.toString(), "scale '" + key + "' sharding");
    }

    public Scale withKey(String k) {
        return new Scale(k, size, resolution, voxelOffset, chunkSizes, encoding, blockSize, jpegQuality, pngLevel, sharding, extra);
    }

    public Scale withEncoding(String enc, long[] block) {
        return new Scale(key, size, resolution, voxelOffset, chunkSizes, enc, block, jpegQuality, pngLevel, sharding, extra);
    }

    public Scale withJpegQuality(Integer q) {
        return new Scale(key, size, resolution, voxelOffset, chunkSizes, encoding, blockSize, q, pngLevel, sharding, extra);
    }

    /**
     * {@code jxl_quality} (0..100, 100 lossless), or null. Not a record component: CloudVolume's
     * key, kept among the {@code extra} members so it survives a read–modify–write as written.
     * @throws org.bigarrays.FormatException when present but not an integer 0..100
     */
    public Integer jxlQuality() {
        return extraInt("jxl_quality", 0, 100);
    }

    /** {@code jxl_effort} (1..9, CloudVolume's key, kept in {@code extra}), or null. */
    public Integer jxlEffort() {
        return extraInt("jxl_effort", 1, 9);
    }

    private Integer extraInt(String name, int min, int max) {
        if (extra == null || !extra.has(name)) return null;
        com.fasterxml.jackson.databind.JsonNode v = extra.node().get(name);
        if (v.isNull()) return null;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw new org.bigarrays.FormatException("scale '" + key + "': " + name + " must be an integer " + min + ".." + max + ", found " + v);
        }
        return v.asInt();
    }

    /** The same scale with {@code jxl_quality} set (null: removed). */
    public Scale withJxlQuality(Integer q) {
        com.fasterxml.jackson.databind.node.ObjectNode e = extra == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : extra.node();
        if (q == null) e.remove("jxl_quality");
        else e.put("jxl_quality", q);
        return new Scale(key, size, resolution, voxelOffset, chunkSizes, encoding, blockSize, jpegQuality, pngLevel, sharding, JsonMembers.of(e));
    }

    public Scale withPngLevel(Integer level) {
        return new Scale(key, size, resolution, voxelOffset, chunkSizes, encoding, blockSize, jpegQuality, level, sharding, extra);
    }

    /** The same scale sharded by {@code spec}, or unsharded when {@code spec} is null. */
    public Scale withSharding(org.bigarrays.sharding.ShardingSpec spec) {
        return new Scale(key, size, resolution, voxelOffset, chunkSizes, encoding, blockSize, jpegQuality, pngLevel, JsonMembers.sharding(spec), extra);
    }

    public Scale withChunkSize(long[] chunk) {
        return new Scale(key, size, resolution, voxelOffset, List.of(chunk.clone()), encoding, blockSize, jpegQuality, pngLevel, sharding, extra);
    }
}
