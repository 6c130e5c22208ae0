package org.bigarrays.precomputed;

import org.bigarrays.FormatException;
import org.bigarrays.core.Box;

/** Unsharded chunk names: {@code x0-x1_y0-y1_z0-z1}, base 10, half-open, minus sign for negatives. */
public final class ChunkKeys {
    private ChunkKeys() {}

    public static String of(Box chunk) {
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 3; i++) {
            if (i > 0) sb.append('_');
            sb.append(chunk.min(i)).append('-').append(chunk.max(i));
        }
        return sb.toString();
    }

    /** Parse a chunk name back into its box (a trailing ".gz" or ".zstd", see {@link ChunkNames}, is ignored). */
    public static Box parse(String name) {
        String n = ChunkNames.chunkKey(name);
        String[] axes = n.split("_");
        if (axes.length != 3) throw new FormatException("chunk key '" + name + "': expected x0-x1_y0-y1_z0-z1");
        long[] a = new long[3];
        long[] b = new long[3];
        for (int i = 0; i < 3; i++) {
            // "-100-0": the separating '-' is the first one after the first character
            int dash = axes[i].indexOf('-', 1);
            if (dash < 0) throw new FormatException("chunk key '" + name + "': axis " + i + " '" + axes[i] + "' has no '-'");
            try {
                a[i] = Long.parseLong(axes[i].substring(0, dash));
                b[i] = Long.parseLong(axes[i].substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new FormatException("chunk key '" + name + "': axis " + i + " '" + axes[i] + "' is not start-end");
            }
            if (b[i] <= a[i]) throw new FormatException("chunk key '" + name + "': axis " + i + " has end ≤ start");
        }
        return Box.of(a, b);
    }
}
