package org.bigarrays.zarr;

import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.LayerFormat;

/** The Zarr format drivers (v3 arrays, OME-Zarr 0.5 multiscale groups, v2 arrays read only), for the array layer. */
public final class ZarrFormats {
    private ZarrFormats() {}

    /** The Zarr layer at {@code root} ({@code name}: zarr3, ome-zarr, zarr2, or null for any); null when none is there. */
    public static LayerFormat.Opened open(KeyValueStore root, String where, String name) {
        return ZarrFormat.openAt(root, where, name);
    }

    /** A driver writing {@code info} as a new layer in format {@code name} (zarr3 or ome-zarr). */
    public static LayerFormat forNew(String name, Info info, org.bigarrays.codec.Compression compression, int zstdLevel) {
        return ZarrFormat.forNew(name, info, compression, zstdLevel);
    }

    /** The Zarr metadata key stored at {@code root}, or null. */
    public static String existingKey(KeyValueStore root) {
        if (root.exists("zarr.json")) return "zarr.json";
        if (root.exists(".zarray")) return ".zarray";
        if (root.exists(".zgroup")) return ".zgroup";
        return null;
    }

    /** The fill value of a Zarr layer's driver as decimal text, null for other formats or a zero fill. */
    public static String fillText(LayerFormat format) {
        return format instanceof ZarrFormat z ? z.fillText() : null;
    }
}
