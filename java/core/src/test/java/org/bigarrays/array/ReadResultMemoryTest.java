package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.UUID;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code read(box)} writes each voxel of its result once (issue 25 goal 3): a stored chunk, a
 * missing chunk's fill, or the fill of the part of the box outside the volume, cut into slabs
 * (no longer the whole result filled first). Each voxel of random boxes of a sparse layer, for
 * every data type, is compared with a model; the fill value is not 0, so a voxel the read left
 * alone shows as the new array's 0.
 */
class ReadResultMemoryTest {
    private final String name = "result-" + UUID.randomUUID();
    private final String url = "mem://" + name + "/layer";

    // Volume [-3,7) x [2,11) x [1,8), chunks 4x4x3: edge chunks are cut at every upper face.
    private static final long[] OFFSET = {-3, 2, 1};
    private static final long[] SIZE = {10, 9, 7};
    private static final long[] CHUNK = {4, 4, 3};

    @AfterEach
    void drop() {
        KeyValueStores.dropMemory(name);
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyVoxelOfRandomBoxesOfASparseLayerIsWritten(DataType type) {
        int channels = type.size() == 2 ? 2 : 1; // a multi-channel case among the types
        Info info = Info.builder(type, SIZE, CHUNK).offset(OFFSET[0], OFFSET[1], OFFSET[2]).channels(channels).build();
        long fill = type == DataType.BOOL ? 1 : 5; // not the new array's 0
        try (BigArray created = BigArray.create(url, info)) {
            writeEveryOtherChunk(created, type, channels);
        }
        try (BigArray opened = BigArray.open(url)) {
            BigArray a = opened.withOptions(opened.options().withFillValue(fill));
            SplittableRandom r = new SplittableRandom(type.ordinal());
            for (int k = 0; k < 150; k++) {
                long[] lo = new long[3], hi = new long[3];
                for (int d = 0; d < 3; d++) {
                    // Boxes from well outside to well inside, often straddling a face of the volume.
                    lo[d] = OFFSET[d] - 5 + r.nextInt((int) SIZE[d] + 8);
                    hi[d] = lo[d] + 1 + r.nextInt(12);
                }
                Box box = Box.of(lo, hi);
                check(a.read(box), box, type, channels, fill);
            }
            // Wholly outside, and the whole volume with a margin on every side.
            check(a.read(Box.parse("20,20,20:23,22,21")), Box.parse("20,20,20:23,22,21"), type, channels, fill);
            Box around = Box.of(new long[] {-5, 0, -1}, new long[] {9, 13, 10});
            check(a.read(around), around, type, channels, fill);
        }
    }

    @Test
    void aStrictReadOutsideTheVolumeStillFails() {
        Info info = Info.builder(DataType.UINT8, SIZE, CHUNK).offset(OFFSET[0], OFFSET[1], OFFSET[2]).build();
        try (BigArray a = BigArray.create(url, info)) {
            BigArray strict = a.withOptions(a.options().withStrict(true));
            assertThrows(InvalidInputException.class, () -> strict.read(Box.parse("-4,2,1:0,3,2")));
        }
    }

    /** The value stored at a voxel of a written chunk: never the fill value 5 (bool: 0 or 1, its fill 1). */
    private static long value(DataType type, long x, long y, long z, long c) {
        long h = (x + 3) * 7 + (y - 2) * 13 + (z - 1) * 29 + c * 41;
        return type == DataType.BOOL ? h % 2 : 10 + h % 90;
    }

    private static boolean written(long x, long y, long z) {
        long cx = Math.floorDiv(x - OFFSET[0], CHUNK[0]), cy = Math.floorDiv(y - OFFSET[1], CHUNK[1]), cz = Math.floorDiv(z - OFFSET[2], CHUNK[2]);
        return (cx + cy + cz) % 2 == 0;
    }

    private static boolean inVolume(long x, long y, long z) {
        return x >= OFFSET[0] && x < OFFSET[0] + SIZE[0] && y >= OFFSET[1] && y < OFFSET[1] + SIZE[1] && z >= OFFSET[2] && z < OFFSET[2] + SIZE[2];
    }

    private static void writeEveryOtherChunk(BigArray a, DataType type, int channels) {
        try (Arena arena = Arena.ofConfined()) {
            for (long x0 = OFFSET[0]; x0 < OFFSET[0] + SIZE[0]; x0 += CHUNK[0])
                for (long y0 = OFFSET[1]; y0 < OFFSET[1] + SIZE[1]; y0 += CHUNK[1])
                    for (long z0 = OFFSET[2]; z0 < OFFSET[2] + SIZE[2]; z0 += CHUNK[2]) {
                        if (!written(x0, y0, z0)) continue;
                        long[] shape = {Math.min(CHUNK[0], OFFSET[0] + SIZE[0] - x0), Math.min(CHUNK[1], OFFSET[1] + SIZE[1] - y0),
                                Math.min(CHUNK[2], OFFSET[2] + SIZE[2] - z0), channels};
                        NdView v = NdView.allocate(arena, type, new long[] {x0, y0, z0, 0}, shape);
                        for (long c = 0; c < channels; c++)
                            for (long z = z0; z < z0 + shape[2]; z++)
                                for (long y = y0; y < y0 + shape[1]; y++)
                                    for (long x = x0; x < x0 + shape[0]; x++) v.set(new long[] {x, y, z, c}, value(type, x, y, z, c));
                        a.write(v);
                    }
        }
    }

    private static void check(NdView got, Box box, DataType type, int channels, long fill) {
        for (long c = 0; c < channels; c++)
            for (long z = box.min(2); z < box.max(2); z++)
                for (long y = box.min(1); y < box.max(1); y++)
                    for (long x = box.min(0); x < box.max(0); x++) {
                        long want = inVolume(x, y, z) && written(x, y, z) ? value(type, x, y, z, c) : fill;
                        long[] at = {x, y, z, c};
                        assertEquals(want, got.getAsLong(at), () -> type + " box " + box + " voxel " + java.util.Arrays.toString(at));
                    }
    }
}
