package org.bigarrays.array;

import java.util.List;
import java.util.Locale;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.LayerFormat;
import org.bigarrays.precomputed.PrecomputedFormat;
import org.bigarrays.zarr.ZarrFormats;

/**
 * The format drivers this build has, and which one a layer is in: opening detects it from the
 * metadata key found at the root (precomputed's {@code info}, Zarr v3's {@code zarr.json}, Zarr
 * v2's {@code .zarray}), checked in that order; creating takes the one named in
 * {@link Options#format()} (precomputed when none).
 */
final class LayerFormats {
    /** The names {@code --format} takes. */
    static final List<String> NAMES = List.of("precomputed", "zarr3", "ome-zarr", "zarr2");

    private LayerFormats() {}

    /** The layer at {@code root} in the format stored there (or {@code name}, checked); null when there is none. */
    static LayerFormat.Opened open(KeyValueStore root, String where, String name) {
        if (name != null) {
            String n = canonical(name);
            if (n.equals("precomputed")) return PrecomputedFormat.INSTANCE.open(root, where);
            return ZarrFormats.open(root, where, n);
        }
        LayerFormat.Opened p = PrecomputedFormat.INSTANCE.open(root, where);
        return p != null ? p : ZarrFormats.open(root, where, null);
    }

    /** What {@link #open} looked for, for the error when nothing was found. */
    static String lookedFor(String name) {
        if (name == null) return "found neither a precomputed 'info' nor a Zarr 'zarr.json' or '.zarray'";
        return canonical(name).equals("precomputed") ? "key 'info' not found" : "found no Zarr 'zarr.json' or '.zarray'";
    }

    /** The driver for a new layer of {@code info} at {@code root}: the stored layer's format when there is one (a job resuming), else {@code name}'s. */
    static LayerFormat forNew(KeyValueStore root, String where, Info info, Options options) {
        if (options.format() == null) {
            LayerFormat.Opened stored = ZarrFormats.open(root, where, null); // a job resuming on, or adding scales to, a Zarr layer
            if (stored != null) return stored.format().forNew(info);
        }
        String n = options.format() == null ? "precomputed" : canonical(options.format());
        if (n.equals("precomputed")) return PrecomputedFormat.INSTANCE;
        return ZarrFormats.forNew(n, info, options.compression(), options.zstdLevel());
    }

    /** Refuse to create a layer where one of any format exists. */
    static void refuseExisting(KeyValueStore root, String where) {
        String key = existingMetadataKey(root);
        if (key != null) throw new InvalidInputException("a layer already exists at " + where + " (found its " + key + ")");
    }

    /** The metadata key of a layer of any format stored at {@code root} (info, zarr.json, .zarray, .zgroup), or null. */
    static String existingMetadataKey(KeyValueStore root) {
        return PrecomputedFormat.INSTANCE.exists(root) ? PrecomputedFormat.INFO : ZarrFormats.existingKey(root);
    }

    /** The top-level metadata key of {@code format}, for messages. */
    static String metadataKey(LayerFormat format) {
        return format instanceof PrecomputedFormat ? "info" : "zarr.json";
    }

    /** {@code options} with the stored fill value of a Zarr layer, unless the caller chose one. */
    static Options withStoredFill(Options options, LayerFormat.Opened opened) {
        String fill = ZarrFormats.fillText(opened.format());
        if (fill == null || options.fillText() != null || options.fillValue() != 0) return options;
        return options.withFillValue(fill);
    }

    private static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        n = switch (n) {
            case "zarr", "zarr-v3", "zarr3" -> "zarr3";
            case "omezarr", "ome-zarr", "ome" -> "ome-zarr";
            case "zarr-v2", "zarr2" -> "zarr2";
            default -> n;
        };
        if (!NAMES.contains(n)) throw new InvalidInputException("unknown format '" + name + "': expected " + String.join(", ", NAMES));
        return n;
    }
}
