package org.bigarrays.nativ;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large buffers straight from the OS (Linux {@code mmap}, transparent huge pages asked for),
 * owned by the caller's arena: unmapped when it closes. {@code Arena.allocate} of a big cutout
 * result mallocs fresh pages, zeroes them and takes a fault per 4 KiB page; for a 512³ uint8 box
 * that cost ten times the read itself (0.47 s against 0.045 s on a 2-core VM). Pages from here
 * come zeroed by the kernel, 2 MiB at a time where huge pages are allowed, on first touch.
 */
public final class PageMemory {
    /** Below this, the arena's own allocation is as cheap. */
    public static final long MIN_BYTES = 4L << 20;

    private static final long HUGE_PAGE = 2L << 20;
    // Linux values, the same on x86_64 and aarch64.
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final Logger LOG = LoggerFactory.getLogger(PageMemory.class);

    private PageMemory() {}

    /** The calls, linked on first use; null when they cannot be (not Linux, no native access). */
    private static final class Calls {
        static final MethodHandle MMAP;
        static final MethodHandle MADVISE;
        static final MethodHandle MUNMAP;

        static {
            MethodHandle mmap = null, madvise = null, munmap = null;
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                try {
                    Linker linker = Linker.nativeLinker();
                    var libc = linker.defaultLookup();
                    mmap = linker.downcallHandle(libc.findOrThrow("mmap"),
                            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
                    madvise = linker.downcallHandle(libc.findOrThrow("madvise"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
                    munmap = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                } catch (RuntimeException e) { // IllegalCallerException without native access, a missing symbol
                    LOG.debug("page memory unavailable, arenas allocate instead: {}", e.toString());
                    mmap = madvise = munmap = null;
                }
            }
            MMAP = mmap;
            MADVISE = madvise;
            MUNMAP = munmap;
        }
    }

    /**
     * {@code bytes} of zeroed memory owned by {@code arena} (64-byte aligned), or null when this
     * way is not available or not worth it (small sizes, not Linux, mapping refused): the caller
     * then allocates from the arena.
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (bytes < MIN_BYTES || NativeLibrary.disabledGlobally() || Calls.MMAP == null) return null;
        long length = Math.ceilDiv(bytes, HUGE_PAGE) * HUGE_PAGE;
        MemorySegment at;
        try {
            at = (MemorySegment) Calls.MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (at.address() == -1L || at.address() == 0L) return null; // MAP_FAILED: let the arena try
            int ignored = (int) Calls.MADVISE.invokeExact(at, length, MADV_HUGEPAGE); // a hint; refused where huge pages are off
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed: " + t, t);
        }
        long address = at.address();
        try {
            return at.reinterpret(bytes, arena, s -> unmap(address, length));
        } catch (RuntimeException e) { // the arena closed meanwhile, or is not this thread's
            unmap(address, length);
            throw e;
        }
    }

    private static void unmap(long address, long length) {
        try {
            int rc = (int) Calls.MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
            if (rc != 0) LOG.warn("munmap of {} bytes at {} failed", length, Long.toHexString(address));
        } catch (Throwable t) {
            LOG.warn("munmap failed: {}", t.toString());
        }
    }
}
