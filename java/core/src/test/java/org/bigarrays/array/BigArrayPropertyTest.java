package org.bigarrays.array;

import org.bigarrays.core.VolumeModel;

import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;

/**
 * Write-then-read against {@link VolumeModel}, over random data types, channel counts, chunk
 * shapes, voxel offsets (negative too), volume sizes, boxes (inside, partly and wholly outside),
 * fill values, compression and thread counts.
 */
class BigArrayPropertyTest {
    private static final Options SEQUENTIAL = Options.defaults().withThreads(1, 1);
    private static final Options PARALLEL = Options.defaults().withThreads(2, 8);

    /** A volume's shape: what {@code bigarrays create} would be given. */
    record Vol(DataType type, int channels, long[] chunk, long[] offset, long[] size) {
        long cells() {
            long n = 1;
            for (int i = 0; i < 3; i++) n *= Math.ceilDiv(size[i], chunk[i]);
            return n;
        }

        Info info() {
            return Info.builder(type, size, chunk).offset(offset).channels(channels).build();
        }

        VolumeModel model() {
            return new VolumeModel(type, channels, offset, size, chunk);
        }

        @Override
        public String toString() {
            return type + " c=" + channels + " chunk " + Arrays.toString(chunk) + " offset " + Arrays.toString(offset) + " size " + Arrays.toString(size);
        }
    }

    /** A write of random data (from {@code seed}) over [lo, hi). */
    record Write(long[] lo, long[] hi, boolean gzip, long seed) {
        @Override
        public String toString() {
            return "write " + Box.of(lo, hi) + (gzip ? " gzip" : "") + " seed " + seed;
        }
    }

    record Scenario(Vol vol, double writeFill, double readFill, List<Write> writes, List<Box> reads) {}

    // ---------------------------------------------------------------- generators

    private static Arbitrary<long[]> triple(long lo, long hi) {
        return Arbitraries.longs().between(lo, hi).array(long[].class).ofSize(3);
    }

    @Provide
    Arbitrary<Vol> volumes() {
        return Combinators.combine(Arbitraries.of(DataType.class), Arbitraries.integers().between(1, 3),
                        triple(1, 20), triple(-40, 40), triple(1, 24))
                .as(Vol::new)
                .filter(v -> v.cells() <= 1500);
    }

    private static Arbitrary<Box> insideBoxes(Vol v) {
        long[] o = v.offset;
        long[] s = v.size;
        return Combinators.combine(Intervals.inside(o[0], o[0] + s[0]), Intervals.inside(o[1], o[1] + s[1]), Intervals.inside(o[2], o[2] + s[2])).as(Intervals::box);
    }

    private static Arbitrary<Box> alignedBoxes(Vol v) {
        long[] o = v.offset;
        long[] s = v.size;
        long[] c = v.chunk;
        return Combinators.combine(Intervals.aligned(o[0], s[0], c[0]), Intervals.aligned(o[1], s[1], c[1]), Intervals.aligned(o[2], s[2], c[2])).as(Intervals::box);
    }

    private static Arbitrary<Box> readBoxes(Vol v) {
        long[] o = v.offset;
        long[] s = v.size;
        Arbitrary<Box> partly = Intervals.overlappingBox(o, s);
        Arbitrary<Box> wholly = Intervals.outsideBox(o, s);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, insideBoxes(v)), net.jqwik.api.Tuple.of(3, partly), net.jqwik.api.Tuple.of(1, wholly));
    }

    private static Arbitrary<Write> writes(Vol v) {
        return Combinators.combine(Arbitraries.oneOf(alignedBoxes(v), insideBoxes(v)), Arbitraries.of(false, true), Arbitraries.longs())
                .as((b, gz, seed) -> new Write(b.min(), b.max(), gz, seed));
    }

    private static final List<Double> FILL_CANDIDATES = List.of(0.0, 1.0, 42.0, -3.0, 7.5);

    /** Fill values that fit {@code t} (one that does not is an error, tested in FillValueTest). */
    private static Arbitrary<Double> fills(DataType t) {
        return Arbitraries.of(FILL_CANDIDATES.stream().filter(f -> {
            try {
                t.bitsOf(f, "fill");
                return true;
            } catch (org.bigarrays.InvalidInputException doesNotFit) {
                return false;
            }
        }).toList());
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return volumes().flatMap(v -> Combinators.combine(fills(v.type), fills(v.type), writes(v).list().ofMinSize(1).ofMaxSize(3),
                readBoxes(v).list().ofMinSize(1).ofMaxSize(3)).as((wf, rf, w, r) -> new Scenario(v, wf, rf, w, r)));
    }

    // ---------------------------------------------------------------- helpers

    private static String memUrl() {
        return "mem://prop-" + UUID.randomUUID() + "/layer";
    }

    private static void dropMemory(String url) {
        KeyValueStores.dropMemory(url.substring("mem://".length(), url.indexOf("/layer")));
    }

    /** Random data over [lo, hi) as a dense rank-4 view; bool gets 0/1 only. */
    static NdView randomData(Vol v, long[] lo, long[] hi, long seed) {
        long[] shape = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], v.channels};
        NdView d = NdView.allocate(Arena.ofAuto(), v.type, new long[] {lo[0], lo[1], lo[2], 0}, shape);
        SplittableRandom r = new SplittableRandom(seed);
        int e = v.type.size();
        long n = d.elementCount();
        for (long i = 0; i < n; i++) {
            long bits = v.type == DataType.BOOL ? r.nextInt(2) : VolumeModel.mask(v.type, r.nextLong());
            VolumeModel.putBits(d.segment(), i * e, e, bits);
        }
        return d;
    }

    /** Every voxel and channel of {@code got} (read of {@code box}) equals the model's. */
    private static void assertMatches(VolumeModel m, NdView got, Box box, double fill, String what) {
        long fb = VolumeModel.fillBits(m.type, fill);
        for (int c = 0; c < m.channels; c++)
            for (long z = box.min(2); z < box.max(2); z++)
                for (long y = box.min(1); y < box.max(1); y++)
                    for (long x = box.min(0); x < box.max(0); x++) {
                        long want = m.expected(x, y, z, c, fb);
                        long have = VolumeModel.bitsAt(got, x, y, z, c);
                        if (want != have) {
                            fail(what + ": voxel (" + x + "," + y + "," + z + ") channel " + c + " of read " + box + ": expected 0x"
                                    + Long.toHexString(want) + ", found 0x" + Long.toHexString(have) + " (chunk " + m.keyOf(x, y, z)
                                    + (m.inside(x, y, z) ? (m.chunks.containsKey(m.keyOf(x, y, z)) ? " written" : " missing") : " outside") + ")");
                        }
                    }
    }

    /** Apply the scenario's writes (aligned plainly, unaligned with read-modify-write) to {@code a} and the model. */
    private static void applyWrites(BigArray a, VolumeModel m, Scenario s, Options base) {
        boolean onDisk = a.chunks().store() instanceof org.bigarrays.kvstore.FileStore;
        for (Write w : s.writes) {
            boolean aligned = m.isAligned(w.lo, w.hi);
            Compression c = w.gzip ? Compression.GZIP : Compression.NONE;
            // Every chunk stored: the model lists each chunk written (leaving out fill chunks is SparseWritesTest's).
            Options o = base.withFillValue(s.writeFill).withReadModifyWrite(!aligned).withStoreFillChunks(true).withCompression(c);
            NdView data = randomData(s.vol, w.lo, w.hi, w.seed);
            a.withOptions(o).write(data);
            // One name per chunk: CloudFiles' <key>.gz for gzip on local disk, else the plain key
            // (gzip is recognised by its magic on read).
            m.write(data, VolumeModel.fillBits(m.type, s.writeFill), onDisk ? org.bigarrays.precomputed.ChunkNames.localSuffix(c) : "");
        }
    }

    /** The chunk keys the model says exist, with the suffix of their last write. */
    private static List<String> expectedKeys(VolumeModel m) {
        TreeSet<String> keys = new TreeSet<>();
        m.chunks.forEach((k, suffix) -> keys.add(k + suffix));
        return new ArrayList<>(keys);
    }

    private void writeThenReadEqualsReference(String url, Scenario s) {
        Vol v = s.vol;
        VolumeModel m = v.model();
        try (BigArray a = BigArray.create(url, v.info(), PARALLEL)) {
            applyWrites(a, m, s, PARALLEL);
            KeyValueStore scaleStore = a.chunks().store();
            assertEquals(expectedKeys(m), scaleStore.list(""), "chunk keys written (each under one name only)");
            for (Box b : s.reads) {
                NdView seq = a.withOptions(SEQUENTIAL.withFillValue(s.readFill)).read(b);
                NdView par = a.withOptions(PARALLEL.withFillValue(s.readFill)).read(b);
                assertEquals(b, Box.of(Arrays.copyOf(seq.origin(), 3), Arrays.copyOf(seq.box().max(), 3)), "result box");
                assertEquals(v.channels, seq.shape()[3]);
                assertMatches(m, seq, b, s.readFill, "sequential read");
                assertEquals(-1, seq.toSegment(Arena.ofAuto()).mismatch(par.toSegment(Arena.ofAuto())), "parallel read differs from sequential");
            }
            // A reopened array (info parsed back from the store) reads the same.
            try (BigArray again = BigArray.open(url, SEQUENTIAL.withFillValue(s.readFill))) {
                Box b = s.reads.getFirst();
                assertMatches(m, again.read(b), b, s.readFill, "read after reopen");
            }
        }
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 100)
    void writeThenReadEqualsTheReference(@ForAll("scenarios") Scenario s) {
        String url = memUrl();
        try {
            writeThenReadEqualsReference(url, s);
        } finally {
            dropMemory(url);
        }
    }

    @Property(tries = 6)
    void writeThenReadOnAFileStore(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-prop");
        try {
            writeThenReadEqualsReference(dir.resolve("layer").toString(), s);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /** Each mip is its own grid (offset and size halved in x, y): writes at one mip read back there and touch no other. */
    @Property(tries = 30)
    void writeThenReadAtARandomMip(@ForAll("volumes") Vol v, @ForAll @IntRange(min = 0, max = 2) int anyMip, @ForAll long seed) {
        // Mips stop where x and y are 1 voxel: a 1x1 volume has only mip 0.
        int mips = Math.min(3, org.bigarrays.precomputed.InfoBuilder.maxMips(v.size));
        int mip = Math.min(anyMip, mips - 1);
        Info info = Info.builder(v.type, v.size, v.chunk).offset(v.offset).channels(v.channels).mips(mips).build();
        Scale sc = info.scale(mip);
        Vol at = new Vol(v.type, v.channels, sc.chunkSize(), sc.voxelOffset(), sc.size());
        java.util.Random r = new java.util.Random(seed);
        Box w = Arbitraries.oneOf(alignedBoxes(at), insideBoxes(at)).generator(1).next(r).value();
        Box read = readBoxes(at).generator(1).next(r).value();
        VolumeModel m = at.model();
        String url = memUrl();
        try (BigArray a = BigArray.create(url, info, PARALLEL.withReadModifyWrite(true).withFillValue(1))) {
            BigArray am = a.mip(mip);
            assertEquals(Box.at(sc.voxelOffset(), sc.size()), am.bounds());
            NdView data = randomData(at, w.min(), w.max(), seed);
            am.write(data);
            m.write(data, VolumeModel.fillBits(v.type, 1), "");
            assertMatches(m, am.read(read), read, 1, "read at mip " + mip);
            for (int other = 0; other < mips; other++) {
                if (other != mip) assertEquals(List.of(), a.mip(other).chunks().store().list(""), "mip " + other + " was written");
            }
        } finally {
            dropMemory(url);
        }
    }

    /** Writes done in parallel store exactly the bytes a sequential run stores. */
    @Property(tries = 40)
    void parallelWritesStoreWhatSequentialWritesStore(@ForAll("scenarios") Scenario s) {
        String u1 = memUrl();
        String u2 = memUrl();
        try (BigArray seq = BigArray.create(u1, s.vol.info(), SEQUENTIAL); BigArray par = BigArray.create(u2, s.vol.info(), PARALLEL)) {
            applyWrites(seq, s.vol.model(), s, SEQUENTIAL);
            applyWrites(par, s.vol.model(), s, PARALLEL);
            KeyValueStore a = seq.chunks().store();
            KeyValueStore b = par.chunks().store();
            List<String> keys = a.list("");
            assertEquals(keys, b.list(""));
            for (String k : keys) {
                byte[] x = a.read(k).toByteArray();
                byte[] y = b.read(k).toByteArray();
                assertTrue(Arrays.equals(x, y), "chunk " + k + " differs between sequential and parallel writes");
            }
        } finally {
            dropMemory(u1);
            dropMemory(u2);
        }
    }

    /** Strict reads fail on a box outside the volume and on a missing chunk, and otherwise equal non-strict reads. */
    @Property(tries = 40)
    void strictReadsFailOnMissingChunksAndOutsideBoxes(@ForAll("scenarios") Scenario s, @ForAll boolean parallel) {
        String url = memUrl();
        Vol v = s.vol;
        VolumeModel m = v.model();
        try (BigArray a = BigArray.create(url, v.info(), PARALLEL)) {
            applyWrites(a, m, s, PARALLEL);
            BigArray strict = a.withOptions((parallel ? PARALLEL : SEQUENTIAL).withStrict(true).withFillValue(s.readFill));
            for (Box b : s.reads) {
                boolean inside = m.inside(b.min(0), b.min(1), b.min(2)) && m.inside(b.max(0) - 1, b.max(1) - 1, b.max(2) - 1);
                if (!inside) {
                    InvalidInputException e = assertThrows(InvalidInputException.class, () -> strict.read(b));
                    assertTrue(e.getMessage().contains(b.toString()), "message names the box: " + e.getMessage());
                    continue;
                }
                List<String> missing = m.touchedKeys(b.min(), b.max()).stream().filter(k -> !m.chunks.containsKey(k)).toList();
                if (missing.isEmpty()) {
                    assertMatches(m, strict.read(b), b, s.readFill, "strict read");
                } else {
                    MissingChunkException e = assertThrows(MissingChunkException.class, () -> strict.read(b));
                    assertTrue(missing.contains(e.key()), "exception names missing chunk " + e.key() + ", expected one of " + missing);
                    assertTrue(e.getMessage().contains(e.key()) && e.getMessage().contains(b.toString()), e.getMessage());
                }
            }
        } finally {
            dropMemory(url);
        }
    }

    /** Unaligned writes without read-modify-write fail, name the nearest aligned box and store nothing. */
    @Property(tries = 60)
    void unalignedWritesFailNamingTheNearestAlignedBox(@ForAll("volumes") Vol v, @ForAll long seed) {
        Box b = insideBoxes(v).generator(1).next(new java.util.Random(seed)).value();
        VolumeModel m = v.model();
        String url = memUrl();
        try (BigArray a = BigArray.create(url, v.info(), PARALLEL)) {
            NdView data = randomData(v, b.min(), b.max(), seed);
            if (m.isAligned(b.min(), b.max())) {
                a.write(data);
                m.write(data, 0, "");
                assertMatches(m, a.read(b), b, 0, "aligned write");
                return;
            }
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> a.write(data));
            String want = m.nearestAligned(b.min(), b.max());
            assertTrue(e.getMessage().contains(want), "message should name the nearest aligned box " + want + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(b.toString()), "message should name the box: " + e.getMessage());
            assertEquals(List.of(), a.chunks().store().list(""), "a refused write stores nothing");
        } finally {
            dropMemory(url);
        }
    }

    /** Writes that leave the volume fail naming the volume, and store nothing. */
    @Property(tries = 30)
    void writesOutsideTheVolumeFail(@ForAll("volumes") Vol v, @ForAll long seed) {
        Box b = readBoxes(v).generator(1).next(new java.util.Random(seed)).value();
        VolumeModel m = v.model();
        boolean inside = m.inside(b.min(0), b.min(1), b.min(2)) && m.inside(b.max(0) - 1, b.max(1) - 1, b.max(2) - 1);
        if (inside) return;
        String url = memUrl();
        try (BigArray a = BigArray.create(url, v.info(), PARALLEL.withReadModifyWrite(true))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> a.write(randomData(v, b.min(), b.max(), seed)));
            assertTrue(e.getMessage().contains(a.bounds().toString()), "message names the volume: " + e.getMessage());
            assertEquals(List.of(), a.chunks().store().list(""));
        } finally {
            dropMemory(url);
        }
    }

    /** read(box, into) fills a caller's strided sub-view and touches nothing around it. */
    @Property(tries = 40)
    void readIntoACallersStridedSubView(@ForAll("scenarios") Scenario s, @ForAll boolean rank3) {
        Vol v = s.vol;
        VolumeModel m = v.model();
        String url = memUrl();
        try (BigArray a = BigArray.create(url, v.info(), PARALLEL)) {
            applyWrites(a, m, s, PARALLEL);
            Box b = s.reads.getFirst();
            // A bigger buffer with margins of 1..2 voxels, filled with a sentinel.
            long[] lo = {b.min(0) - 1, b.min(1) - 2, b.min(2) - 1, 0};
            long[] shape = {b.size(0) + 3, b.size(1) + 3, b.size(2) + 2, v.channels};
            NdView big = NdView.allocate(Arena.ofAuto(), v.type, lo, shape);
            long sentinel = v.type == DataType.BOOL ? 1 : VolumeModel.mask(v.type, 0x5a5a5a5a5a5a5a5aL);
            for (long i = 0; i < big.elementCount(); i++) VolumeModel.putBits(big.segment(), i * v.type.size(), v.type.size(), sentinel);
            NdView into = big.subView(Box.of(new long[] {b.min(0), b.min(1), b.min(2), 0}, new long[] {b.max(0), b.max(1), b.max(2), v.channels}));
            if (rank3 && v.channels == 1) {
                long[] st = into.strides();
                into = NdView.wrap(into.segment(), into.byteOffset(), v.type, b.min(), b.shape(), new long[] {st[0], st[1], st[2]});
            }
            a.withOptions(PARALLEL.withFillValue(s.readFill)).read(b, into);
            assertMatches(m, big, b, s.readFill, "read into a sub-view");
            for (int c = 0; c < v.channels; c++)
                for (long z = lo[2]; z < lo[2] + shape[2]; z++)
                    for (long y = lo[1]; y < lo[1] + shape[1]; y++)
                        for (long x = lo[0]; x < lo[0] + shape[0]; x++) {
                            boolean in = x >= b.min(0) && x < b.max(0) && y >= b.min(1) && y < b.max(1) && z >= b.min(2) && z < b.max(2);
                            if (!in) assertEquals(sentinel, VolumeModel.bitsAt(big, x, y, z, c), "margin voxel (" + x + "," + y + "," + z + ") was overwritten");
                        }
        } finally {
            dropMemory(url);
        }
    }
}
