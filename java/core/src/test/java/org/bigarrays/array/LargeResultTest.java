package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.UUID;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.PageMemory;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/** Results of read(box, arena) big enough to come from {@link PageMemory}: same voxels, freed with the arena. */
class LargeResultTest {
    @Test
    void aBigResultInAnArenaHasTheVoxelsOfReadAndIsFreedWithTheArena() {
        String url = "mem://" + UUID.randomUUID() + "/layer";
        Info info = Info.builder(DataType.UINT16, new long[] {300, 260, 40}, new long[] {64, 64, 16}).build();
        try (BigArray a = BigArray.create(url, info); Arena scratch = Arena.ofConfined()) {
            NdView v = NdView.allocate(scratch, DataType.UINT16, new long[4], new long[] {300, 260, 40, 1});
            SplittableRandom r = new SplittableRandom(7);
            for (long i = 0; i < v.byteSize(); i += 2) v.segment().set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) r.nextInt());
            a.write(v);
            // 5 MiB, partly outside the volume (fill) and unaligned to chunks.
            Box box = Box.of(new long[] {-20, 3, 1}, new long[] {280, 263, 36});
            long bytes = 300L * 260 * 35 * 2;
            assertTrue(bytes >= PageMemory.MIN_BYTES, "the box must be big enough for page memory");
            byte[] expected = a.read(box).segment().toArray(ValueLayout.JAVA_BYTE);
            MemorySegment seen;
            try (Arena arena = Arena.ofConfined()) {
                NdView got = a.read(box, arena);
                assertEquals(bytes, got.byteSize());
                assertArrayEquals(expected, got.segment().toArray(ValueLayout.JAVA_BYTE));
                seen = got.segment();
                assertTrue(seen.scope().isAlive());
            }
            assertFalse(seen.scope().isAlive(), "the result outlived its arena");
        }
    }

    @Test
    void pageMemoryIsZeroedWritableAndUnmappedWithItsArena() {
        MemorySegment seen;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = PageMemory.allocate(arena, PageMemory.MIN_BYTES + 12345);
            if (org.bigarrays.nativ.NativeLibrary.disabledGlobally() || !System.getProperty("os.name").startsWith("Linux")) {
                org.junit.jupiter.api.Assertions.assertNull(m, "page memory must be off with native code off, or off Linux");
                return;
            }
            org.junit.jupiter.api.Assertions.assertNotNull(m, "page memory refused on Linux with native code on");
            assertEquals(PageMemory.MIN_BYTES + 12345, m.byteSize());
            assertEquals(0, m.address() % 64);
            for (long i = 0; i < m.byteSize(); i += 4093) assertEquals(0, m.get(ValueLayout.JAVA_BYTE, i));
            m.fill((byte) 7);
            assertEquals(7, m.get(ValueLayout.JAVA_BYTE, m.byteSize() - 1));
            seen = m;
        }
        assertFalse(seen.scope().isAlive());
        try (Arena arena = Arena.ofConfined()) {
            org.junit.jupiter.api.Assertions.assertNull(PageMemory.allocate(arena, PageMemory.MIN_BYTES - 1), "small buffers stay with the arena");
        }
    }
}
