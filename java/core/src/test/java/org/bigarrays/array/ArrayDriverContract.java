package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.core.VolumeModel;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;

/**
 * What every way of storing an array must do, written once and run over every {@link ArrayDriver}
 * a subclass lists (TensorStore's driver basic-functionality suite is the model): writes of random
 * boxes (aligned, unaligned with read-modify-write, overlapping, up to the volume's edges, with
 * any transport compression the driver allows) read back as {@link VolumeModel} says, missing
 * chunks as the fill value, sequentially and in parallel, into a caller's strided view and after
 * reopening; parallel writers store the very bytes a sequential one stores; strict reads fail on
 * missing chunks and boxes outside the volume; writes that need read-modify-write fail without it
 * and change nothing.
 *
 * <p>Each try draws one scenario (geometry, fills, writes, reads) and runs it on every driver,
 * the data type and channel count picked among those the driver stores: every driver runs in
 * every try, and a failure names the driver, the store and the geometry. Round trips run on every
 * {@link DriverStore}; the other properties on memory only (what a store adds, persistence,
 * names and listing, is the round trips' and the store contracts' concern).
 */
abstract class ArrayDriverContract {
    static final Options SEQUENTIAL = Options.defaults().withThreads(1, 1);
    static final Options PARALLEL = Options.defaults().withThreads(2, 8);
    private static final List<Double> FILL_CANDIDATES = List.of(0.0, 1.0, 42.0, -3.0, 7.5);

    /** The drivers under test. */
    abstract List<ArrayDriver> drivers();

    /** Chunk grid and volume, without data type (each driver picks one it stores). */
    record Shape(long[] chunk, long[] offset, long[] size) {
        long cells() {
            long n = 1;
            for (int i = 0; i < 3; i++) n *= Math.ceilDiv(size[i], chunk[i]);
            return n;
        }

        @Override
        public String toString() {
            return "chunk " + Arrays.toString(chunk) + " offset " + Arrays.toString(offset) + " size " + Arrays.toString(size);
        }
    }

    /** A write of random data (from {@code seed}) over [lo, hi), with the {@code transport}-th compression the driver allows. */
    record Write(long[] lo, long[] hi, int transport, long seed) {
        Box box() {
            return Box.of(lo, hi);
        }

        @Override
        public String toString() {
            return "write " + box() + " transport#" + transport + " seed " + seed;
        }
    }

    /** Picks (type, channels, fills) are indexes into what the driver allows, modulo its size. */
    record Scenario(Shape shape, int typePick, int channelPick, int writeFillPick, int readFillPick, List<Write> writes, List<Box> reads) {}

    /** One driver on one store, with the scenario's picks resolved. */
    record Run(ArrayDriver driver, DriverStore store, ArrayDriver.Geometry g, double writeFill, double readFill) {
        static Run of(ArrayDriver d, DriverStore store, Scenario s) {
            DataType t = d.dataTypes().get(s.typePick % d.dataTypes().size());
            int c = d.channelCounts().get(s.channelPick % d.channelCounts().size());
            List<Double> fills = fills(t);
            var g = new ArrayDriver.Geometry(t, c, s.shape.chunk, s.shape.offset, s.shape.size);
            return new Run(d, store, g, fills.get(s.writeFillPick % fills.size()), fills.get(s.readFillPick % fills.size()));
        }

        VolumeModel model() {
            return new VolumeModel(g.type(), g.channels(), g.offset(), g.size(), g.chunk());
        }

        @Override
        public String toString() {
            return driver.name() + " on " + store.name().toLowerCase(java.util.Locale.ROOT) + ", " + g + ", write fill " + writeFill + ", read fill " + readFill;
        }
    }

    // ---------------------------------------------------------------- generators

    private static Arbitrary<long[]> triple(long lo, long hi) {
        return Arbitraries.longs().between(lo, hi).array(long[].class).ofSize(3);
    }

    /** Small volumes (every driver runs each one): up to 64 chunks, edge chunks truncated most of the time. */
    @Provide
    Arbitrary<Shape> shapes() {
        return Combinators.combine(triple(1, 12), triple(-20, 20), triple(1, 24)).as(Shape::new).filter(v -> v.cells() <= 64);
    }

    static Box whole(Shape v) {
        return Box.of(v.offset, new long[] {v.offset[0] + v.size[0], v.offset[1] + v.size[1], v.offset[2] + v.size[2]});
    }

    static Arbitrary<Box> insideBoxes(Shape v) {
        long[] o = v.offset;
        long[] s = v.size;
        return Combinators.combine(Intervals.inside(o[0], o[0] + s[0]), Intervals.inside(o[1], o[1] + s[1]), Intervals.inside(o[2], o[2] + s[2])).as(Intervals::box);
    }

    /** Boxes on the boundaries of blocks of 2^k x 2^k x 2^k chunks: k = 0 is chunk-aligned, larger k may be shard-aligned. */
    static Arbitrary<Box> alignedBoxes(Shape v) {
        long[] o = v.offset;
        long[] s = v.size;
        long[] c = v.chunk;
        return Arbitraries.of(1L, 1L, 2L, 4L).flatMap(k -> Combinators.combine(Intervals.aligned(o[0], s[0], k * c[0]), Intervals.aligned(o[1], s[1], k * c[1]),
                Intervals.aligned(o[2], s[2], k * c[2])).as(Intervals::box));
    }

    static Arbitrary<Box> readBoxes(Shape v) {
        long[] o = v.offset;
        long[] s = v.size;
        Arbitrary<Box> partly = Intervals.overlappingBox(o, s);
        Arbitrary<Box> wholly = Intervals.outsideBox(o, s);
        return Arbitraries.frequencyOf(Tuple.of(3, insideBoxes(v)), Tuple.of(3, partly), Tuple.of(1, wholly), Tuple.of(1, Arbitraries.just(whole(v))));
    }

    private static Arbitrary<Write> writes(Shape v) {
        Arbitrary<Box> boxes = Arbitraries.frequencyOf(Tuple.of(3, alignedBoxes(v)), Tuple.of(3, insideBoxes(v)), Tuple.of(1, Arbitraries.just(whole(v))));
        return Combinators.combine(boxes, Arbitraries.integers().between(0, 15), Arbitraries.longs())
                .as((b, t, seed) -> new Write(b.min(), b.max(), t, seed));
    }

    private static Arbitrary<Integer> pick() {
        return Arbitraries.integers().between(0, 1 << 20);
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return shapes().flatMap(v -> Combinators.combine(pick(), pick(), pick(), pick(), writes(v).list().ofMinSize(1).ofMaxSize(3),
                readBoxes(v).list().ofMinSize(1).ofMaxSize(3)).as((t, c, wf, rf, w, r) -> new Scenario(v, t, c, wf, rf, w, r)));
    }

    /** Fill values that fit {@code t} (one that does not is an error, tested in FillValueTest). */
    static List<Double> fills(DataType t) {
        return FILL_CANDIDATES.stream().filter(f -> {
            try {
                t.bitsOf(f, "fill");
                return true;
            } catch (InvalidInputException doesNotFit) {
                return false;
            }
        }).toList();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Run {@code body} on every driver and store. Every run goes ahead whatever the others do, and
     * one failure lists every failed run by name (driver, store, geometry, fills), the first one's
     * stack trace attached: a driver that fails does not hide what the others do.
     */
    void forEachRun(Scenario s, List<DriverStore> stores, java.util.function.BiConsumer<Run, String> body) {
        List<String> failed = new ArrayList<>();
        Throwable first = null;
        for (ArrayDriver d : drivers()) {
            for (DriverStore store : stores) {
                Run run = Run.of(d, store, s);
                String url = store.newUrl();
                try {
                    body.accept(run, url);
                } catch (AssertionError | RuntimeException e) {
                    failed.add(run + ": " + e);
                    if (first == null) first = e;
                } finally {
                    store.drop(url);
                }
            }
        }
        if (!failed.isEmpty()) throw new AssertionError(failed.size() + " failed run(s):\n  " + String.join("\n  ", failed), first);
    }

    /** Random data over [lo, hi) as a dense rank-4 view: bool gets 0/1, gray drivers one value per voxel. */
    static NdView randomData(Run run, long[] lo, long[] hi, long seed) {
        var g = run.g;
        long[] shape = {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], g.channels()};
        NdView d = NdView.allocate(Arena.ofAuto(), g.type(), new long[] {lo[0], lo[1], lo[2], 0}, shape);
        SplittableRandom r = new SplittableRandom(seed);
        int e = g.type().size();
        long voxels = shape[0] * shape[1] * shape[2];
        long[] first = new long[Math.toIntExact(voxels)];
        for (int c = 0; c < g.channels(); c++) {
            for (long i = 0; i < voxels; i++) {
                long bits = g.type() == DataType.BOOL ? r.nextInt(2) : VolumeModel.mask(g.type(), r.nextLong());
                if (run.driver.grayChannels()) {
                    if (c == 0) first[(int) i] = bits;
                    else bits = first[(int) i];
                }
                VolumeModel.putBits(d.segment(), (i + c * voxels) * e, e, bits);
            }
        }
        return d;
    }

    /** Whether {@code b} covers whole blocks of {@code unit} chunks (truncated by the volume); null unit: the whole volume only. */
    static boolean coversWholeBlocks(ArrayDriver.Geometry g, long[] unit, Box b) {
        if (unit == null) return b.equals(Box.of(g.offset(), new long[] {g.offset()[0] + g.size()[0], g.offset()[1] + g.size()[1], g.offset()[2] + g.size()[2]}));
        for (int i = 0; i < 3; i++) {
            long block = unit[i] * g.chunk()[i];
            long end = g.offset()[i] + g.size()[i];
            if (Math.floorMod(b.min(i) - g.offset()[i], block) != 0) return false;
            if (Math.floorMod(b.max(i) - g.offset()[i], block) != 0 && b.max(i) != end) return false;
        }
        return true;
    }

    /** Whether writing {@code b} needs read-modify-write on this run's driver. */
    static boolean needsReadModifyWrite(Run run, Box b) {
        return !coversWholeBlocks(run.g, new long[] {1, 1, 1}, b) || !run.driver.coversWriteUnits(run.g, b);
    }

    /** Apply the scenario's writes (read-modify-write where the driver needs it) to {@code a} and the model. */
    static void applyWrites(BigArray a, VolumeModel m, Run run, Scenario s, Options base) {
        for (Write w : s.writes) {
            List<Compression> ts = run.driver.transports();
            // Every chunk stored: the model lists each chunk written (leaving out fill chunks is SparseWritesTest's).
            Options o = base.withFillValue(run.writeFill).withReadModifyWrite(needsReadModifyWrite(run, w.box())).withStoreFillChunks(true)
                    .withCompression(ts.get(w.transport % ts.size()));
            NdView data = randomData(run, w.lo, w.hi, w.seed);
            a.withOptions(o).write(data);
            m.write(data, VolumeModel.fillBits(m.type, run.writeFill), "");
        }
    }

    /** Every voxel and channel of {@code got} over {@code box} is the model's, within the driver's tolerance. */
    static void assertMatches(Run run, VolumeModel m, NdView got, Box box, double fill, String what) {
        long fb = VolumeModel.fillBits(m.type, fill);
        int tol = run.driver.tolerance();
        for (int c = 0; c < m.channels; c++)
            for (long z = box.min(2); z < box.max(2); z++)
                for (long y = box.min(1); y < box.max(1); y++)
                    for (long x = box.min(0); x < box.max(0); x++) {
                        long want = m.expected(x, y, z, c, fb);
                        long have = VolumeModel.bitsAt(got, x, y, z, c);
                        if (want != have && (tol == 0 || Math.abs(want - have) > tol)) {
                            fail(what + ": voxel (" + x + "," + y + "," + z + ") channel " + c + " of read " + box + ": expected 0x"
                                    + Long.toHexString(want) + ", found 0x" + Long.toHexString(have) + (tol > 0 ? " (tolerance " + tol + ")" : "")
                                    + " (chunk " + m.keyOf(x, y, z)
                                    + (m.inside(x, y, z) ? (m.chunks.containsKey(m.keyOf(x, y, z)) ? " written" : " missing") : " outside") + ")");
                        }
                    }
    }

    /** The boxes of the chunks {@code a} stores, sorted (sharded or not: from the listing or the shard indexes). */
    static List<String> storedChunks(BigArray a) {
        TreeSet<String> out = new TreeSet<>();
        a.chunks().stored().forEach(cell -> out.add(a.grid().cellBox(cell).toString()));
        return new ArrayList<>(out);
    }

    static List<String> modelChunks(VolumeModel m) {
        TreeSet<String> out = new TreeSet<>();
        for (String k : m.chunks.keySet()) {
            long[][] r = VolumeModel.parseKey(k);
            out.add(Box.of(new long[] {r[0][0], r[1][0], r[2][0]}, new long[] {r[0][1], r[1][1], r[2][1]}).toString());
        }
        return new ArrayList<>(out);
    }

    /** Every key of the layer at {@code url} with its bytes, in key order. */
    static TreeMap<String, byte[]> storedBytes(String url) {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (KeyValueStore root = KeyValueStores.open(URI.create(url.contains("://") ? url : java.nio.file.Path.of(url).toUri().toString()))) {
            for (String k : root.list("")) out.put(k, root.read(k).toByteArray());
        }
        return out;
    }

    private static NdView readInto(BigArray a, Run run, Box b, long sentinel) {
        // A bigger buffer with margins of 1..2 voxels, filled with a sentinel; the read goes into the inner sub-view.
        long[] lo = {b.min(0) - 1, b.min(1) - 2, b.min(2) - 1, 0};
        long[] shape = {b.size(0) + 3, b.size(1) + 3, b.size(2) + 2, run.g.channels()};
        NdView big = NdView.allocate(Arena.ofAuto(), run.g.type(), lo, shape);
        int e = run.g.type().size();
        for (long i = 0; i < big.elementCount(); i++) VolumeModel.putBits(big.segment(), i * e, e, sentinel);
        NdView into = big.subView(Box.of(new long[] {b.min(0), b.min(1), b.min(2), 0}, new long[] {b.max(0), b.max(1), b.max(2), run.g.channels()}));
        a.read(b, into);
        for (int c = 0; c < run.g.channels(); c++)
            for (long z = lo[2]; z < lo[2] + shape[2]; z++)
                for (long y = lo[1]; y < lo[1] + shape[1]; y++)
                    for (long x = lo[0]; x < lo[0] + shape[0]; x++) {
                        boolean in = x >= b.min(0) && x < b.max(0) && y >= b.min(1) && y < b.max(1) && z >= b.min(2) && z < b.max(2);
                        if (!in) assertEquals(sentinel, VolumeModel.bitsAt(big, x, y, z, c), "margin voxel (" + x + "," + y + "," + z + ") of a read into a sub-view was overwritten");
                    }
        return big;
    }

    // ---------------------------------------------------------------- properties

    /**
     * Writes read back as the model says, on every driver and store: sequential and parallel
     * reads agree byte for byte, a read into a caller's strided sub-view touches nothing around
     * it, the stored chunks are the written ones, and a reopened array reads the same.
     */
    @Property(tries = 12)
    void writesReadBackAsTheModelSays(@ForAll("scenarios") Scenario s) {
        forEachRun(s, List.of(DriverStore.values()), (run, url) -> {
            VolumeModel m = run.model();
            try (BigArray a = run.driver.create(url, run.g, PARALLEL)) {
                applyWrites(a, m, run, s, PARALLEL);
                assertEquals(modelChunks(m), storedChunks(a), "stored chunks");
                NdView first = null;
                for (Box b : s.reads) {
                    NdView seq = a.withOptions(SEQUENTIAL.withFillValue(run.readFill)).read(b);
                    NdView par = a.withOptions(PARALLEL.withFillValue(run.readFill)).read(b);
                    assertEquals(b, Box.of(Arrays.copyOf(seq.origin(), 3), Arrays.copyOf(seq.box().max(), 3)), "result box");
                    assertEquals(run.g.channels(), seq.shape()[3]);
                    assertMatches(run, m, seq, b, run.readFill, "sequential read");
                    assertEquals(-1, seq.toSegment(Arena.ofAuto()).mismatch(par.toSegment(Arena.ofAuto())), "parallel read of " + b + " differs from sequential");
                    if (first == null) first = seq;
                }
                Box b0 = s.reads.getFirst();
                long sentinel = run.g.type() == DataType.BOOL ? 1 : VolumeModel.mask(run.g.type(), 0x5a5a5a5a5a5a5a5aL);
                NdView big = readInto(a.withOptions(PARALLEL.withFillValue(run.readFill)), run, b0, sentinel);
                assertMatches(run, m, big, b0, run.readFill, "read into a sub-view");
                // A reopened array (info parsed back from the store, nothing cached) reads the very same values.
                try (BigArray again = BigArray.open(url, SEQUENTIAL.withFillValue(run.readFill))) {
                    assertEquals(-1, first.toSegment(Arena.ofAuto()).mismatch(again.read(b0).toSegment(Arena.ofAuto())), "read after reopening differs");
                }
            }
        });
    }

    /** Writes done in parallel store exactly the bytes a sequential run stores, info included. */
    @Property(tries = 6)
    void parallelWritesStoreWhatSequentialWritesStore(@ForAll("scenarios") Scenario s) {
        forEachRun(s, List.of(DriverStore.MEMORY), (run, url) -> {
            String other = run.store.newUrl();
            try {
                try (BigArray seq = run.driver.create(url, run.g, SEQUENTIAL); BigArray par = run.driver.create(other, run.g, PARALLEL)) {
                    applyWrites(seq, run.model(), run, s, SEQUENTIAL);
                    applyWrites(par, run.model(), run, s, PARALLEL);
                }
                TreeMap<String, byte[]> a = storedBytes(url);
                TreeMap<String, byte[]> b = storedBytes(other);
                assertEquals(a.keySet(), b.keySet(), "keys stored");
                for (String k : a.keySet()) assertTrue(Arrays.equals(a.get(k), b.get(k)), k + " differs between sequential and parallel writes");
            } finally {
                run.store.drop(other);
            }
        });
    }

    /** Strict reads fail on a box outside the volume and on a missing chunk, naming them, and otherwise read as non-strict ones. */
    @Property(tries = 8)
    void strictReadsFailOnMissingChunksAndOutsideBoxes(@ForAll("scenarios") Scenario s, @ForAll boolean parallel) {
        forEachRun(s, List.of(DriverStore.MEMORY), (run, url) -> {
            VolumeModel m = run.model();
            try (BigArray a = run.driver.create(url, run.g, PARALLEL)) {
                applyWrites(a, m, run, s, PARALLEL);
                BigArray strict = a.withOptions((parallel ? PARALLEL : SEQUENTIAL).withStrict(true).withFillValue(run.readFill));
                for (Box b : s.reads) {
                    boolean inside = m.inside(b.min(0), b.min(1), b.min(2)) && m.inside(b.max(0) - 1, b.max(1) - 1, b.max(2) - 1);
                    if (!inside) {
                        InvalidInputException e = assertThrows(InvalidInputException.class, () -> strict.read(b));
                        assertTrue(e.getMessage().contains(b.toString()), "message names the box: " + e.getMessage());
                        continue;
                    }
                    List<String> missing = m.touchedKeys(b.min(), b.max()).stream().filter(k -> !m.chunks.containsKey(k)).toList();
                    if (missing.isEmpty()) {
                        assertMatches(run, m, strict.read(b), b, run.readFill, "strict read");
                    } else {
                        MissingChunkException e = assertThrows(MissingChunkException.class, () -> strict.read(b));
                        assertTrue(e.getMessage().contains(b.toString()), "message names the box " + b + ": " + e.getMessage());
                    }
                }
            }
        });
    }

    /**
     * A write the driver cannot do without read-modify-write (an unaligned box, a part of a
     * shard) fails without it, naming the nearest aligned box or asking for read-modify-write,
     * and changes nothing; a write that leaves the volume fails naming the volume. A write of
     * whole blocks needs no read-modify-write.
     */
    @Property(tries = 10)
    void writesThatNeedReadModifyWriteFailWithoutItAndChangeNothing(@ForAll("shapes") Shape v, @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        Box b = Arbitraries.oneOf(alignedBoxes(v), insideBoxes(v)).generator(1).next(r).value();
        Box out = readBoxes(v).generator(1).next(r).value();
        Scenario s = new Scenario(v, r.nextInt(1 << 20), r.nextInt(1 << 20), r.nextInt(1 << 20), 0, List.of(), List.of(whole(v)));
        forEachRun(s, List.of(DriverStore.MEMORY), (run, url) -> {
            VolumeModel m = run.model();
            try (BigArray a = run.driver.create(url, run.g, PARALLEL.withFillValue(run.writeFill).withStoreFillChunks(true))) {
                NdView all = randomData(run, whole(v).min(), whole(v).max(), seed);
                a.write(all); // the whole volume: never needs read-modify-write
                m.write(all, VolumeModel.fillBits(m.type, run.writeFill), "");
                NdView data = randomData(run, b.min(), b.max(), ~seed);
                if (!needsReadModifyWrite(run, b)) {
                    a.write(data);
                    m.write(data, VolumeModel.fillBits(m.type, run.writeFill), "");
                } else {
                    InvalidInputException e = assertThrows(InvalidInputException.class, () -> a.write(data), "write of " + b + " without read-modify-write");
                    assertTrue(e.getMessage().contains(b.toString()) || e.getMessage().contains("read-modify-write"), "message names the box or read-modify-write: " + e.getMessage());
                    if (!coversWholeBlocks(run.g, new long[] {1, 1, 1}, b)) {
                        String want = m.nearestAligned(b.min(), b.max());
                        assertTrue(e.getMessage().contains(want), "message names the nearest aligned box " + want + ": " + e.getMessage());
                    }
                }
                boolean inside = m.inside(out.min(0), out.min(1), out.min(2)) && m.inside(out.max(0) - 1, out.max(1) - 1, out.max(2) - 1);
                if (!inside) {
                    BigArray rmw = a.withOptions(a.options().withReadModifyWrite(true));
                    InvalidInputException e = assertThrows(InvalidInputException.class, () -> rmw.write(randomData(run, out.min(), out.max(), seed)));
                    assertTrue(e.getMessage().contains(a.bounds().toString()), "message names the volume: " + e.getMessage());
                }
                assertMatches(run, m, a.read(whole(v)), whole(v), run.writeFill, "whole volume after refused writes");
            }
        });
    }
}
