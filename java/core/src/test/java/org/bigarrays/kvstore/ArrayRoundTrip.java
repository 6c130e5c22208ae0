package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;

/**
 * A uint8 layer written through {@link BigArray} and read back by boxes, compared voxel by voxel
 * with a plain Java reference array (x fastest): the array-level check every store must pass.
 */
public final class ArrayRoundTrip {
    public final long[] size;
    public final byte[] reference;

    public ArrayRoundTrip(long[] size, long seed) {
        this.size = size.clone();
        this.reference = new byte[Math.toIntExact(size[0] * size[1] * size[2])];
        new Random(seed).nextBytes(reference);
    }

    public Info info(long chunk) {
        return Info.builder(DataType.UINT8, size, new long[] {chunk, chunk, chunk}).build();
    }

    /** Create the layer at {@code url} and write the whole reference volume (aligned). */
    public BigArray createAndWrite(String url, long chunk, Options options) {
        BigArray a = BigArray.create(url, info(chunk), options);
        NdView all = NdView.wrap(MemorySegment.ofArray(reference.clone()), DataType.UINT8, new long[] {0, 0, 0}, size);
        a.write(all);
        return a;
    }

    /** The reference voxels of {@code box} (inside the volume), x fastest. */
    public byte[] expected(Box box) {
        byte[] out = new byte[Math.toIntExact(box.volume())];
        int i = 0;
        for (long z = box.min(2); z < box.max(2); z++) {
            for (long y = box.min(1); y < box.max(1); y++) {
                for (long x = box.min(0); x < box.max(0); x++) {
                    out[i++] = reference[(int) (x + size[0] * (y + size[1] * z))];
                }
            }
        }
        return out;
    }

    /** Read {@code box} from {@code a} and assert it equals the reference exactly. */
    public void assertReads(BigArray a, Box box) {
        try (Arena arena = Arena.ofShared()) { // chunks are copied in by worker threads
            NdView v = a.read(box, arena);
            byte[] got = v.toByteArray();
            assertEquals(box.volume(), got.length, "voxels read for " + box);
            assertArrayEquals(expected(box), got, "voxels of " + box + " from " + a.uri());
        }
    }

    /** A few boxes worth checking: the whole volume, an unaligned interior box, a corner. */
    public Box[] boxes() {
        return new Box[] {
            Box.of(new long[] {0, 0, 0}, size.clone()),
            Box.of(new long[] {13, 70, 5}, new long[] {Math.min(size[0], 141), Math.min(size[1], 200), Math.min(size[2], 99)}),
            Box.of(new long[] {size[0] - 1, size[1] - 1, size[2] - 1}, size.clone()),
        };
    }
}
