package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ScatterRead}: the C library's {@code preadv} path and its {@code FileChannel} twin put
 * the same bytes in the same places (random spans, gaps read through, more pieces than one call
 * takes), write nothing when the file is not there or has another size, and refuse spans outside
 * the destination or the file before reading.
 */
class ScatterReadTest {
    @TempDir
    Path dir;

    private static List<ScatterRead> implementations() {
        List<ScatterRead> all = new ArrayList<>(List.of(JavaScatterRead.INSTANCE));
        if (LibcScatterRead.available()) all.add(LibcScatterRead.instance());
        return all;
    }

    @Test
    void theImplementationInUseFollowsTheNativeSwitch() {
        assertEquals(NativeLibrary.disabledGlobally() ? "java" : "native", ScatterRead.get().name());
    }

    @Test
    void nativeIsAvailableWhereNativeCallsAreOn() {
        // On Linux with native access on (as the build runs its tests), the C library path links.
        assumeTrue(System.getProperty("os.name").toLowerCase().startsWith("linux") && !NativeLibrary.disabledGlobally());
        assertTrue(LibcScatterRead.available());
    }

    @Test
    void randomSpansLandWhereTheReferenceCopyPutsThem() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 40; round++) {
            int size = 1 + r.nextInt(200_000);
            byte[] file = new byte[size];
            r.nextBytes(file);
            Path p = dir.resolve("f" + round);
            Files.write(p, file);
            // Spans in file order with random gaps (some over MAX_GAP), scattered over a larger destination.
            long dstSize = size * 2L + 100;
            List<long[]> spans = new ArrayList<>();
            long pos = r.nextInt(Math.min(size, 100));
            boolean many = round % 4 == 0; // tiny spans: more pieces than IOV_MAX
            while (pos < size) {
                long len = Math.min(size - pos, 1 + r.nextInt(many ? 4 : 3000));
                long dst = r.nextLong(dstSize - len + 1);
                spans.add(new long[] {pos, dst, len});
                pos += len + (r.nextInt(5) == 0 ? r.nextInt(many ? 3 : 100_000) : 0);
            }
            long[] flat = new long[spans.size() * 3];
            for (int i = 0; i < spans.size(); i++) System.arraycopy(spans.get(i), 0, flat, 3 * i, 3);
            // Destinations may overlap between spans: the reference applies them in order, as the reads do.
            byte[] want = new byte[(int) dstSize];
            for (long[] s : spans) System.arraycopy(file, (int) s[0], want, (int) s[1], (int) s[2]);
            for (ScatterRead impl : implementations()) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment dst = a.allocate(dstSize);
                    MemorySegment head = a.allocate(4);
                    assertTrue(impl.read(p, size, dst, flat, spans.size(), head), impl.name());
                    assertEquals(-1, dst.mismatch(MemorySegment.ofArray(want)), impl.name() + " round " + round + ", " + spans.size() + " spans");
                    int h = Math.min(4, size);
                    assertEquals(-1, head.asSlice(0, h).mismatch(MemorySegment.ofArray(file).asSlice(0, h)), impl.name() + " head");
                }
            }
        }
    }

    @Test
    void aHeapDestinationIsReadToo() throws IOException {
        Path p = dir.resolve("heap");
        Files.write(p, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        for (ScatterRead impl : implementations()) {
            byte[] out = new byte[8];
            byte[] head = new byte[2];
            assertTrue(impl.read(p, 8, MemorySegment.ofArray(out), new long[] {1, 0, 2, 5, 4, 3}, 2, MemorySegment.ofArray(head)));
            assertEquals("[2, 3, 0, 0, 6, 7, 8, 0]", java.util.Arrays.toString(out), impl.name());
            assertEquals("[1, 2]", java.util.Arrays.toString(head));
        }
    }

    @Test
    void noFileAnotherSizeOrADirectoryReadsNothing() throws IOException {
        Path p = dir.resolve("short");
        Files.write(p, new byte[100]);
        Files.createDirectory(dir.resolve("sub"));
        for (ScatterRead impl : implementations()) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment dst = a.allocate(200).fill((byte) 9);
                long[] spans = {0, 0, 100};
                assertFalse(impl.read(dir.resolve("absent"), 100, dst, spans, 1, a.allocate(4)), impl.name() + ": absent");
                assertFalse(impl.read(p, 101, dst, new long[] {0, 0, 101}, 1, a.allocate(4)), impl.name() + ": shorter than expected");
                assertFalse(impl.read(p, 99, dst, new long[] {0, 0, 99}, 1, a.allocate(4)), impl.name() + ": longer than expected");
                assertFalse(impl.read(dir.resolve("sub"), 100, dst, spans, 1, a.allocate(4)), impl.name() + ": a directory");
                for (long i = 0; i < 200; i++) assertEquals(9, dst.get(ValueLayout.JAVA_BYTE, i), impl.name() + ": untouched");
            }
        }
    }

    @Test
    void spansOutsideTheDestinationOrTheFileAreRefusedBeforeReading() throws IOException {
        Path p = dir.resolve("f");
        Files.write(p, new byte[100]);
        for (ScatterRead impl : implementations()) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment dst = a.allocate(50);
                MemorySegment head = a.allocate(4);
                assertThrows(IndexOutOfBoundsException.class, () -> impl.read(p, 100, dst, new long[] {0, 10, 41}, 1, head), impl.name());
                assertThrows(IndexOutOfBoundsException.class, () -> impl.read(p, 100, dst, new long[] {90, 0, 11}, 1, head), impl.name());
                assertThrows(IllegalArgumentException.class, () -> impl.read(p, 100, dst, new long[] {10, 0, 5, 12, 5, 5}, 2, head), impl.name() + ": overlapping");
                assertThrows(IllegalArgumentException.class, () -> impl.read(p, 100, dst, new long[] {0, -1, 5}, 1, head), impl.name() + ": negative");
                assertThrows(IllegalArgumentException.class, () -> impl.read(p, 100, dst.asReadOnly(), new long[] {0, 0, 5}, 1, head), impl.name() + ": read-only");
            }
        }
    }
}
