package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.BufferPool;

/**
 * The one parser of shard files, with one set of checks, for both ways of reading them: a piece
 * at a time by byte ranges (a cutout) and a whole file at once (read-modify-write, listing).
 * Every malformed input is a {@link CorruptChunkException} naming the shard file (and chunk):
 * the shard index is exactly {@code 16 × 2^minishard_bits} bytes; a minishard index lies inside
 * the file, decodes to a multiple of 24 bytes no larger than 24 bytes per chunk of the grid, and
 * lists only chunks that hash to it; a chunk lies inside the file and decodes to at most the
 * largest chunk's size.
 */
final class ShardFile {
    private static final ValueLayout.OfLong LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ShardFile() {}

    /** A chunk's place in the shard file: absolute {@code [start, end)}. */
    record Entry(long id, long start, long end) {
        long size() {
            return end - start;
        }
    }

    /** A read of shard-index entries starting at {@code entryStart} returned fewer (or more) bytes than asked. */
    static void checkIndexRead(MemorySegment entries, long entryStart, long wanted, ShardingSpec spec, String where) {
        if (entries.byteSize() != wanted) {
            throw new CorruptChunkException(where, "shard index requires " + spec.shardIndexSize() + " bytes (file has "
                    + (entryStart + entries.byteSize()) + ")");
        }
    }

    /**
     * The absolute {@code [start, end)} of minishard {@code m}'s index from its shard-index entry
     * at byte {@code off} of {@code entries}; null for an empty minishard.
     * @param fileSize the shard file's size, or -1 when only part of it was read
     */
    static long[] minishardRange(MemorySegment entries, long off, int m, ShardingSpec spec, ShardLimits limits, long fileSize, String where) {
        long a = entries.get(LE, off);
        long b = entries.get(LE, off + 8);
        if (a == b) return null;
        if (Long.compareUnsigned(b, a) < 0) {
            throw new CorruptChunkException(where, "shard index entry for minishard " + m + " has invalid byte range ["
                    + Long.toUnsignedString(a) + ", " + Long.toUnsignedString(b) + ")");
        }
        long dataStart = spec.shardIndexSize();
        if (a < 0 || b < 0 || b > Long.MAX_VALUE - dataStart) {
            throw new CorruptChunkException(where, "minishard " + m + " index byte range [" + Long.toUnsignedString(a) + ", "
                    + Long.toUnsignedString(b) + ") relative to end of shard index (" + dataStart + ") overflows");
        }
        long s = dataStart + a;
        long e = dataStart + b;
        if (fileSize >= 0 && e > fileSize) {
            throw new CorruptChunkException(where, "minishard " + m + " index at [" + s + ", " + e + ") is beyond the end of the shard file ("
                    + fileSize + " bytes)");
        }
        long cap = limits.maxMinishardIndexBytes();
        long maxStored = spec.minishardIndexEncoding().maxEncodedSize(cap);
        if (e - s > maxStored) {
            throw new CorruptChunkException(where, "minishard " + m + " index of " + (e - s) + " bytes is larger than the " + maxStored
                    + " bytes an index of " + limits.maxChunks() + " chunks can take");
        }
        return new long[] {s, e};
    }

    /** Decode minishard {@code m} of {@code shard} from its stored bytes. */
    static MinishardIndex minishard(MemorySegment stored, long shard, int m, ShardingSpec spec, ShardLimits limits, long fileSize, String where) {
        MemorySegment raw = spec.minishardIndexEncoding().decodeBounded(stored, limits.maxMinishardIndexBytes(), null, where, "minishard " + m + " index").bytes();
        MinishardIndex mi = MinishardIndex.decode(raw, spec.shardIndexSize(), fileSize, where);
        if (mi.size() > limits.maxChunks()) {
            throw new CorruptChunkException(where, "minishard " + m + " index lists " + mi.size() + " chunks, more than the grid's " + limits.maxChunks());
        }
        for (int i = 0; i < mi.size(); i++) {
            long id = mi.id(i);
            if (spec.shardOf(id) != shard || spec.minishardOf(id) != m) {
                throw new CorruptChunkException(where, "minishard " + m + " index lists chunk " + Long.toUnsignedString(id) + ", which belongs to minishard "
                        + spec.minishardOf(id) + " of " + spec.shardFileName(spec.shardOf(id)));
            }
        }
        return mi;
    }

    /** The most bytes a chunk can occupy in the file. */
    static long maxStoredChunk(ShardingSpec spec, ShardLimits limits) {
        return spec.dataEncoding().maxEncodedSize(limits.maxChunkBytes());
    }

    /** Rejects a chunk whose stored size no chunk of this scale can have, before reading it. */
    static void checkStoredSize(long size, ShardingSpec spec, ShardLimits limits, String where) {
        long max = maxStoredChunk(spec, limits);
        if (size > max) throw new CorruptChunkException(where, "chunk of " + size + " stored bytes is larger than the " + max + " any chunk of this scale can take");
    }

    /** A chunk's bytes with {@code data_encoding} undone; in memory from {@code pool} when given and inflated. */
    static Compression.Bounded chunk(MemorySegment stored, ShardingSpec spec, ShardLimits limits, BufferPool pool, String where) {
        return spec.dataEncoding().decodeBounded(stored, limits.maxChunkBytes(), pool, where, "chunk data");
    }

    /**
     * Every chunk of a whole shard file, minishard by minishard, ids ascending within each.
     * @param where the shard file, for messages
     */
    static List<Entry> parse(MemorySegment file, long shard, ShardingSpec spec, ShardLimits limits, String where) {
        long indexSize = spec.shardIndexSize();
        if (file.byteSize() < indexSize) {
            throw new CorruptChunkException(where, "shard index requires " + indexSize + " bytes (file has " + file.byteSize() + ")");
        }
        List<Entry> out = new ArrayList<>();
        for (long m = 0; m < spec.minishardCount(); m++) {
            long[] r = minishardRange(file, 16 * m, (int) m, spec, limits, file.byteSize(), where);
            if (r == null) continue;
            MinishardIndex mi = minishard(file.asSlice(r[0], r[1] - r[0]), shard, (int) m, spec, limits, file.byteSize(), where);
            for (int i = 0; i < mi.size(); i++) {
                Entry e = new Entry(mi.id(i), mi.start(i), mi.end(i));
                checkStoredSize(e.size(), spec, limits, where + ", chunk " + Long.toUnsignedString(e.id()));
                out.add(e);
            }
        }
        return out;
    }
}
