package org.bigarrays.array;

import org.bigarrays.core.Box;

import java.util.List;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;

/**
 * One way of storing an array that {@link ArrayDriverContract} runs against: a format with its
 * chunk encoding and layout (precomputed raw, jpeg, sharded, ...; later zarr). It says what it
 * can store and how exactly, and creates arrays; the contract does the rest through
 * {@link BigArray} alone. A new format or encoding joins the contract by adding a driver.
 */
interface ArrayDriver {
    /** What to create: data type, channels, chunk shape, voxel offset and size, all [x, y, z]. */
    record Geometry(DataType type, int channels, long[] chunk, long[] offset, long[] size) {
        long[] grid() {
            long[] g = new long[3];
            for (int i = 0; i < 3; i++) g[i] = Math.ceilDiv(size[i], chunk[i]);
            return g;
        }

        @Override
        public String toString() {
            return type + " c=" + channels + " chunk " + java.util.Arrays.toString(chunk) + " offset " + java.util.Arrays.toString(offset)
                    + " size " + java.util.Arrays.toString(size);
        }
    }

    /** A short name for messages, e.g. "precomputed jpeg sharded(blocks)". */
    String name();

    /** The data types this driver stores (at least one). */
    List<DataType> dataTypes();

    /** The channel counts this driver stores (at least one). */
    List<Integer> channelCounts();

    /**
     * Largest difference between a written value and the value read back, per element, as
     * unsigned integers: 0 for a lossless driver. A lossy codec states it for the data the
     * contract writes (see {@link #grayChannels}).
     */
    default int tolerance() {
        return 0;
    }

    /**
     * Whether the contract writes every channel of a voxel with the same value: jpeg stores an
     * RGB image's colour at half resolution, so only gray RGB round-trips within a rounding
     * tolerance (channel order is the codec contract's concern).
     */
    default boolean grayChannels() {
        return false;
    }

    /** The transport compressions a write may ask for here (NONE at least). */
    List<Compression> transports();

    /**
     * The shape, in chunks, of the blocks that a write without read-modify-write must cover whole
     * (anchored at the voxel offset, truncated by the volume): {1, 1, 1} for a plain chunked
     * layout, a shard's shape for shards that are blocks of the grid; null when only a write of
     * the whole volume covers its blocks (hashed shards).
     */
    long[] writeUnit(Geometry g);

    /**
     * Whether a write of the chunk-aligned box {@code b} covers whole every unit stored at once
     * (so needs no read-modify-write): by default, whole {@link #writeUnit} blocks. Drivers whose
     * units are not blocks (hashed shards) say it exactly.
     */
    default boolean coversWriteUnits(Geometry g, Box b) {
        return ArrayDriverContract.coversWholeBlocks(g, writeUnit(g), b);
    }

    /** Create an empty array of geometry {@code g} at {@code url}, with {@code options}. */
    BigArray create(String url, Geometry g, Options options);
}
