package org.bigarrays.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reusable off-heap chunk buffers, so a cutout of thousands of chunks does not allocate (and
 * zero) a fresh buffer for each. Buffers are owned by an automatic arena: one that is never
 * given back is simply collected.
 */
public final class ScratchPool {
    private final ConcurrentLinkedDeque<MemorySegment> free = new ConcurrentLinkedDeque<>();
    private final int maxKept;

    public ScratchPool(int maxKept) {
        this.maxKept = maxKept;
    }

    /** A buffer of at least {@code bytes} bytes, 64-byte aligned, contents undefined. */
    public MemorySegment borrow(long bytes) {
        // Look at each pooled buffer once; keep those too small (edge chunks) for later requests.
        for (int i = free.size(); i > 0; i--) {
            MemorySegment s = free.pollFirst();
            if (s == null) break;
            if (s.byteSize() >= bytes) return s;
            free.addLast(s);
        }
        return Arena.ofAuto().allocate(Math.max(bytes, 64), 64);
    }

    /** Return a buffer from {@link #borrow}. */
    public void giveBack(MemorySegment s) {
        if (free.size() < maxKept) free.addFirst(s);
    }
}
