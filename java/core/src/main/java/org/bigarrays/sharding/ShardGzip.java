package org.bigarrays.sharding;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;

/**
 * gzip for shard data and minishard indexes through the same gzip chunks use
 * ({@link Compression#GZIP}: libdeflate, with the java.util.zip twin). Inflation is bounded:
 * the output buffer is exactly the size the gzip trailer declares, and that size must not
 * exceed the caller's cap, so a bomb is rejected before (or, with a lying trailer, within one
 * buffer of) inflating.
 */
final class ShardGzip {
    private static final int HEADER_AND_TRAILER = 18;

    private ShardGzip() {}

    static MemorySegment gzip(MemorySegment in) {
        return Compression.GZIP.compress(in);
    }

    /** What the inflated bytes live in: a heap segment, or a lease the caller now owns. */
    record Inflated(MemorySegment bytes, Lease lease) {}

    /**
     * Inflate {@code stored} ({@code what} at {@code where}, for messages) into at most
     * {@code cap} bytes, in memory from {@code pool} when given.
     * @throws CorruptChunkException on anything but one gzip member inflating to ≤ cap bytes
     */
    static Inflated gunzip(MemorySegment stored, long cap, BufferPool pool, String where, String what) {
        long n = stored.byteSize();
        if (n < HEADER_AND_TRAILER) {
            throw new CorruptChunkException(where, what + " is not valid gzip data: " + n + " bytes is shorter than a gzip header and trailer");
        }
        if (stored.get(ValueLayout.JAVA_BYTE, 0) != (byte) 0x1f || stored.get(ValueLayout.JAVA_BYTE, 1) != (byte) 0x8b) {
            throw new CorruptChunkException(where, what + " is not valid gzip data: no gzip magic number");
        }
        // ISIZE: the inflated length mod 2^32. Our caps are far below 4 GiB in practice; a larger
        // cap still bounds the buffer, and a stream longer than ISIZE overflows it and is rejected.
        long declared = Integer.toUnsignedLong(stored.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), n - 4));
        if (declared > cap) {
            throw new CorruptChunkException(where, what + " declares " + declared + " inflated bytes, more than the " + cap + " it can have");
        }
        // One spare byte: the java.util.zip twin cannot finish even an empty stream into a
        // buffer with no room left, and a stream longer than declared still overflows it.
        long room = declared + 1;
        Lease lease = pool == null ? null : pool.lease(room);
        MemorySegment into = lease != null ? lease.segment()
                : room <= Integer.MAX_VALUE - 16 ? MemorySegment.ofArray(new byte[(int) room])
                : java.lang.foreign.Arena.ofAuto().allocate(room);
        try {
            long got;
            try {
                got = Compression.GZIP.decompress(stored, into, where);
            } catch (CorruptChunkException e) {
                throw new CorruptChunkException(where, what + " is not valid gzip data: " + detail(e), e);
            }
            if (got != declared) {
                throw new CorruptChunkException(where, what + " is not valid gzip data: inflated " + got + " bytes, its trailer says " + declared);
            }
            return new Inflated(into.asSlice(0, declared), lease);
        } catch (RuntimeException e) {
            if (lease != null) lease.close();
            throw e;
        }
    }

    // The codec's message without its "corrupt chunk 'key': " opening, which ours repeats.
    private static String detail(CorruptChunkException e) {
        String m = e.getMessage();
        String open = "corrupt chunk '" + e.key() + "': ";
        return m != null && m.startsWith(open) ? m.substring(open.length()) : String.valueOf(m);
    }
}
