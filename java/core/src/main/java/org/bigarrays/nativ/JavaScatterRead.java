package org.bigarrays.nativ;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@link ScatterRead} in Java: {@code FileChannel}'s scattering reads, one per group of spans,
 * into buffers over the destination's slices (the JDK reads into off-heap buffers directly, with
 * {@code readv}). The twin of {@link LibcScatterRead}, used when native calls are off.
 */
public final class JavaScatterRead implements ScatterRead {
    /** The one instance. */
    public static final JavaScatterRead INSTANCE = new JavaScatterRead();

    private JavaScatterRead() {}

    @Override
    public boolean read(Path path, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) throws IOException {
        ScatterRead.check(expectedSize, dst, spans, count, head);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            return false;
        }
        // A FIFO would block the open: only regular files are opened.
        if (!a.isRegularFile() || a.size() != expectedSize) return false;
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (ch; Arena scratch = Arena.ofConfined()) {
            if (ch.size() != expectedSize) return false; // replaced between the look and the open
            long gap = ScatterRead.largestGap(spans, count);
            ByteBuffer sink = gap > 0 ? scratch.allocate(gap).asByteBuffer() : null;
            for (int from = 0; from < count; ) {
                int to = ScatterRead.groupEnd(spans, from, count);
                readGroup(ch, path, dst, spans, from, to, sink);
                from = to;
            }
            long h = Math.min(head.byteSize(), expectedSize);
            if (h > 0) {
                ByteBuffer hb = head.asSlice(0, h).asByteBuffer();
                while (hb.hasRemaining()) if (ch.read(hb, hb.position()) < 0) throw shrank(path);
            }
            return true;
        }
    }

    private static void readGroup(FileChannel ch, Path path, MemorySegment dst, long[] spans, int from, int to, ByteBuffer sink) throws IOException {
        ByteBuffer[] bufs = new ByteBuffer[2 * (to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (i > from) {
                long gap = spans[3 * i] - (spans[3 * (i - 1)] + spans[3 * (i - 1) + 2]);
                if (gap > 0) bufs[n++] = sink.duplicate().clear().limit((int) gap);
            }
            bufs[n++] = dst.asSlice(spans[3 * i + 1], spans[3 * i + 2]).asByteBuffer();
        }
        ch.position(spans[3 * from]);
        int k = 0;
        while (k < n) {
            if (ch.read(bufs, k, n - k) < 0) throw shrank(path);
            while (k < n && !bufs[k].hasRemaining()) k++;
        }
    }

    static IOException shrank(Path path) {
        return new IOException("file " + path + " shrank while reading");
    }

    @Override
    public String name() {
        return "java";
    }
}
