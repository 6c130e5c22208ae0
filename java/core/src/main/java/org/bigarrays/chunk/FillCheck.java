package org.bigarrays.chunk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a decoded chunk holds only the fill value, so that a writer can skip storing it (a
 * missing chunk reads back as exactly the fill value). Writers ask only when the fill value is
 * 0: the precomputed format has no fill value of its own, and Neuroglancer (like every reader
 * with the default fill) shows a missing chunk as 0, so only an all-zero chunk reads back the
 * same everywhere. One {@link MemorySegment#mismatch} per
 * 64 KiB against a segment of the pattern: vectorised by the JVM, no native call needed.
 */
final class FillCheck {
    private static final int BLOCK = 64 << 10; // a multiple of every element size
    private static final MemorySegment ZEROS = Arena.global().allocate(BLOCK, 64);

    private static final Map<Key, MemorySegment> PATTERNS = new ConcurrentHashMap<>(); // few per process

    private record Key(long fillBits, int elementSize) {}

    private FillCheck() {}

    /**
     * Whether the first {@code size} bytes of {@code chunk} are all the fill value
     * {@code fillBits} (the element's bit pattern, little-endian) in elements of {@code elementSize}.
     */
    static boolean isAllFill(MemorySegment chunk, long size, int elementSize, long fillBits) {
        if (fillBits != 0) return false; // see the class notes: a missing chunk is 0 to other readers
        MemorySegment pattern = fillBits == 0 ? ZEROS
                : PATTERNS.computeIfAbsent(new Key(fillBits, elementSize), k -> pattern(elementSize, fillBits));
        for (long off = 0; off < size; off += BLOCK) {
            long n = Math.min(BLOCK, size - off);
            if (MemorySegment.mismatch(chunk, off, off + n, pattern, 0, n) >= 0) return false;
        }
        return true;
    }

    /** A block of {@code fillBits} repeated (little-endian elements of {@code elementSize} bytes). */
    private static MemorySegment pattern(int elementSize, long fillBits) {
        MemorySegment p = MemorySegment.ofArray(new byte[BLOCK]);
        for (long off = 0; off < BLOCK; off += elementSize) {
            for (int b = 0; b < elementSize; b++) p.set(ValueLayout.JAVA_BYTE, off + b, (byte) (fillBits >>> (8 * b)));
        }
        return p;
    }
}
