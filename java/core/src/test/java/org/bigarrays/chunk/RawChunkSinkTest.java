package org.bigarrays.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * {@link RawChunkSink} against a voxel-by-voxel model: a raw chunk's bytes, delivered in random
 * pieces (after a failed attempt that delivered garbage for part of the value), land in the
 * output exactly where the box needs them, and nothing else in the output changes.
 */
class RawChunkSinkTest {
    private static final DataType[] TYPES = {DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64};
    private static final byte SENTINEL = (byte) 0xA5;

    @Property(tries = 300)
    void piecesLandWhereTheBoxNeedsThem(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int type, @ForAll @IntRange(min = 1, max = 3) int channels) {
        Random r = new Random(seed);
        DataType dt = TYPES[type];
        int es = dt.size();
        long[] shape = {1 + r.nextInt(9), 1 + r.nextInt(7), 1 + r.nextInt(5)};
        long[] origin = {r.nextInt(20) - 10, r.nextInt(20) - 10, r.nextInt(20) - 10};
        Box chunkBox = Box.at(origin, shape);
        ChunkLayout layout = new ChunkLayout(shape, channels, dt);
        // A box that meets the chunk: partly inside, wholly inside, or covering it.
        long[] bmin = new long[3];
        long[] bmax = new long[3];
        for (int d = 0; d < 3; d++) {
            bmin[d] = origin[d] + r.nextInt((int) shape[d]) - r.nextInt(3);
            bmax[d] = Math.max(bmin[d] + 1, origin[d] + 1) + r.nextInt((int) shape[d] + 2);
            if (bmax[d] <= origin[d]) bmax[d] = origin[d] + 1;
        }
        Box box = Box.of(bmin, bmax);
        Box overlap = chunkBox.intersect(box);
        // The output: x contiguous, padded y/z/channel strides, an offset into a larger segment.
        long[] oshape = {box.size(0), box.size(1), box.size(2), channels};
        long sy = oshape[0] * es + r.nextInt(3) * es;
        long sz = sy * oshape[1] + r.nextInt(3) * es;
        long sc = sz * oshape[2] + r.nextInt(3) * es;
        long offset = r.nextInt(4) * es;
        byte[] outBytes = new byte[(int) (offset + sc * channels + es)];
        java.util.Arrays.fill(outBytes, SENTINEL);
        NdView out = NdView.wrap(MemorySegment.ofArray(outBytes), offset, dt, new long[] {bmin[0], bmin[1], bmin[2], 0}, oshape, new long[] {es, sy, sz, sc});

        byte[] chunk = new byte[(int) layout.byteSize()];
        r.nextBytes(chunk);
        RawChunkSink sink = new RawChunkSink(layout, chunkBox, box, out);
        assertFalse(sink.begin(chunk.length + 1), "a value of another size is declined");
        // A failed attempt: part of the value, garbage.
        assertTrue(sink.begin(chunk.length));
        byte[] garbage = new byte[chunk.length];
        r.nextBytes(garbage);
        deliver(sink, garbage, r.nextInt(chunk.length + 1), r);
        // The retry delivers every byte again.
        assertTrue(sink.begin(chunk.length));
        deliver(sink, chunk, chunk.length, r);

        byte[] expected = new byte[outBytes.length];
        java.util.Arrays.fill(expected, SENTINEL);
        for (int c = 0; c < channels; c++) {
            for (long z = overlap.min(2); z < overlap.max(2); z++) {
                for (long y = overlap.min(1); y < overlap.max(1); y++) {
                    for (long x = overlap.min(0); x < overlap.max(0); x++) {
                        long src = (((c * shape[2] + (z - origin[2])) * shape[1] + (y - origin[1])) * shape[0] + (x - origin[0])) * es;
                        long dst = offset + (x - bmin[0]) * es + (y - bmin[1]) * sy + (z - bmin[2]) * sz + c * sc;
                        System.arraycopy(chunk, (int) src, expected, (int) dst, es);
                    }
                }
            }
        }
        assertArrayEquals(expected, outBytes, "chunk " + chunkBox + " box " + box + " " + dt + " x" + channels);
        byte[] prefix = sink.prefix().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertEquals(Math.min(4, chunk.length), prefix.length);
        assertArrayEquals(java.util.Arrays.copyOf(chunk, prefix.length), prefix, "the value's first bytes, not the failed attempt's");
    }

    /** The first {@code upTo} bytes of {@code value} in random pieces, in order. */
    private static void deliver(RawChunkSink sink, byte[] value, int upTo, Random r) {
        int pos = 0;
        while (pos < upTo) {
            int n = Math.min(upTo - pos, 1 + r.nextInt(Math.max(1, value.length / 3)));
            sink.accept(pos, MemorySegment.ofArray(value).asSlice(pos, n));
            pos += n;
        }
    }
}
