package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
