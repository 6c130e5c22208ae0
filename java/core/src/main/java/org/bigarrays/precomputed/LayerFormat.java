package org.bigarrays.precomputed;

import org.bigarrays.core.BufferPool;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;

/**
 * A format driver: how a layer's metadata is stored (precomputed's {@code info}, Zarr's
 * {@code zarr.json}) and how each scale's chunks are named, grouped and encoded. Every format
 * maps its metadata to an {@link Info} (type, channels, scales with size, offset, resolution and
 * chunk shape), the layer model the chunk and array layers work on; the driver keeps what the
 * Info cannot say (Zarr's codecs, fill value, dimension order) and hands each scale a
 * {@link ScaleChunkStore} with its own {@link ChunkStorage} and codec. Implementations are
 * immutable and thread-safe.
 */
public interface LayerFormat {
    /** The format's name, as {@code --format} takes it: precomputed, zarr3, ome-zarr, zarr2. */
    String name();

    /** Whether a layer of this format is stored at {@code root} (its metadata key exists). */
    boolean exists(KeyValueStore root);

    /**
     * The layer at {@code root} as an Info, and the driver bound to its stored metadata.
     * @param where the layer's URI, for messages
     * @throws org.bigarrays.FormatException naming the key when the metadata is malformed or unsupported
     */
    Opened open(KeyValueStore root, String where);

    /** A layer read by {@link #open}: its Info and the driver that knows its stored metadata. */
    record Opened(Info info, LayerFormat format) {}

    /**
     * This format's driver for a new layer described by {@code info} (nothing is written).
     * @throws org.bigarrays.InvalidInputException when this format cannot store {@code info}
     *     (an encoding or sharding it has no equivalent of), naming what
     */
    LayerFormat forNew(Info info);

    /**
     * The generation of the stored metadata that {@link #publish} replaces conditionally (its
     * top-level key), {@link org.bigarrays.kvstore.Generation#NO_VALUE} when there is none.
     */
    String generation(KeyValueStore root);

    /**
     * Make {@code info} the layer's metadata, the top-level key last and only if its generation
     * is still {@code expected} (null: unconditionally): a reader sees the old layer (or none) or this one, never a scale
     * whose metadata is written before the layer lists it.
     * @return whether it was written (false: the top-level key changed meanwhile)
     */
    boolean publish(KeyValueStore root, Info info, String expected);

    /** The stored metadata, for comparing a rerun's with what a crashed run published; null when none. */
    String storedMetadata(KeyValueStore root);

    /** {@code info} as this format would store it, comparable with {@link #storedMetadata}. */
    String metadata(Info info);

    /** The directory of {@code scale}'s chunks under the layer: its key; "" for the layer root (a lone Zarr array). */
    default String scaleDirectory(Scale scale) {
        return scale.key();
    }

    /**
     * The chunk store of scale {@code mip} of {@code info}.
     * @param scaleStore the store rooted at the scale's directory ({@link Scale#key()} under the layer)
     */
    ScaleChunkStore scale(Info info, int mip, KeyValueStore scaleStore, BufferPool buffers, IoBudget io);
}
