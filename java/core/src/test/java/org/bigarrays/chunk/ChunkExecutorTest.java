package org.bigarrays.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.BigArraysException;
import org.bigarrays.CorruptChunkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chunk executor: every task once, through its three stages, under the caps, failures rethrown. */
class ChunkExecutorTest {
    /** Records how many tasks are in each stage at once. */
    static final class Probe {
        final AtomicInteger inFetch = new AtomicInteger();
        final AtomicInteger inProcess = new AtomicInteger();
        final AtomicInteger maxFetch = new AtomicInteger();
        final AtomicInteger maxProcess = new AtomicInteger();
        final ConcurrentHashMap<Integer, Integer> stored = new ConcurrentHashMap<>();

        ChunkExecutor.ChunkTask<Integer, Integer> task(int id) {
            return new ChunkExecutor.ChunkTask<>() {
                @Override
                public Integer fetch() throws InterruptedException {
                    maxFetch.accumulateAndGet(inFetch.incrementAndGet(), Math::max);
                    Thread.sleep(1);
                    inFetch.decrementAndGet();
                    return id;
                }

                @Override
                public Integer process(Integer f) {
                    maxProcess.accumulateAndGet(inProcess.incrementAndGet(), Math::max);
                    long spin = System.nanoTime() + 200_000;
                    while (System.nanoTime() < spin) Thread.onSpinWait();
                    inProcess.decrementAndGet();
                    return f * 2;
                }

                @Override
                public void store(Integer p) {
                    if (stored.put(p / 2, p) != null) throw new AssertionError("task " + p / 2 + " stored twice");
                }
            };
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1", "2,8", "1,4", "3,2"})
    void everyTaskRunsOnceWithinTheCaps(int cpu, int io) {
        Probe p = new Probe();
        List<ChunkExecutor.ChunkTask<Integer, Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) tasks.add(p.task(i));
        AtomicLong last = new AtomicLong();
        new ChunkExecutor(cpu, io).run(tasks, done -> last.accumulateAndGet(done, Math::max));
        assertEquals(200, p.stored.size());
        for (int i = 0; i < 200; i++) assertEquals(2 * i, p.stored.get(i));
        assertEquals(200, last.get());
        assertTrue(p.maxFetch.get() <= io, "fetches in flight " + p.maxFetch.get() + " > " + io);
        assertTrue(p.maxProcess.get() <= cpu, "processes at once " + p.maxProcess.get() + " > " + cpu);
    }

    /** Tasks of {@code sizes[i]} bytes each; records the most bytes in flight (fetch to store) at once. */
    static long maxBytesInFlight(ChunkExecutor ex, long[] sizes, long cap) {
        AtomicLong inFlight = new AtomicLong(), max = new AtomicLong();
        AtomicInteger stored = new AtomicInteger();
        List<ChunkExecutor.ChunkTask<Long, Long>> tasks = new ArrayList<>();
        for (long size : sizes) {
            tasks.add(new ChunkExecutor.ChunkTask<>() {
                @Override
                public long ioBytes() {
                    return size;
                }

                @Override
                public Long fetch() throws InterruptedException {
                    max.accumulateAndGet(inFlight.addAndGet(size), Math::max);
                    Thread.sleep(1);
                    return size;
                }

                @Override
                public Long process(Long f) {
                    return f;
                }

                @Override
                public void store(Long p) {
                    inFlight.addAndGet(-p);
                    stored.incrementAndGet();
                }
            });
        }
        ex.run(tasks.iterator(), n -> {}, cap);
        assertEquals(sizes.length, stored.get());
        return max.get();
    }

    @ParameterizedTest
    @CsvSource({"1,4", "2,8", "4,16"})
    void bytesInFlightStayUnderTheCap(int cpu, int io) {
        long mib = 1 << 20;
        long[] sizes = new long[120];
        for (int i = 0; i < sizes.length; i++) sizes[i] = (1 + i % 5) * mib; // 1..5 MiB
        long max = maxBytesInFlight(new ChunkExecutor(cpu, io), sizes, 8 * mib);
        assertTrue(max <= 8 * mib, "bytes in flight " + max + " > the cap of " + 8 * mib);
        // Without a cap as many tasks run as the executor allows: the test can tell a cap from none.
        long uncapped = maxBytesInFlight(new ChunkExecutor(cpu, io), sizes, Long.MAX_VALUE);
        assertTrue(uncapped > 8 * mib, "uncapped bytes in flight " + uncapped);
    }

    @Test
    void aTaskLargerThanTheCapRunsAlone() {
        long mib = 1 << 20;
        long[] sizes = {3 * mib, 20 * mib, 3 * mib, 20 * mib, 1 * mib};
        long max = maxBytesInFlight(new ChunkExecutor(2, 8), sizes, 8 * mib);
        assertEquals(20 * mib, max, "a task over the cap takes the whole cap, so it runs with no other");
    }

    @ParameterizedTest
    @CsvSource({"1,1", "2,8"})
    void theFirstFailureIsRethrownAsItIs(int cpu, int io) {
        CorruptChunkException boom = new CorruptChunkException("1_1_1/0-1_0-1_0-1", "bad");
        List<ChunkExecutor.ChunkTask<Integer, Integer>> tasks = new ArrayList<>();
        Probe p = new Probe();
        for (int i = 0; i < 50; i++) {
            int id = i;
            ChunkExecutor.ChunkTask<Integer, Integer> ok = p.task(i);
            tasks.add(new ChunkExecutor.ChunkTask<>() {
                @Override
                public Integer fetch() throws Exception {
                    return ok.fetch();
                }

                @Override
                public Integer process(Integer f) throws Exception {
                    if (id == 10) throw boom;
                    return ok.process(f);
                }

                @Override
                public void store(Integer x) throws Exception {
                    ok.store(x);
                }
            });
        }
        CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> new ChunkExecutor(cpu, io).run(tasks, d -> {}));
        assertSame(boom, e);
    }

    @Test
    void checkedExceptionsAreWrappedNamingTheCause() {
        List<ChunkExecutor.ChunkTask<Integer, Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(new ChunkExecutor.ChunkTask<>() {
                @Override
                public Integer fetch() throws IOException {
                    throw new IOException("disk on fire");
                }

                @Override
                public Integer process(Integer f) {
                    return f;
                }
            });
        }
        for (ChunkExecutor ex : new ChunkExecutor[] {new ChunkExecutor(1, 1), new ChunkExecutor(2, 4)}) {
            BigArraysException e = assertThrows(BigArraysException.class, () -> ex.run(tasks, d -> {}));
            assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        }
    }

    @Test
    void badThreadCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkExecutor(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ChunkExecutor(1, 0));
        new ChunkExecutor(1, 1).run(List.<ChunkExecutor.ChunkTask<Integer, Integer>>of(), d -> {
            throw new AssertionError("no tasks, no progress");
        });
    }
}
