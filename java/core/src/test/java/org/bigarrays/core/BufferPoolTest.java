package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Property(tries = 300)
    void capacityCoversTheRequestWithAtMostAQuarterMore(@ForAll @LongRange(min = 0, max = 1L << 40) long bytes) {
        long c = BufferPool.capacityFor(bytes);
        assertTrue(c >= bytes && c >= BufferPool.MIN_BYTES, "capacity " + c + " for " + bytes);
        assertTrue(c <= Math.max(BufferPool.MIN_BYTES, bytes + bytes / 4), "capacity " + c + " for " + bytes + " wastes more than 25%");
        assertEquals(c, BufferPool.capacityFor(c), "a class's capacity is its own class");
    }

    @Test
    void aReturnedBufferIsReusedForTheSameClass() {
        BufferPool pool = new BufferPool(8);
        long address;
        try (Lease a = pool.lease(256 << 10)) {
            address = a.segment().address();
            assertEquals(256 << 10, a.segment().byteSize());
        }
        try (Lease b = pool.lease((256 << 10) - 100)) {
            assertEquals(address, b.segment().address());
            assertEquals((256 << 10) - 100, b.segment().byteSize());
        }
    }

    @Test
    void smallRequestsDoNotTakeBigBuffers() {
        BufferPool pool = new BufferPool(8);
        long big;
        try (Lease a = pool.lease(16 << 20)) {
            big = a.segment().address();
        }
        try (Lease small = pool.lease(10_000)) {
            assertNotEquals(big, small.segment().address(), "a 10 kB request took the idle 16 MiB buffer");
            try (Lease again = pool.lease(16 << 20)) {
                assertEquals(big, again.segment().address(), "the 16 MiB buffer was not kept for a 16 MiB request");
            }
        }
    }

    @Test
    void idleMemoryStaysUnderTheByteCap() {
        BufferPool pool = new BufferPool(100, 1 << 20);
        Lease a = pool.lease(1 << 20);
        Lease b = pool.lease(1 << 20);
        long ka = a.segment().address();
        a.close();
        assertEquals(1 << 20, pool.idleBytes());
        b.close(); // over the cap: dropped
        assertEquals(1 << 20, pool.idleBytes());
        try (Lease c = pool.lease(1 << 20)) {
            assertEquals(ka, c.segment().address());
            assertEquals(0, pool.idleBytes());
        }
    }

    @Test
    void aClosedLeaseRefusesAccessAndClosesOnce() {
        BufferPool pool = new BufferPool(4);
        Lease a = pool.lease(5000);
        a.close();
        a.close();
        assertThrows(IllegalStateException.class, a::segment);
        try (Lease b = pool.lease(5000); Lease c = pool.lease(5000)) {
            assertNotEquals(b.segment().address(), c.segment().address(), "a double close put one buffer in the pool twice");
        }
    }

    @Test
    void buffersThePoolDropsAreFreedAtOnce() {
        BufferPool pool = new BufferPool(1);
        Lease a = pool.lease(64 << 10);
        Lease b = pool.lease(64 << 10);
        MemorySegment kept = a.segment();
        MemorySegment dropped = b.segment();
        a.close();
        b.close(); // over the one-buffer cap: freed, not left for a garbage collection
        assertFalse(dropped.scope().isAlive(), "a buffer over the cap is still allocated");
        assertTrue(kept.scope().isAlive());
        pool.close();
        assertFalse(kept.scope().isAlive(), "closing the pool did not free its idle buffer");
        try (Lease c = pool.lease(64 << 10)) {
            MemorySegment late = c.segment();
            c.close();
            assertFalse(late.scope().isAlive(), "a closed pool kept a buffer given back to it");
        }
    }

    @Test
    void aLeaseNeverClosedIsFreedWhenCollected() throws InterruptedException {
        BufferPool pool = new BufferPool(4);
        MemorySegment seen = leaseAndDrop(pool);
        for (int i = 0; i < 200 && seen.scope().isAlive(); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertFalse(seen.scope().isAlive(), "the memory of a dropped lease was never freed");
        assertEquals(0, pool.idleBytes(), "a dropped lease went back to the pool");
    }

    @Test
    void buffersIdleTooLongAreFreed() throws InterruptedException {
        BufferPool pool = new BufferPool(8, 1 << 30, 50_000_000L); // 50 ms
        Lease a = pool.lease(64 << 10);
        MemorySegment idle = a.segment();
        a.close();
        assertTrue(idle.scope().isAlive());
        Thread.sleep(120);
        pool.lease(4096).close(); // any use of the pool trims what has been idle too long
        assertFalse(idle.scope().isAlive(), "a buffer idle for 120 ms outlived the 50 ms limit");
        assertEquals(4096, pool.idleBytes());
    }

    private static MemorySegment leaseAndDrop(BufferPool pool) {
        // The whole buffer's scope: reachable here, while the lease itself becomes unreachable.
        return pool.lease(8192).segment().asSlice(0, 1);
    }
}
