package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.core.VolumeModel;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.nativ.ScatterRead;
import org.bigarrays.precomputed.Info;

/**
 * Raw chunks read straight into the cutout (the chunk layer's direct reads: one vectored read
 * per chunk into the output's rows) against a simple model, and against the same reads with
 * direct reads off: random raw layers (uint8, uint16, uint64; one or two channels; chunk shapes
 * that do not divide the volume), random boxes inside and across the volume's edge, missing
 * chunks, chunks stored gzip-compressed under their {@code .gz} name, one and two threads. Direct
 * reads are forced on for every row length here (the property below the library's threshold).
 * {@code ./test} runs this again with native calls off, where the {@code FileChannel} twin reads.
 */
class DirectReadPropertyTest {
    private static final String MIN_ROW = "bigarrays.read.directRowBytes";
    private static final Options ONE = Options.defaults().withThreads(1, 1);
    private static final Options TWO = Options.defaults().withThreads(2, 8);

    record Vol(DataType type, int channels, long[] chunk, long[] offset, long[] size) {
        Info info() {
            return Info.builder(type, size, chunk).offset(offset).channels(channels).build();
        }

        @Override
        public String toString() {
            return type + " c=" + channels + " chunk " + Arrays.toString(chunk) + " offset " + Arrays.toString(offset) + " size " + Arrays.toString(size);
        }
    }

    record Scenario(Vol vol, long seed, double missing, double gzip, List<Box> reads) {}

    private static Arbitrary<long[]> triple(long lo, long hi) {
        return Arbitraries.longs().between(lo, hi).array(long[].class).ofSize(3);
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Vol> vols = Combinators.combine(Arbitraries.of(DataType.UINT8, DataType.UINT16, DataType.UINT64), Arbitraries.integers().between(1, 2),
                triple(1, 12), triple(-20, 20), triple(1, 30)).as(Vol::new).filter(v -> {
                    long cells = 1;
                    for (int i = 0; i < 3; i++) cells *= Math.ceilDiv(v.size[i], v.chunk[i]);
                    return cells <= 600;
                });
        return vols.flatMap(v -> Combinators.combine(Arbitraries.longs(), Arbitraries.of(0.0, 0.2), Arbitraries.of(0.0, 0.15),
                boxes(v).list().ofMinSize(1).ofMaxSize(4)).as((seed, miss, gz, reads) -> new Scenario(v, seed, miss, gz, reads)));
    }

    private static Arbitrary<Box> boxes(Vol v) {
        long[] o = v.offset;
        long[] s = v.size;
        Arbitrary<Box> inside = Combinators.combine(Intervals.inside(o[0], o[0] + s[0]), Intervals.inside(o[1], o[1] + s[1]),
                Intervals.inside(o[2], o[2] + s[2])).as(Intervals::box);
        return Arbitraries.oneOf(inside, Intervals.overlappingBox(o, s));
    }

    @Property(tries = 25)
    void directReadsEqualTheModelAndTheGather(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-direct");
        try {
            Vol v = s.vol;
            VolumeModel m = new VolumeModel(v.type, v.channels, v.offset, v.size, v.chunk);
            try (BigArray a = BigArray.create(dir.resolve("layer").toString(), v.info(), TWO)) {
                NdView all = BigArrayPropertyTest.randomData(toPropertyVol(v), v.offset, end(v), s.seed);
                a.withOptions(TWO.withStoreFillChunks(true)).write(all);
                m.write(all, 0, "");
                // Some chunks missing, some stored gzip-compressed (the same voxels, under <key>.gz).
                SplittableRandom r = new SplittableRandom(s.seed);
                KeyValueStore store = a.chunks().store();
                for (String key : new ArrayList<>(m.chunks.keySet())) {
                    double u = r.nextDouble();
                    if (u < s.missing) {
                        store.delete(key);
                        m.chunks.remove(key);
                    } else if (u < s.missing + s.gzip) {
                        long[][] k = VolumeModel.parseKey(key);
                        Box b = Box.of(new long[] {k[0][0], k[1][0], k[2][0]}, new long[] {k[0][1], k[1][1], k[2][1]});
                        NdView part = NdView.allocate(Arena.ofAuto(), v.type, new long[] {b.min(0), b.min(1), b.min(2), 0}, shape(b, v.channels));
                        part.copyFrom(all.subView(b));
                        a.withOptions(ONE.withCompression(Compression.GZIP)).write(part);
                        m.chunks.put(key, ".gz");
                    }
                }
                for (Box b : s.reads) {
                    for (Options o : List.of(ONE, TWO)) {
                        byte[] direct = read(a.withOptions(o.withFillValue(7)), b, "1");
                        assertMatches(m, direct, b, v, "direct read, " + o.cpuThreads() + " thread(s)");
                        byte[] gathered = read(a.withOptions(o.withFillValue(7)), b, "-1");
                        assertArrayEquals(gathered, direct, "direct vs gathered read of " + b + ", " + ScatterRead.get().name());
                    }
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /** A raw chunk whose bytes begin like gzip, and a truncated one: the same result and the same error as without direct reads. */
    @Example
    void gzipLookingAndTruncatedRawChunksReadAsBefore() throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-direct");
        try (BigArray a = BigArray.create(dir.resolve("layer").toString(), Info.builder(DataType.UINT64, new long[] {16, 8, 4}, new long[] {8, 8, 4}).build())) {
            byte[] chunk = new byte[8 * 8 * 4 * 8];
            new SplittableRandom(3).nextBytes(chunk);
            chunk[0] = 0x1f;
            chunk[1] = (byte) 0x8b;
            chunk[2] = 8;
            a.chunks().store().write("0-8_0-8_0-4", MemorySegment.ofArray(chunk));
            Box first = Box.of(new long[] {0, 0, 0}, new long[] {8, 8, 4});
            assertArrayEquals(chunk, read(a, first, "1"));
            assertArrayEquals(chunk, read(a, first, "-1"));
            a.chunks().store().write("8-16_0-8_0-4", MemorySegment.ofArray(Arrays.copyOf(chunk, chunk.length - 8)));
            Box both = Box.of(new long[] {0, 0, 0}, new long[] {16, 8, 4});
            String direct = assertThrows(CorruptChunkException.class, () -> read(a, both, "1")).getMessage();
            String gathered = assertThrows(CorruptChunkException.class, () -> read(a, both, "-1")).getMessage();
            assertEquals(gathered, direct);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /**
     * Rows of raw chunks longer than one read task's bytes but at most twice that are read as one
     * task each (the gather then writes each output row once): five 2 MiB chunks a row, a chunk
     * missing, an unaligned box across every chunk, one and two threads, against the model.
     */
    @Example
    void rowsOfRawChunksUpToTwiceATaskAreReadWhole() throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-direct");
        try {
            Vol v = new Vol(DataType.UINT8, 1, new long[] {128, 128, 128}, new long[] {0, 0, 0}, new long[] {640, 160, 128});
            VolumeModel m = new VolumeModel(v.type, v.channels, v.offset, v.size, v.chunk);
            try (BigArray a = BigArray.create(dir.resolve("layer").toString(), v.info(), TWO)) {
                NdView all = BigArrayPropertyTest.randomData(toPropertyVol(v), v.offset, end(v), 11);
                a.write(all);
                m.write(all, 0, "");
                a.chunks().store().delete("256-384_0-128_0-128");
                m.chunks.remove("256-384_0-128_0-128");
                Box b = Box.of(new long[] {3, 5, 1}, new long[] {637, 157, 127});
                for (Options o : List.of(ONE, TWO)) {
                    assertMatches(m, read(a.withOptions(o.withFillValue(7)), b, "-1"), b, v, "gathered read, " + o.cpuThreads() + " thread(s)");
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /** {@code read(box, into)} into off-heap memory (what direct reads need) with the threshold set to {@code minRow}. */
    private static byte[] read(BigArray a, Box b, String minRow) {
        String before = System.getProperty(MIN_ROW);
        System.setProperty(MIN_ROW, minRow);
        try (Arena arena = Arena.ofShared()) {
            NdView into = NdView.allocate(arena, a.info().dataType(), new long[] {b.min(0), b.min(1), b.min(2), 0}, shape(b, a.info().numChannels()));
            a.read(b, into);
            return into.segment().asSlice(into.byteOffset(), into.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } finally {
            if (before == null) System.clearProperty(MIN_ROW);
            else System.setProperty(MIN_ROW, before);
        }
    }

    private static void assertMatches(VolumeModel m, byte[] got, Box b, Vol v, String what) {
        NdView view = NdView.wrap(MemorySegment.ofArray(got), v.type, new long[] {b.min(0), b.min(1), b.min(2), 0}, shape(b, v.channels));
        long fill = VolumeModel.fillBits(v.type, 7);
        for (int c = 0; c < v.channels; c++)
            for (long z = b.min(2); z < b.max(2); z++)
                for (long y = b.min(1); y < b.max(1); y++)
                    for (long x = b.min(0); x < b.max(0); x++) {
                        long want = m.expected(x, y, z, c, fill);
                        long have = VolumeModel.bitsAt(view, x, y, z, c);
                        if (want != have) {
                            fail(what + ": voxel (" + x + "," + y + "," + z + ") channel " + c + " of " + b + " in " + v + ": expected 0x"
                                    + Long.toHexString(want) + ", found 0x" + Long.toHexString(have) + " (chunk " + m.keyOf(x, y, z) + ")");
                        }
                    }
    }

    private static long[] shape(Box b, int channels) {
        return new long[] {b.size(0), b.size(1), b.size(2), channels};
    }

    private static long[] end(Vol v) {
        return new long[] {v.offset[0] + v.size[0], v.offset[1] + v.size[1], v.offset[2] + v.size[2]};
    }

    private static BigArrayPropertyTest.Vol toPropertyVol(Vol v) {
        return new BigArrayPropertyTest.Vol(v.type, v.channels, v.chunk, v.offset, v.size);
    }
}
