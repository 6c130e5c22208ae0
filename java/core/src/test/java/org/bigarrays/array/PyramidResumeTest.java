package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.bigarrays.StorageException;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.sharding.ShardingPlanner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Pyramid#build(BigArray, PyramidSpec, boolean)} interrupted by a failing store write at
 * many points (during the first pass, on the first pass's last marker, at the start of the second
 * pass, late after the next tasks' writes, twice in a row) or by an interrupt of its thread, and
 * rerun: every voxel of every mip equals an uninterrupted build's and
 * the reference model's. The layouts make the paths that a resume can break do work: mips 1..2
 * in a first pass of eight tasks whose writes overlap the next tasks, mip 3 in a second pass
 * that reads mip 2 kept in memory, unless a task of the first pass was done by the earlier run;
 * and mip 1 computed chunk by chunk of mip 0. Every mip-0 voxel is non-zero, so a part of the
 * kept mip that no task of this run filled (it holds the fill value) shows in mip 3.
 */
class PyramidResumeTest {
    /** mip 0 64x48x40 in 8^3 chunks; mips 1..2 (32x24x20, 16x12x10) in pass 1, mip 3 (8x6x5) in pass 2. */
    private static final long[] SIZE = {64, 48, 40}, CHUNK = {8, 8, 8};
    private static final int MIPS = 3;
    /** Chunk writes of an uninterrupted unsharded build: mip 1 4x3x3, mip 2 2x2x2, mip 3 one. */
    private static final int PASS1_CHUNKS = 36 + 8, PASS1_TASKS = 8;

    /** Fails the {@code n}-th write whose full key (store URI + key) {@code which} accepts (once), after {@code delayMs}; counts the others. */
    static final class FailingWrites extends ForwardingStore {
        private final Predicate<String> which;
        private final AtomicInteger left;
        private final long delayMs;
        final Map<String, Integer> writes;

        FailingWrites(KeyValueStore base, Predicate<String> which, AtomicInteger left, long delayMs, Map<String, Integer> writes) {
            super(base);
            this.which = which;
            this.left = left;
            this.delayMs = delayMs;
            this.writes = writes;
        }

        @Override
        public WriteResult write(String key, MemorySegment value, WriteOptions options) {
            String full = base.uri() + key; // a layer's scales may be opened as stores of their own
            if (which.test(full) && left.decrementAndGet() == 0) {
                if (delayMs > 0) {
                    try {
                        Thread.sleep(delayMs); // the later tasks' writes finish first
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new StorageException(base.uri(), key, "write", "injected failure");
            }
            writes.merge(full, 1, Integer::sum);
            return base.write(key, value, options);
        }
    }

    /** Whether a full key is a chunk's (or a shard's): not the info, not the job record. */
    private static boolean isChunk(String key) {
        return !key.endsWith("/info") && !key.contains("/" + JobRecord.DIR);
    }

    private record Layer(String url, NdView mip0, PyramidSpec spec, DownsampleMethod method, String reference) {}

    /** A filled mip 0 at a new mem:// url and, at another, the same mip 0 with its uninterrupted pyramid. */
    private static Layer layer(DataType t, boolean sharded, long seed) {
        return layer(t, sharded, seed, 1, sharded ? MIPS : 2);
    }

    /**
     * As {@link #layer(DataType, boolean, long)}, with one mip-0 chunk in {@code every} holding
     * data (the others 0, not stored) and the passes an uninterrupted build makes.
     */
    private static Layer layer(DataType t, boolean sharded, long seed, int every, int passes) {
        InfoBuilder b = Info.builder(t, SIZE, CHUNK);
        if (t == DataType.UINT64) b.type("segmentation");
        if (sharded) b.sharding(ShardingPlanner.forImage(SIZE, CHUNK, t.size(), 4L * t.size() * 8 * 8 * 8, 8192, 40000));
        Info info = b.build();
        DownsampleMethod method = DownsampleMethod.defaultFor(info.type());
        // One mip-2 chunk's mip-0 box per task: mips 1..2 in one pass of 2x2x2 tasks, mip 3 in a second
        // pass, from mip 2 kept in memory (under a quarter of the budget).
        PyramidSpec spec = PyramidSpec.defaults().withMips(MIPS).withTaskBytes(32L * 32 * 32 * t.size()).withParallelTasks(2);
        String url = "mem://pyramid-resume-" + UUID.randomUUID() + "/layer", ref = "mem://pyramid-resume-" + UUID.randomUUID() + "/ref";
        NdView mip0;
        try (BigArray a = BigArray.create(url, info); BigArray r = BigArray.create(ref, info)) {
            mip0 = a.read(a.bounds());
            Random rnd = new Random(seed);
            int es = t.size();
            long n = mip0.byteSize() / es;
            long[] labels = {0x0123456789abcdefL, 7, 0xfedcba9876543210L, 1L << 40};
            for (long i = 0; i < n; i++) {
                long x = i % SIZE[0], y = i / SIZE[0] % SIZE[1], z = i / SIZE[0] / SIZE[1];
                long chunkIndex = x / CHUNK[0] + 8 * (y / CHUNK[1]) + 64 * (z / CHUNK[2]);
                if (Math.floorMod(chunkIndex * 0x9E3779B97F4A7C15L >>> 17, every) != 0) continue; // a chunk left 0
                long bits = t == DataType.UINT8 ? 1 + rnd.nextInt(255) : labels[rnd.nextInt(labels.length)];
                for (int k = 0; k < es; k++) mip0.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, mip0.byteOffset() + i * es + k, (byte) (bits >>> (8 * k)));
            }
            a.write(mip0);
            r.write(mip0);
            Pyramid.Result res = Pyramid.build(r, spec, false);
            assertEquals(passes, res.passes(), "the layout's passes");
        }
        return new Layer(url, mip0, spec, method, ref);
    }

    /** Build, failing the {@code n}-th write {@code which} accepts; returns the done markers left. */
    private static List<String> interrupted(Layer l, Predicate<String> which, int n, long delayMs) {
        Map<String, Integer> writes = Collections.synchronizedMap(new HashMap<>());
        AtomicInteger left = new AtomicInteger(n);
        List<String> done;
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new FailingWrites(KeyValueStores.open(u), which, left, delayMs, writes));
             BigArray a = BigArray.open(l.url(), Options.defaults(), ctx)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> Pyramid.build(a, l.spec(), false), "the " + n + "-th write fails");
            assertTrue(String.valueOf(e).contains("injected failure") || String.valueOf(e.getCause()).contains("injected failure"), "the injected failure: " + e);
            done = new ArrayList<>(ctx.store(a.uri()).list(JobRecord.DONE_PREFIX));
            Collections.sort(done);
        }
        try (BigArray a = BigArray.open(l.url())) {
            assertEquals(1, a.info().scales().size(), "an interrupted build publishes no new scale");
        }
        return done;
    }

    /** Rerun without failures; returns the chunk writes per key. */
    private static Map<String, Integer> resume(Layer l) {
        Map<String, Integer> writes = Collections.synchronizedMap(new HashMap<>());
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new FailingWrites(KeyValueStores.open(u), k -> false, new AtomicInteger(), 0, writes));
             BigArray a = BigArray.open(l.url(), Options.defaults(), ctx)) {
            Pyramid.build(a, l.spec(), false);
            assertTrue(ctx.store(a.uri()).list(JobRecord.DIR).isEmpty(), "the job record is removed after the rerun");
        }
        return writes;
    }

    /** Every voxel of every mip equals the uninterrupted build's and the reference model's. */
    private static void assertComplete(Layer l, String when) {
        try (BigArray a = BigArray.open(l.url()); BigArray r = BigArray.open(l.reference())) {
            assertEquals(MIPS + 1, a.info().scales().size(), when + ": scales");
            for (int m = 1; m <= MIPS; m++) {
                assertArrayEquals(PyramidTest.bytes(r.mip(m).read(r.mip(m).bounds())), PyramidTest.bytes(a.mip(m).read(a.mip(m).bounds())),
                        when + ": mip " + m + " differs from the uninterrupted build's");
            }
            PyramidTest.assertMatchesReference(a, l.mip0(), MIPS, l.method(), false, 0);
        }
    }

    /**
     * Unsharded mips: the {@code n}-th chunk write fails (1..44 are pass 1's, 45 is pass 2's
     * one chunk), then a rerun finishes the pyramid.
     */
    @ParameterizedTest(name = "{0}, chunk write {1} fails")
    @CsvSource({"UINT8, 1", "UINT8, 7", "UINT8, 20", "UINT8, 37", "UINT8, 44", "UINT8, 45",
                "UINT64, 1", "UINT64, 13", "UINT64, 30", "UINT64, 41", "UINT64, 45"})
    void aBuildInterruptedAtAnyChunkWriteResumesToTheUninterruptedPyramid(DataType t, int n) {
        Layer l = layer(t, false, 31L * n + t.size());
        List<String> done = interrupted(l, PyramidResumeTest::isChunk, n, 0);
        for (String d : done) assertTrue(d.startsWith(JobRecord.DONE_PREFIX + "p0-"), "only pass-1 tasks are done: " + done);
        // Pass 2 reads mip 2 from memory and starts while pass 1's last writes go on (those of up to
        // parallelTasks = 2 tasks): the last chunk write is pass 2's or one of theirs; the others are done.
        if (n == PASS1_CHUNKS + 1) assertTrue(done.size() >= PASS1_TASKS - 2, "pass 1's tasks but its last two are done: " + done);
        Map<String, Integer> writes = resume(l);
        String mip3 = scaleKey(l, MIPS);
        long pass1Writes = writes.keySet().stream().filter(k -> isChunk(k) && !k.contains("/" + mip3)).count();
        // A done task's chunks are not written again; every other task's are.
        assertEquals(PASS1_CHUNKS - done.stream().mapToLong(PyramidResumeTest::pass1Chunks).sum(), pass1Writes,
                "pass-1 chunks written by the rerun, " + done.size() + " task(s) done: " + done);
        assertComplete(l, t + ", chunk write " + n + " failed");
    }

    /** Chunks of mips 1..2 that the pass-1 task of marker {@code p0-m2_x0-x1_y0-y1_z0-z1} writes. */
    private static long pass1Chunks(String marker) {
        String[] parts = marker.substring(marker.indexOf("-m2_") + 4).split("_");
        long[] mip1Size = {SIZE[0] / 2, SIZE[1] / 2, SIZE[2] / 2};
        long mip1 = 1;
        for (int d = 0; d < 3; d++) {
            long lo = Long.parseLong(parts[d].split("-")[0]), hi = Long.parseLong(parts[d].split("-")[1]);
            mip1 *= Math.ceilDiv(Math.min(2 * hi, mip1Size[d]) - 2 * lo, CHUNK[d]);
        }
        return mip1 + 1;
    }

    /**
     * The marker write of a pass-1 task fails (its chunks are stored, it is not marked): the
     * first marker, and the last (all of pass 1 stored, seven tasks marked, pass 2 not begun).
     */
    @ParameterizedTest(name = "{0}, marker {1} fails")
    @CsvSource({"UINT8, 1", "UINT8, 8", "UINT64, 1", "UINT64, 8"})
    void aLostMarkerRedoesItsTaskOnly(DataType t, int n) {
        Layer l = layer(t, false, 7L * n + t.size());
        List<String> done = interrupted(l, k -> k.contains("/" + JobRecord.DONE_PREFIX + "p0-"), n, 0);
        assertEquals(n - 1, done.size(), "markers written before the failing one: " + done);
        Map<String, Integer> writes = resume(l);
        String mip3 = scaleKey(l, MIPS);
        long pass1Writes = writes.keySet().stream().filter(k -> isChunk(k) && !k.contains("/" + mip3)).count();
        assertEquals(PASS1_CHUNKS - done.stream().mapToLong(PyramidResumeTest::pass1Chunks).sum(), pass1Writes, "pass-1 chunks written by the rerun");
        assertComplete(l, t + ", marker " + n + " failed");
    }

    /**
     * A task's chunk write fails late, after the next tasks' writes are stored (it overlaps
     * them): the task is not marked done, so the rerun writes that chunk again; without it the
     * chunk would read as fill.
     */
    @ParameterizedTest(name = "{0}, {1} fails late")
    @CsvSource({"UINT8, 0-8_0-8_0-8, 1", "UINT8, 8-16_8-16_8-16, 1", "UINT8, 0-8_0-8_0-8, 2", "UINT64, 0-8_0-8_0-8, 2", "UINT64, 8-16_8-16_8-16, 1"})
    void aTaskWhoseWriteFailedIsNotMarkedDone(DataType t, String chunk, int mip) {
        Layer l = layer(t, false, 3L * mip + t.size());
        String key = scaleKey(l, mip) + chunk;
        List<String> done = interrupted(l, k -> k.endsWith(key), 1, 300);
        // The first task, mip 2's chunk 0-8_0-8_0-8, computes both chunks named here.
        assertFalse(done.contains(JobRecord.DONE_PREFIX + "p0-m2_0-8_0-8_0-8"), "the task whose write failed is marked done: " + done);
        Map<String, Integer> writes = resume(l);
        assertEquals(1, writes.entrySet().stream().filter(w -> w.getKey().endsWith(key)).mapToInt(Map.Entry::getValue).sum(), "the rerun writes the chunk that failed: " + key);
        assertComplete(l, t + ", " + key + " failed");
    }

    /** Interrupted twice (the rerun fails too), then finished. */
    @ParameterizedTest(name = "{0}, chunk writes {1} then {2} fail")
    @CsvSource({"UINT8, 10, 10", "UINT8, 30, 3", "UINT64, 20, 5", "UINT64, 44, 1"})
    void aBuildInterruptedTwiceResumes(DataType t, int first, int second) {
        Layer l = layer(t, false, first * 100L + second);
        interrupted(l, PyramidResumeTest::isChunk, first, 0);
        interrupted(l, PyramidResumeTest::isChunk, second, 0);
        resume(l);
        assertComplete(l, t + ", chunk writes " + first + " then " + second + " failed");
    }

    /** Sharded mips (one pass each, each shard written once): a shard write fails, the rerun finishes. */
    @ParameterizedTest(name = "{0}, shard write {1} fails")
    @CsvSource({"UINT8, 1", "UINT8, 2", "UINT8, 3", "UINT64, 1", "UINT64, 2", "UINT64, 3"})
    void aShardedBuildInterruptedResumes(DataType t, int n) {
        Layer l = layer(t, true, 11L * n + t.size());
        interrupted(l, PyramidResumeTest::isChunk, n, 0);
        resume(l);
        assertComplete(l, t + " sharded, shard write " + n + " failed");
    }

    /**
     * Mip 0 partly stored: one chunk in 3 (the first step reads only the stored chunks, tasks with
     * nothing stored under them write nothing and leave the kept mip 2 at the fill value), and
     * one in 12 (sparse: mip 1 in a pass of its own, one chunk per task, the empty ones skipped).
     */
    @ParameterizedTest(name = "{0}, one chunk in {1} stored, chunk write {2} fails")
    @CsvSource({"UINT8, 3, 1, 2", "UINT8, 3, 6, 2", "UINT8, 3, 15, 2", "UINT64, 3, 4, 2", "UINT64, 3, 12, 2",
                "UINT8, 12, 1, 2", "UINT8, 12, 4, 2", "UINT64, 12, 2, 2", "UINT64, 12, 5, 2"})
    void aPartlyStoredLayerInterruptedResumes(DataType t, int every, int n, int passes) {
        Layer l = layer(t, false, 5L * n + every, every, passes);
        interrupted(l, PyramidResumeTest::isChunk, n, 0);
        resume(l);
        assertComplete(l, t + ", one chunk in " + every + " stored, chunk write " + n + " failed");
    }

    /** Interrupts {@code target} at the {@code n}-th chunk write (which goes on), as Ctrl-C's shutdown of a build does. */
    static final class InterruptingWrites extends ForwardingStore {
        private final AtomicInteger left;
        private final Thread[] target;

        InterruptingWrites(KeyValueStore base, AtomicInteger left, Thread[] target) {
            super(base);
            this.left = left;
            this.target = target;
        }

        @Override
        public WriteResult write(String key, MemorySegment value, WriteOptions options) {
            if (isChunk(base.uri() + key) && left.decrementAndGet() == 0) target[0].interrupt();
            return base.write(key, value, options);
        }
    }

    /**
     * The building thread is interrupted at the {@code n}-th chunk write: the build stops (or,
     * interrupted too late to notice, finishes), and a rerun gives the uninterrupted pyramid.
     */
    @ParameterizedTest(name = "{0}, interrupted at chunk write {1}")
    @CsvSource({"UINT8, 3", "UINT8, 25", "UINT8, 44", "UINT64, 10", "UINT64, 40", "UINT64, 45"})
    void aBuildWhoseThreadIsInterruptedResumes(DataType t, int n) throws InterruptedException {
        Layer l = layer(t, false, 13L * n + t.size());
        Thread[] target = new Thread[1];
        Throwable[] failed = new Throwable[1];
        AtomicInteger left = new AtomicInteger(n);
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new InterruptingWrites(KeyValueStores.open(u), left, target));
             BigArray a = BigArray.open(l.url(), Options.defaults(), ctx)) {
            target[0] = new Thread(() -> {
                try {
                    Pyramid.build(a, l.spec(), false);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            target[0].start();
            target[0].join();
        }
        try (BigArray a = BigArray.open(l.url())) {
            assertEquals(failed[0] == null ? MIPS + 1 : 1, a.info().scales().size(), "new scales published only by a build that finished: " + failed[0]);
        }
        resume(l);
        assertComplete(l, t + ", interrupted at chunk write " + n + " (" + failed[0] + ")");
    }

    private static String scaleKey(Layer l, int mip) {
        try (BigArray r = BigArray.open(l.reference())) {
            return r.info().scale(mip).key() + "/";
        }
    }
}
