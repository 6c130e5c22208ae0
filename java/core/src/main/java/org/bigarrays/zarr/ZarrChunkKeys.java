package org.bigarrays.zarr;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.ChunkGrid;

/**
 * Grid cells of the library ({@code [x, y, z]}, channels never split) to a Zarr array's chunk
 * keys and back, through the array's {@link AxisMapping} and {@link ChunkKeyEncoding}.
 */
final class ZarrChunkKeys {
    private final AxisMapping axes;
    private final ChunkKeyEncoding encoding;

    private final long channelGroups; // chunks along c (ChannelGroups)

    ZarrChunkKeys(AxisMapping axes, ChunkKeyEncoding encoding, long channelGroups) {
        this.axes = axes;
        this.encoding = encoding;
        this.channelGroups = channelGroups;
    }

    /** The chunk grid position in stored dimension order of library cell {@code cell}. */
    long[] stored(long[] cell) {
        return axes.toStored(new long[] {cell[0], cell[1], cell[2], 0}, 0);
    }

    /** The key of library cell {@code cell}. */
    String key(long[] cell) {
        return encoding.key(stored(cell));
    }

    /** The key of channel group {@code group} of library cell {@code cell} (see {@link ChannelGroups}). */
    String key(long[] cell, int group) {
        return encoding.key(axes.toStored(new long[] {cell[0], cell[1], cell[2], group}, 0));
    }

    /** The library cell {@code [x, y, z]} of chunk key {@code key}, or null when it is no chunk key of this array or outside {@code grid}. */
    long[] cellOf(String key, ChunkGrid grid) {
        String rest = key;
        if (!encoding.v2()) {
            if (!rest.startsWith("c")) return null;
            rest = rest.substring(1);
            if (axes.rank() > 0) {
                if (rest.isEmpty() || rest.charAt(0) != encoding.separator()) return null;
                rest = rest.substring(1);
            }
        }
        String[] parts = rest.split(java.util.regex.Pattern.quote(String.valueOf(encoding.separator())), -1);
        if (parts.length != axes.rank()) return null;
        long[] stored = new long[parts.length];
        for (int d = 0; d < parts.length; d++) {
            if (parts[d].isEmpty() || parts[d].length() > 18) return null;
            for (int i = 0; i < parts[d].length(); i++) if (!Character.isDigit(parts[d].charAt(i))) return null;
            stored[d] = Long.parseLong(parts[d]);
            if (axes.libraryAxis(d) < 0 && stored[d] != 0) return null; // a dropped dimension has one chunk
            if (axes.libraryAxis(d) == AxisMapping.C && stored[d] >= channelGroups) return null;
        }
        long[] lib = axes.toLibrary(stored, 0);
        long[] cell = {lib[0], lib[1], lib[2]};
        long[] g = grid.gridShape();
        for (int i = 0; i < 3; i++) if (cell[i] >= g[i]) return null;
        return cell;
    }

    /** The library cells of the stored keys among {@code keys}. */
    List<long[]> cells(List<String> keys, ChunkGrid grid) {
        List<long[]> out = new ArrayList<>();
        for (String k : keys) {
            long[] c = cellOf(k, grid);
            if (c != null) out.add(c);
        }
        return out;
    }
}
