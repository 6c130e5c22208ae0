package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * {@link IoBudget}: requests in flight stay within the budget, and nested fan-outs under a held
 * permit finish even with a budget of one request (the timeouts turn a deadlock into a failure).
 */
class IoBudgetTest {
    private static final Duration DEADLOCK = Duration.ofSeconds(30);

    /** Counts steps running at once. */
    private static final class Gauge {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        <T> T step(T v) throws InterruptedException {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(2);
                return v;
            } finally {
                now.decrementAndGet();
            }
        }
    }

    @Test
    void aFanOutUnderTheOnlyPermitBorrowsItOneChildAtATime() {
        IoBudget budget = IoBudget.of(1, 1);
        Gauge g = new Gauge();
        List<Integer> got = assertTimeoutPreemptively(DEADLOCK, () -> budget.call(0, () -> {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                // Each child makes a request of its own and fans out again: both ride what it holds.
                tasks.add(() -> budget.call(100, () -> g.step(n)) + budget.all(List.of(() -> g.step(0), () -> g.step(0)), x -> {}).size());
            }
            return budget.all(tasks, x -> {});
        }));
        assertEquals(16, got.size());
        for (int i = 0; i < 16; i++) assertEquals(i + 2, got.get(i));
        assertEquals(1, g.max.get(), "steps in flight with a budget of one request");
    }

    @Test
    void childrenTakeFreePermitsButNeverMoreThanTheBudget() {
        IoBudget budget = IoBudget.of(3, 1L << 20);
        Gauge g = new Gauge();
        assertTimeoutPreemptively(DEADLOCK, () -> budget.call(0, () -> {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 64; i++) tasks.add(() -> g.step(1));
            return budget.all(tasks, x -> {});
        }));
        assertTrue(g.max.get() >= 2 && g.max.get() <= 3, "children in flight " + g.max.get() + ", budget 3 (the parent's permit lent to one)");
    }

    @Test
    void threadsWithoutAPermitWaitForOne() throws Exception {
        IoBudget budget = IoBudget.of(2, 1L << 20);
        Gauge g = new Gauge();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) threads.add(Thread.ofVirtual().start(() -> budget.call(0, () -> g.step(1))));
        for (Thread t : threads) t.join();
        assertEquals(2, g.max.get());
    }

    @Test
    void bytesAreBoundedTooAndAStepLargerThanTheBudgetRunsAlone() throws Exception {
        IoBudget budget = IoBudget.of(8, 4096);
        Gauge g = new Gauge();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) threads.add(Thread.ofVirtual().start(() -> budget.call(2048, () -> g.step(1))));
        for (Thread t : threads) t.join();
        assertEquals(2, g.max.get(), "two 2 KiB steps fit 4 KiB");
        Gauge big = new Gauge();
        threads.clear();
        for (int i = 0; i < 4; i++) threads.add(Thread.ofVirtual().start(() -> budget.call(1L << 40, () -> big.step(1))));
        for (Thread t : threads) t.join();
        assertEquals(1, big.max.get());
    }

    @Test
    void aFailingChildFailsTheFanOutAfterTheOthersFinish() {
        IoBudget budget = IoBudget.of(1, 1);
        AtomicInteger discarded = new AtomicInteger();
        List<Callable<Integer>> tasks = List.of(() -> 1, () -> {
            throw new IllegalStateException("boom");
        }, () -> 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> budget.call(0, () -> budget.all(tasks, x -> discarded.incrementAndGet())));
        assertEquals("boom", e.getMessage());
        assertEquals(2, discarded.get());
    }

    @Test
    void emptyBudgetsAreRefused() {
        assertThrows(InvalidInputException.class, () -> IoBudget.of(0, 1));
        assertThrows(InvalidInputException.class, () -> IoBudget.of(1, 0));
    }
}
