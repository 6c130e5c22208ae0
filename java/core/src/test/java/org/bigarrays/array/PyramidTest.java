package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.DownsampleReference;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.sharding.ShardingPlanner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Pyramid#build}: every mip equals the naive reference model applied mip by mip to mip 0
 * (random types, offsets, sizes, chunks, channels, factors, methods, sharded bases, small task
 * budgets that force several passes); mip 0 is read once and every output chunk written once;
 * existing scales are filled or refused by name; {@code box} updates what a change affects;
 * layers written by other implementations (TensorStore fixtures, chunk files written by hand,
 * CloudVolume-style {@code .gz}) downsample to the reference.
 */
class PyramidTest {
    @TempDir
    Path tmp;

    /** Check every mip 1..n of {@code layer} against the reference applied to {@code mip0} step by step. */
    static void assertMatchesReference(BigArray layer, NdView mip0, int n, DownsampleMethod method, boolean sparse, long fill) {
        Info info = layer.info();
        NdView cur = mip0;
        for (int k = 1; k <= n; k++) {
            long[] f = org.bigarrays.precomputed.ScaleGeometry.factorBetween(info.scale(k - 1), info.scale(k));
            cur = DownsampleReference.downsample(cur, f, method, sparse, fill);
            BigArray m = layer.mip(k);
            assertEquals(m.bounds(), Box.at(new long[] {cur.origin()[0], cur.origin()[1], cur.origin()[2]},
                    new long[] {cur.shape()[0], cur.shape()[1], cur.shape()[2]}), "mip " + k + " bounds");
            NdView got = m.read(m.bounds());
            assertArrayEquals(bytes(cur), bytes(got), "mip " + k + " (" + info.scale(k).key() + ") differs from the reference");
        }
    }

    static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    static void fillRandom(NdView v, Random r, int distinct) {
        long[] palette = new long[distinct];
        for (int i = 0; i < distinct; i++) palette[i] = r.nextLong();
        int es = v.dataType().size();
        long n = v.byteSize() / es;
        for (long i = 0; i < n; i++) {
            long bits = palette[r.nextInt(distinct)];
            if (v.dataType() == DataType.FLOAT32) bits = Float.floatToIntBits((r.nextInt(512) - 256) / 4f);
            if (v.dataType() == DataType.BOOL) bits &= 1;
            for (int b = 0; b < es; b++) v.segment().set(ValueLayout.JAVA_BYTE, v.byteOffset() + i * es + b, (byte) (bits >>> (8 * b)));
        }
    }

    private static final DataType[] TYPES = {DataType.UINT8, DataType.INT16, DataType.UINT32, DataType.UINT64, DataType.FLOAT32, DataType.BOOL};

    /**
     * The case CI's property run found (seed -24163942792819): a volume offset off the factor grid
     * along an axis the task box holds one chunk of, where the chunk-by-chunk step's output buffer
     * was sized ceil(chunk / factor) and the piece's output was one voxel larger.
     */
    @Example
    void chunkByChunkStepOffTheFactorGridAlongASingleChunkAxis() {
        everyMipMatchesTheReference(-24163942792819L);
    }

    @Property(tries = 25)
    void everyMipMatchesTheReference(@ForAll long seed) {
        Random r = new Random(seed);
        DataType t = TYPES[r.nextInt(TYPES.length)];
        long[] size = {5 + r.nextInt(30), 5 + r.nextInt(30), 2 + r.nextInt(12)};
        long[] chunk = {2 + r.nextInt(7), 2 + r.nextInt(7), 1 + r.nextInt(5)};
        long[] offset = r.nextBoolean() ? new long[3] : new long[] {r.nextInt(15) - 7, r.nextInt(15) - 7, r.nextInt(9) - 4};
        int channels = 1 + r.nextInt(2);
        InfoBuilder b = Info.builder(t, size, chunk).offset(offset).channels(channels).resolution(4, 4, r.nextBoolean() ? 40 : 4);
        boolean sharded = r.nextInt(4) == 0;
        if (sharded) b.sharding(ShardingPlanner.forImage(size, chunk, (long) t.size() * channels, 4L * t.size() * chunk[0] * chunk[1] * chunk[2], 8192, 40000));
        String url = "mem://pyramid-" + UUID.randomUUID() + "/layer";
        DownsampleMethod method = DownsampleMethod.values()[r.nextInt(5)];
        boolean sparse = r.nextInt(4) == 0;
        PyramidSpec spec = PyramidSpec.defaults().withMips(1 + r.nextInt(3)).withMethod(method).withSparse(sparse);
        if (r.nextBoolean()) spec = spec.withFactor(1 + r.nextInt(3), 1 + r.nextInt(3), 2);
        if (r.nextBoolean()) spec = spec.withTaskBytes(1 + r.nextInt(2000)); // several passes, many small tasks
        try (BigArray a = BigArray.create(url, b.build())) {
            NdView mip0 = a.read(a.bounds());
            fillRandom(mip0, r, 1 + r.nextInt(4));
            a.write(mip0);
            Pyramid.Result res = Pyramid.build(a, spec);
            try (BigArray reopened = BigArray.open(url)) {
                assertEquals(spec.mips() + 1, reopened.info().scales().size());
                assertEquals(sharded, reopened.info().scale(spec.mips()).isSharded(), "a sharded base gets sharded mips");
                assertMatchesReference(reopened, mip0, spec.mips(), method, sparse, 0);
            }
            assertTrue(res.chunksWritten() > 0);
        }
    }

    /** Counts reads and writes per full key (store URI + key). */
    static final class Counting extends ForwardingStore {
        final Map<String, Integer> reads, writes;

        Counting(KeyValueStore base, Map<String, Integer> reads, Map<String, Integer> writes) {
            super(base);
            this.reads = reads;
            this.writes = writes;
        }

        @Override
        public ReadResult read(String key, ReadOptions options) {
            // Whole reads only: a 4-byte probe of the transport compression is not a read of the data.
            if (options.range().equals(org.bigarrays.kvstore.ByteRange.ALL)) reads.merge(base.uri() + key, 1, Integer::sum);
            return base.read(key, options);
        }

        @Override
        public WriteResult write(String key, MemorySegment value, WriteOptions options) {
            writes.merge(base.uri() + key, 1, Integer::sum);
            return base.write(key, value, options);
        }
    }

    @Test
    void mipZeroIsReadOnceAndEveryOutputChunkWrittenOnce() throws IOException {
        String url = tmp.resolve("counted").toString();
        Info info = Info.builder(DataType.UINT8, new long[] {64, 48, 40}, new long[] {8, 8, 8}).build();
        NdView mip0;
        try (BigArray a = BigArray.create(url, info)) {
            mip0 = a.read(a.bounds());
            fillRandom(mip0, new Random(3), 200);
            a.write(mip0);
        }
        Map<String, Integer> reads = Collections.synchronizedMap(new HashMap<>()), writes = Collections.synchronizedMap(new HashMap<>());
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new Counting(KeyValueStores.open(u), reads, writes));
             BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
            // A task budget of one mip-2 chunk's mip-0 box (32^3): 2x2x2 tasks, so task boundaries are exercised.
            Pyramid.Result r = Pyramid.build(a, PyramidSpec.defaults().withMips(2).withTaskBytes(32 * 32 * 32));
            assertEquals(1, r.passes(), "one pass from mip 0");
        }
        List<String> mip0Reads = new ArrayList<>(), outWrites = new ArrayList<>();
        reads.forEach((k, n) -> {
            if (k.contains("/1_1_1/")) {
                assertEquals(1, n, "mip-0 chunk " + k + " read " + n + " times");
                mip0Reads.add(k);
            }
        });
        writes.forEach((k, n) -> {
            if (!k.endsWith("info") && !k.contains(JobRecord.DIR)) { // the job's record and markers: not chunks
                assertEquals(1, n, "chunk " + k + " written " + n + " times");
                outWrites.add(k);
            }
        });
        assertEquals(8 * 6 * 5, mip0Reads.size(), "every mip-0 chunk read: " + mip0Reads.size());
        // mips 1..2 (2,2,2 each: 32x24x20, 16x12x10): 4*3*3 + 2*2*2 chunks
        assertEquals(4 * 3 * 3 + 2 * 2 * 2, outWrites.size(), "output chunks: " + outWrites);
        try (BigArray a = BigArray.open(url)) {
            assertMatchesReference(a, mip0, 2, DownsampleMethod.MEAN, false, 0);
        }
    }

    @Test
    void aPassTopMipKeptInMemoryIsNotReadBackByTheNextPass() throws IOException {
        String url = tmp.resolve("held").toString();
        Info info = Info.builder(DataType.UINT64, new long[] {64, 48, 40}, new long[] {8, 8, 8}).type("segmentation").build();
        NdView mip0;
        try (BigArray a = BigArray.create(url, info)) {
            mip0 = a.read(a.bounds());
            fillRandom(mip0, new Random(5), 3);
            a.write(mip0);
        }
        Map<String, Integer> reads = Collections.synchronizedMap(new HashMap<>()), writes = Collections.synchronizedMap(new HashMap<>());
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new Counting(KeyValueStores.open(u), reads, writes));
             BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
            // One mip-2 chunk's mip-0 box (32^3 × 8 bytes) per task: mips 1..2 in one pass, mip 3 (whose one
            // chunk needs all of mip 0) in a second pass, from mip 2 kept in memory (15 KiB, under a quarter of the budget).
            Pyramid.Result r = Pyramid.build(a, PyramidSpec.defaults().withMips(3).withTaskBytes(32 * 32 * 32 * 8).withParallelTasks(2));
            assertEquals(2, r.passes(), "mip 3 in a second pass");
        }
        reads.forEach((k, n) -> {
            if (k.contains("/1_1_1/")) assertEquals(1, n, "mip-0 chunk " + k + " read " + n + " times");
            else if (!k.endsWith("info") && !k.contains(JobRecord.DIR)) throw new AssertionError("a mip above 0 was read back from the store: " + k);
        });
        writes.forEach((k, n) -> {
            if (!k.endsWith("info") && !k.contains(JobRecord.DIR)) assertEquals(1, n, "chunk " + k + " written " + n + " times");
        });
        try (BigArray a = BigArray.open(url)) {
            assertMatchesReference(a, mip0, 3, DownsampleMethod.MODE, false, 0);
        }
    }

    /**
     * The second pass (from the first pass's top mip kept in memory) starts while the first pass's
     * writes are still going on (slowed here): on a sparse layer it must not skip a task because a
     * listing taken mid-write does not show that mip's chunks yet. Every mip equals the reference, and
     * the job record is gone (the build waited for every write).
     */
    @Test
    void aPassFromMemoryStartingBeforeTheLastWritesEndSkipsNothingItNeeds() throws IOException {
        String url = tmp.resolve("overlap").toString();
        Info info = Info.builder(DataType.UINT64, new long[] {64, 48, 40}, new long[] {8, 8, 8}).type("segmentation").build();
        NdView mip0;
        try (BigArray a = BigArray.create(url, info)) {
            mip0 = a.read(a.bounds());
            Random r = new Random(17);
            // Labels filling the last mip-0 chunk (so mips 2 and 3 are not 0 there), under one mip-1
            // chunk: the first pass's only write, still in flight when the second pass starts. The
            // rest stays 0 and is not stored.
            Box box = Box.at(new long[] {56, 40, 32}, new long[] {8, 8, 8});
            NdView part = a.read(box);
            fillRandom(part, r, 3);
            mip0.subView(box).copyFrom(part);
            a.write(mip0);
        }
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new ForwardingStore(KeyValueStores.open(u)) {
                @Override
                public WriteResult write(String key, MemorySegment value, WriteOptions options) {
                    String full = base.uri() + key;
                    if (!full.contains("/1_1_1/") && !full.endsWith("info") && !full.contains(JobRecord.DIR)) { // chunks of mips 1-3: slow
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return base.write(key, value, options);
                }
            });
             BigArray a = BigArray.open(url, Options.defaults(), ctx)) {
            // Mip 0 is sparse: mip 1 alone in the first pass, kept in memory (120 KiB, under a quarter
            // of the 512 KiB budget); mips 2..3 in a second pass from it.
            Pyramid.Result r = Pyramid.build(a, PyramidSpec.defaults().withMips(3).withTaskBytes(512 * 1024));
            assertEquals(2, r.passes(), "a second pass, from the first pass's top mip in memory");
        }
        try (BigArray a = BigArray.open(url)) {
            assertTrue(a.mip(3).read(Box.at(new long[] {7, 5, 4}, new long[] {1, 1, 1})).getLong(7, 5, 4) != 0,
                    "mip 3 holds the labels");
            assertMatchesReference(a, mip0, 3, DownsampleMethod.MODE, false, 0);
        }
        assertTrue(Files.notExists(tmp.resolve("overlap").resolve(JobRecord.RECORD_KEY)), "the job record is gone");
    }

    /**
     * Mip 1 computed chunk by chunk of mip 0 (chunk faces on block faces, an offset that is a
     * multiple of the factor, partial edge chunks): only the stored chunks are read, the rest are
     * fill without a read, and every mip equals the reference.
     */
    @Test
    void chunkByChunkStepReadsOnlyStoredChunksAndMatchesTheReference() {
        String url = "mem://pyramid-" + UUID.randomUUID() + "/sparse";
        Info info = Info.builder(DataType.UINT16, new long[] {50, 37, 21}, new long[] {8, 8, 4}).offset(4, -6, 2).build();
        NdView mip0;
        Set<String> stored = new java.util.HashSet<>();
        Map<String, Integer> reads = Collections.synchronizedMap(new HashMap<>()), writes = Collections.synchronizedMap(new HashMap<>());
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new Counting(KeyValueStores.open(u), reads, writes));
             BigArray a = BigArray.create(url, info, Options.defaults(), ctx)) {
            mip0 = a.read(a.bounds());
            Random r = new Random(11);
            // Three separate boxes of data; the rest of mip 0 stays 0 and its chunks are not stored.
            for (long[] at : new long[][] {{4, -6, 2}, {30, 10, 9}, {44, 25, 19}}) {
                Box box = Box.at(at, new long[] {6, 5, 4}).intersect(a.bounds());
                NdView part = a.read(box);
                fillRandom(part, r, 50);
                mip0.subView(box).copyFrom(part);
            }
            a.write(mip0);
            stored.addAll(writes.keySet().stream().filter(k -> k.contains("/1_1_1/")).toList());
            reads.clear();
            writes.clear();
            Pyramid.build(a, PyramidSpec.defaults().withMips(2).withFactor(2, 2, 2).withMethod(DownsampleMethod.MEAN));
        }
        Set<String> mip0Keys = new java.util.HashSet<>();
        reads.forEach((k, n) -> {
            if (k.contains("/1_1_1/")) {
                assertEquals(1, n, "mip-0 chunk " + k + " read " + n + " times");
                mip0Keys.add(k);
            }
        });
        assertTrue(stored.size() > 1, "some chunks stored: " + stored);
        assertEquals(stored, mip0Keys, "only the stored mip-0 chunks are read");
        try (BigArray a = BigArray.open(url)) {
            assertMatchesReference(a, mip0, 2, DownsampleMethod.MEAN, false, 0);
        }
    }

    @Test
    void existingScalesAreFilledAndMismatchingOnesNamed() {
        String url = "mem://pyramid-" + UUID.randomUUID() + "/layer";
        // create --mips: factor 2,2,1, with the geometry downsample computes (odd offset).
        Info info = Info.builder(DataType.UINT16, new long[] {21, 17, 6}, new long[] {4, 4, 3}).offset(-3, 5, 1).mips(3).type("segmentation").build();
        try (BigArray a = BigArray.create(url, info)) {
            NdView mip0 = a.read(a.bounds());
            fillRandom(mip0, new Random(5), 3);
            a.write(mip0);
            Pyramid.Result r = Pyramid.build(a, PyramidSpec.defaults());
            assertEquals(0, r.mipsAdded(), "the existing scales are filled, not duplicated");
            try (BigArray b = BigArray.open(url)) {
                assertEquals(3, b.info().scales().size());
                assertMatchesReference(b, mip0, 2, DownsampleMethod.MODE, false, 0);
            }
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Pyramid.build(a, PyramidSpec.defaults().withFactor(2, 2, 2)));
            assertTrue(e.getMessage().contains("'2_2_1'") && e.getMessage().contains("size"), e.getMessage());
        }
    }

    @Test
    void boxUpdatesOnlyWhatTheChangeAffects() {
        String url = "mem://pyramid-" + UUID.randomUUID() + "/layer";
        Info info = Info.builder(DataType.UINT8, new long[] {48, 40, 20}, new long[] {4, 4, 4}).offset(2, 0, 0).build();
        try (BigArray a = BigArray.create(url, info)) {
            NdView mip0 = a.read(a.bounds());
            fillRandom(mip0, new Random(9), 255);
            a.write(mip0);
            Pyramid.build(a, PyramidSpec.defaults().withMips(3));
            Box changed = Box.parse("10,8,4:18,16,8"); // chunk-aligned at mip 0
            NdView patch = NdView.allocate(java.lang.foreign.Arena.ofAuto(), DataType.UINT8, new long[] {10, 8, 4, 0}, new long[] {8, 8, 4, 1});
            patch.fill(255);
            a.write(patch);
            mip0.subView(changed).copyFrom(patch.withOrigin(new long[] {10, 8, 4, 0}));
            long before = Pyramid.build(a, PyramidSpec.defaults().withMips(3)).chunksWritten();
            a.write(mip0);
            Pyramid.Result r = Pyramid.build(a, PyramidSpec.defaults().withMips(3).withBox(changed));
            assertTrue(r.chunksWritten() < before / 4, "box update wrote " + r.chunksWritten() + " chunks, a full build " + before);
            try (BigArray b = BigArray.open(url)) {
                assertMatchesReference(b, mip0, 3, DownsampleMethod.MEAN, false, 0);
            }
            assertThrows(InvalidInputException.class, () -> Pyramid.build(a, PyramidSpec.defaults().withBox(Box.parse("1000,0,0:1001,1,1"))));
        }
    }

    @Test
    void aLayerWrittenByHandWithGzipChunksDownsamplesToTheReference() throws IOException {
        // A non-BigArrays writer: the info and CloudVolume-style chunk files (<key>.gz), Fortran
        // order, little-endian, written with plain java.nio; the reference starts from the same array.
        Path dir = tmp.resolve("byhand");
        Files.createDirectories(dir.resolve("4_4_40"));
        long[] size = {13, 11, 5}, chunk = {4, 4, 2}, off = {1, -3, 0};
        Files.writeString(dir.resolve("info"), """
                {"@type": "neuroglancer_multiscale_volume", "type": "segmentation", "data_type": "uint32", "num_channels": 1,
                 "scales": [{"key": "4_4_40", "size": [13, 11, 5], "resolution": [4, 4, 40], "voxel_offset": [1, -3, 0],
                             "chunk_sizes": [[4, 4, 2]], "encoding": "raw"}]}""");
        NdView truth = NdView.wrap(MemorySegment.ofArray(new byte[13 * 11 * 5 * 4]), DataType.UINT32, new long[] {1, -3, 0, 0}, new long[] {13, 11, 5, 1});
        Random r = new Random(11);
        for (long z = 0; z < size[2]; z++)
            for (long y = 0; y < size[1]; y++)
                for (long x = 0; x < size[0]; x++) truth.set(new long[] {off[0] + x, off[1] + y, off[2] + z, 0}, 1 + r.nextInt(3));
        for (long cz = 0; cz * chunk[2] < size[2]; cz++)
            for (long cy = 0; cy * chunk[1] < size[1]; cy++)
                for (long cx = 0; cx * chunk[0] < size[0]; cx++) {
                    long[] lo = {off[0] + cx * chunk[0], off[1] + cy * chunk[1], off[2] + cz * chunk[2]};
                    long[] hi = new long[3];
                    for (int d = 0; d < 3; d++) hi[d] = Math.min(lo[d] + chunk[d], off[d] + size[d]);
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) ((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]) * 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (long z = lo[2]; z < hi[2]; z++)
                        for (long y = lo[1]; y < hi[1]; y++)
                            for (long x = lo[0]; x < hi[0]; x++) buf.putInt((int) truth.getAsLong(x, y, z, 0));
                    String key = lo[0] + "-" + hi[0] + "_" + lo[1] + "-" + hi[1] + "_" + lo[2] + "-" + hi[2];
                    if ((cx + cy + cz) % 3 == 1) continue; // a missing chunk: fill value 0, as a read sees it
                    ByteArrayOutputStream gz = new ByteArrayOutputStream();
                    try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
                        g.write(buf.array());
                    }
                    Files.write(dir.resolve("4_4_40").resolve(key + ".gz"), gz.toByteArray());
                }
        String url = dir.toString();
        try (BigArray a = BigArray.open(url)) {
            // The missing chunks read as fill: zero them in the truth too.
            NdView seen = a.read(a.bounds());
            for (long z = 0; z < size[2]; z++)
                for (long y = 0; y < size[1]; y++)
                    for (long x = 0; x < size[0]; x++) {
                        long[] p = {off[0] + x, off[1] + y, off[2] + z};
                        long cx = x / chunk[0], cy = y / chunk[1], cz = z / chunk[2];
                        if ((cx + cy + cz) % 3 == 1) truth.set(new long[] {p[0], p[1], p[2], 0}, 0);
                    }
            assertArrayEquals(bytes(truth), bytes(seen), "BigArrays reads the hand-written layer");
            Pyramid.build(a, PyramidSpec.defaults().withMips(3));
        }
        try (BigArray a = BigArray.open(url)) {
            assertEquals(List.of(2L, 2L, 1L), Arrays.stream(Pyramid.plan(Info.parse(Files.readAllBytes(dir.resolve("info")), "info"),
                    PyramidSpec.defaults().withMips(1)).factors()[1]).boxed().toList(), "z at 40 nm vs 4: 2,2,1");
            assertMatchesReference(a, truth, 3, DownsampleMethod.MODE, false, 0);
        }
        try (Stream<Path> s = Files.list(dir.resolve("8_8_40"))) {
            for (Path p : s.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                byte[] head = Files.readAllBytes(p);
                assertTrue(head.length > 2, "empty file " + p + " in " + Files.list(p.getParent()).toList());
                assertTrue(head[0] == (byte) 0x1f && head[1] == (byte) 0x8b, "mips keep the base's gzip transport compression: " + p);
            }
        }
    }

    @Test
    void tensorstoreFixturesDownsampleToTheReference() throws IOException {
        Path fixtures = Path.of(System.getProperty("bigarrays.fixtures", "../../shared/fixtures"));
        Assumptions.assumeTrue(Files.isDirectory(fixtures), "fixtures folder " + fixtures + " is absent: interop downsampling not checked");
        for (String name : List.of("tensorstore/precomputed_raw_uint16_4ch", "tensorstore/precomputed_cseg_uint32", "tensorstore/precomputed_cseg_uint64")) {
            Path copy = tmp.resolve(name.replace('/', '_'));
            copyTree(fixtures.resolve(name), copy);
            String url = copy.toString();
            NdView mip0;
            DownsampleMethod method;
            try (BigArray a = BigArray.open(url)) {
                mip0 = a.read(a.bounds());
                method = DownsampleMethod.defaultFor(a.info().type());
                Pyramid.build(a, PyramidSpec.defaults().withMips(2));
            }
            try (BigArray a = BigArray.open(url)) {
                assertEquals(3, a.info().scales().size(), name);
                assertEquals(a.info().scale(0).encoding(), a.info().scale(2).encoding(), name + ": the encoding is kept");
                assertMatchesReference(a, mip0, 2, method, false, 0);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

}
