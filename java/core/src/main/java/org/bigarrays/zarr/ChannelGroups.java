package org.bigarrays.zarr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.CorruptChunkException;

/**
 * A library chunk holds every channel; a Zarr array may split the channels over several chunks
 * (OME-Zarr writers commonly store one channel per chunk). Then one library chunk is
 * {@link #groups} Zarr chunks along c, and the driver carries their stored bytes between its
 * storage and its codec as one packed value: the count, each part's length (-1 for a missing
 * chunk), then the parts. The packing never reaches a store.
 */
final class ChannelGroups {
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final int groups;
    final long perGroup; // channels per Zarr chunk
    final long channels;

    ChannelGroups(long channels, long perGroup) {
        this.channels = channels;
        this.perGroup = perGroup;
        this.groups = Math.toIntExact((channels + perGroup - 1) / perGroup);
    }

    /** Whether each library chunk is one Zarr chunk. */
    boolean single() {
        return groups == 1;
    }

    long first(int group) {
        return group * perGroup;
    }

    long count(int group) {
        return Math.min(perGroup, channels - first(group));
    }

    /** {@code parts} (null: missing) as one value. */
    static MemorySegment pack(List<MemorySegment> parts) {
        long n = 8L * (1 + parts.size());
        for (MemorySegment p : parts) if (p != null) n += p.byteSize();
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(n)]);
        out.set(LONG_LE, 0, parts.size());
        long at = 8L * (1 + parts.size());
        for (int i = 0; i < parts.size(); i++) {
            MemorySegment p = parts.get(i);
            out.set(LONG_LE, 8L * (1 + i), p == null ? -1 : p.byteSize());
            if (p != null) {
                MemorySegment.copy(p, 0, out, at, p.byteSize());
                at += p.byteSize();
            }
        }
        return out;
    }

    /** The parts of a value {@link #pack} made (null: missing), slices of {@code packed}. */
    List<MemorySegment> unpack(MemorySegment packed, String key) {
        long head = 8L * (1 + groups);
        if (packed.byteSize() < head || packed.get(LONG_LE, 0) != groups) {
            throw new CorruptChunkException(key, "not the " + groups + " channel chunks of one library chunk");
        }
        List<MemorySegment> out = new ArrayList<>(groups);
        long at = head;
        for (int i = 0; i < groups; i++) {
            long len = packed.get(LONG_LE, 8L * (1 + i));
            if (len < 0) {
                out.add(null);
                continue;
            }
            if (len > packed.byteSize() - at) throw new CorruptChunkException(key, "channel chunk " + i + " runs past the packed value");
            out.add(packed.asSlice(at, len));
            at += len;
        }
        return out;
    }

    /** Generations of the parts as one (a read-modify-write conditions each part on its own). */
    static String joinGenerations(List<String> generations) {
        return String.join("\u001f", generations);
    }

    List<String> splitGenerations(String joined) {
        if (joined.isEmpty()) return java.util.Collections.nCopies(groups, ""); // every part absent
        String[] g = joined.split("\u001f", -1);
        if (g.length != groups) throw new IllegalArgumentException("expected " + groups + " generations, found " + g.length);
        return List.of(g);
    }
}
