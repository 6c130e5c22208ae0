package org.bigarrays.zarr.codec;

import static org.bigarrays.zarr.codec.ZarrSubjects.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;

/**
 * Random shapes, types and codec lists against a simple model: {@code transpose} as the spec
 * defines it by index mapping ({@code B[B_pos] = A[A_pos]} with {@code B_pos[i] = A_pos[order[i]]}),
 * {@code bytes} big-endian as each element's bytes reversed, and compressors and checksums as
 * round trips.
 */
class ZarrCodecPipelinePropertyTest {
    /** A permutation of 0..rank-1. */
    private static int[] permutation(int rank, SplittableRandom r) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        for (int i = rank - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Shape of {@code rank} with at most ~4000 elements (rank 10: extents 1 or 2). */
    private static long[] shape(int rank, SplittableRandom r) {
        long[] s = new long[rank];
        int max = rank <= 3 ? 12 : rank <= 5 ? 5 : 2;
        for (int i = 0; i < rank; i++) s[i] = 1 + r.nextInt(max);
        return s;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** The spec's definition, element by element over every position of the decoded array. */
    private static byte[] transposeModel(byte[] a, long[] aShape, int[] order, int size) {
        int rank = aShape.length;
        long[] bShape = new long[rank];
        for (int i = 0; i < rank; i++) bShape[i] = aShape[order[i]];
        byte[] b = new byte[a.length];
        long[] aPos = new long[rank];
        for (long n = 0; n < count(aShape); n++) {
            long aLin = 0, bLin = 0;
            for (int d = 0; d < rank; d++) aLin = aLin * aShape[d] + aPos[d];
            for (int i = 0; i < rank; i++) bLin = bLin * bShape[i] + aPos[order[i]];
            System.arraycopy(a, (int) aLin * size, b, (int) bLin * size, size);
            for (int d = rank - 1; d >= 0 && ++aPos[d] == aShape[d]; d--) aPos[d] = 0;
        }
        return b;
    }

    private static byte[] swapModel(byte[] a, int size) {
        byte[] b = a.clone();
        if (size > 1) for (int e = 0; e < a.length; e += size) for (int k = 0; k < size; k++) b[e + k] = a[e + size - 1 - k];
        return b;
    }

    private static String transposeJson(int[] order) {
        return "{\"name\":\"transpose\",\"configuration\":{\"order\":" + Arrays.toString(order) + "}}";
    }

    /** One to three transposes and the byte order, against the model; ranks 0 to 10 (above 8: the element-wise path). */
    @Property(tries = 300)
    void transposesAndByteOrderMatchTheModel(@ForAll @IntRange(min = 0, max = 10) int rank, @ForAll DataType type, @ForAll boolean big,
                                             @ForAll @IntRange(min = 1, max = 3) int transposes, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] shape = shape(rank, r);
        byte[] plain = new byte[(int) (count(shape) * type.size())];
        r.nextBytes(plain);
        StringBuilder codecs = new StringBuilder("[");
        byte[] expected = plain;
        long[] s = shape;
        for (int t = 0; t < transposes; t++) {
            int[] order = permutation(rank, r);
            codecs.append(transposeJson(order)).append(',');
            expected = transposeModel(expected, s, order, type.size());
            long[] next = new long[rank];
            for (int i = 0; i < rank; i++) next[i] = s[order[i]];
            s = next;
        }
        codecs.append("{\"name\":\"bytes\",\"configuration\":{\"endian\":\"").append(big ? "big" : "little").append("\"}}]");
        if (big) expected = swapModel(expected, type.size());

        ZarrCodecPipeline p = ZarrCodecPipeline.parse(json(codecs.toString()), type, shape);
        byte[] stored = p.encode(MemorySegment.ofArray(plain)).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(expected, stored, codecs + " " + Arrays.toString(shape));
        byte[] back = new byte[plain.length];
        p.decode(MemorySegment.ofArray(stored), MemorySegment.ofArray(back), "k");
        assertArrayEquals(plain, back);
    }

    /** Chunks larger than a transpose tile (64 elements a side), with partial tiles at the edges, against the model. */
    @Test
    void largeTransposesMatchTheModel() {
        SplittableRandom r = new SplittableRandom(5);
        long[][] shapes = {{70, 3, 130}, {130, 70}, {65, 2, 2, 129}, {200, 64, 1}};
        for (long[] shape : shapes) {
            for (int k = 0; k < 4; k++) {
                int[] order = permutation(shape.length, r);
                DataType type = List.of(DataType.UINT8, DataType.INT16, DataType.FLOAT32, DataType.UINT64).get(k);
                byte[] plain = new byte[(int) (count(shape) * type.size())];
                r.nextBytes(plain);
                ZarrCodecPipeline p = ZarrCodecPipeline.parse(json("[" + transposeJson(order) + ",{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}]"), type, shape);
                byte[] stored = p.encode(MemorySegment.ofArray(plain)).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(transposeModel(plain, shape, order, type.size()), stored, Arrays.toString(shape) + " " + Arrays.toString(order));
                byte[] back = new byte[plain.length];
                p.decode(MemorySegment.ofArray(stored), MemorySegment.ofArray(back), "k");
                assertArrayEquals(plain, back);
            }
        }
    }

    private static String compressorJson(SplittableRandom r, DataType type) {
        int k = r.nextInt(NativeLibrary.BLOSC.disabledByConfiguration() ? 3 : 4);
        return switch (k) {
            case 0 -> "{\"name\":\"gzip\",\"configuration\":{\"level\":" + r.nextInt(10) + "}}";
            case 1 -> "{\"name\":\"zstd\",\"configuration\":{\"level\":" + (r.nextInt(12) - 3) + ",\"checksum\":" + r.nextBoolean() + "}}";
            case 2 -> "{\"name\":\"crc32c\"}";
            default -> BloscStageContractTest.blosc(List.of("lz4", "lz4hc", "blosclz", "zstd", "zlib").get(r.nextInt(5)), r.nextInt(10),
                    List.of("noshuffle", "shuffle", "bitshuffle").get(r.nextInt(3)), 1 + r.nextInt(8), r.nextBoolean() ? 0 : 1 << (8 + r.nextInt(6)));
        };
    }

    /**
     * Any valid codecs list round-trips any chunk, its JSON parses back to the same list, and a
     * stored chunk cut short or lengthened is corrupt, named by its key.
     */
    @Property(tries = 200)
    void randomPipelinesRoundTrip(@ForAll DataType type, @ForAll @IntRange(min = 1, max = 4) int rank, @ForAll @IntRange(min = 0, max = 3) int compressors,
                                  @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] shape = shape(rank, r);
        List<String> codecs = new ArrayList<>();
        if (r.nextBoolean()) codecs.add(transposeJson(permutation(rank, r)));
        codecs.add("{\"name\":\"bytes\",\"configuration\":{\"endian\":\"" + (r.nextBoolean() ? "big" : "little") + "\"}}");
        for (int i = 0; i < compressors; i++) codecs.add(compressorJson(r, type));
        String list = "[" + String.join(",", codecs) + "]";
        ZarrCodecPipeline p = ZarrCodecPipeline.parse(json(list), type, shape);
        assertEquals(json(list), p.toJson());

        MemorySegment plain = r.nextBoolean() ? ZarrSubjects.sample(type, shape, seed) : random(p.chunkByteSize(), r);
        byte[] stored = p.encode(plain).toArray(ValueLayout.JAVA_BYTE);
        MemorySegment back = MemorySegment.ofArray(new byte[(int) p.chunkByteSize()]);
        p.decode(MemorySegment.ofArray(stored), back, "k");
        assertEquals(-1, plain.mismatch(back), list);

        byte[] cut = Arrays.copyOf(stored, r.nextInt(stored.length));
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> p.decode(MemorySegment.ofArray(cut), back, "c/1/2"), list + " cut to " + cut.length);
        assertEquals("c/1/2", e.key());
        // Every stage knows its end: bytes its size, gzip and zstd their stream's, blosc its header's, crc32c its sum.
        byte[] longer = Arrays.copyOf(stored, stored.length + 1 + r.nextInt(9));
        assertThrows(CorruptChunkException.class, () -> p.decode(MemorySegment.ofArray(longer), back, "k"), list + " with trailing bytes");
    }

    private static MemorySegment random(long n, SplittableRandom r) {
        byte[] b = new byte[(int) n];
        r.nextBytes(b);
        return MemorySegment.ofArray(b);
    }
}
