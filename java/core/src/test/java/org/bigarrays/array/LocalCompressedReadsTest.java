package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bigarrays.BigArraysException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;

/**
 * Compressed chunks on local disk are read each right before it is decoded, on the decoding
 * thread, when every core decodes (ChunkReader's readsWhenDecoding): cutouts of such layers (gzip, zstd, lz4 transport
 * compression, compressed_segmentation, blosc), some chunk files deleted, read sequentially and
 * on as many threads as cores, against a model (the written volume where a chunk exists, the fill value
 * elsewhere and outside the volume); a damaged chunk fails the read naming its file, and the next
 * read of the same array is right again.
 */
class LocalCompressedReadsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    record Layer(String encoding, long[] size, long[] chunk, long seed) {
        DataType type() {
            return encoding.equals("cseg") ? DataType.UINT64 : DataType.UINT8;
        }

        @Override
        public String toString() {
            return encoding + " size " + java.util.Arrays.toString(size) + " chunk " + java.util.Arrays.toString(chunk) + " seed " + seed;
        }
    }

    @Provide
    Arbitrary<Layer> layers() {
        Arbitrary<long[]> sizes = Arbitraries.longs().between(1, 40).array(long[].class).ofSize(3);
        Arbitrary<long[]> chunks = Arbitraries.longs().between(1, 16).array(long[].class).ofSize(3);
        // blosc has no pure-Java twin: with libblosc switched off (BIGARRAYS_NATIVE=0) its layers cannot be read at all.
        java.util.List<String> encodings = org.bigarrays.nativ.NativeLibrary.BLOSC.disabledByConfiguration()
                ? java.util.List.of("gzip", "zstd", "lz4", "cseg") : java.util.List.of("gzip", "zstd", "lz4", "cseg", "blosc");
        return Combinators.combine(Arbitraries.of(encodings), sizes, chunks, Arbitraries.longs())
                .as(Layer::new)
                .map(l -> l.encoding.equals("cseg") ? new Layer(l.encoding, l.size, java.util.Arrays.stream(l.chunk).map(c -> Math.max(c, 8)).toArray(), l.seed) : l) // 8³ blocks
                .filter(l -> cells(l) <= 200);
    }

    private static long cells(Layer l) {
        long n = 1;
        for (int i = 0; i < 3; i++) n *= (l.size[i] + l.chunk[i] - 1) / l.chunk[i];
        return n;
    }

    @Property(tries = 15) // each try writes its chunks durably (fsync per file)
    void cutoutsMatchTheModel(@ForAll("layers") Layer l) throws IOException {
        Path dir = Files.createTempDirectory("bigarrays-late");
        try {
            SplittableRandom r = new SplittableRandom(l.seed);
            Info info = Info.builder(l.type(), l.size, l.chunk).build();
            Options write = Options.defaults();
            switch (l.encoding) {
                case "gzip", "zstd", "lz4" -> write = write.withCompression(Compression.of(l.encoding));
                case "cseg" -> info = EncodingSpec.of("compressed_segmentation").applyTo(info);
                default -> info = EncodingSpec.of("blosclz").applyTo(info);
            }
            String url = dir.resolve("layer").toString();
            NdView vol = volume(l, r);
            try (BigArray a = BigArray.create(url, info, write)) {
                a.write(vol);
            }
            // Delete about a quarter of the chunk files: those cells read as the fill value, as do
            // chunks never stored (all zero: the write's fill value; sparse layers skip them).
            for (Path f : chunkFiles(dir)) if (r.nextInt(4) == 0) Files.delete(f);
            List<Box> stored = chunkFiles(dir).stream().map(LocalCompressedReadsTest::boxOf).toList();
            List<Box> missing = new ArrayList<>();
            long[] g = new long[3];
            for (g[2] = 0; g[2] * l.chunk[2] < l.size[2]; g[2]++) {
                for (g[1] = 0; g[1] * l.chunk[1] < l.size[1]; g[1]++) {
                    for (g[0] = 0; g[0] * l.chunk[0] < l.size[0]; g[0]++) {
                        long[] lo = new long[3], hi = new long[3];
                        for (int i = 0; i < 3; i++) {
                            lo[i] = g[i] * l.chunk[i];
                            hi[i] = Math.min(lo[i] + l.chunk[i], l.size[i]);
                        }
                        Box c = Box.of(lo, hi);
                        if (!stored.contains(c)) missing.add(c);
                    }
                }
            }
            for (int k = 0; k < 3; k++) {
                Box box = randomBox(l, r);
                // One thread (reads on I/O threads, unless this machine has one core) and as many as
                // the cores (each chunk read by the decoding thread).
                for (Options o : List.of(Options.defaults().withThreads(1, 1), Options.defaults().withThreads(CORES, 4))) {
                    try (BigArray a = BigArray.open(url, o.withFillValue(3))) {
                        assertMatches(vol, missing, a.read(box), box, l + " box " + box + " threads " + o);
                    }
                }
            }
            // A damaged chunk: the read fails naming it; the array's next read is right.
            List<Path> left = chunkFiles(dir);
            if (!left.isEmpty()) {
                Path bad = left.get(r.nextInt(left.size()));
                Box badBox = boxOf(bad);
                byte[] b = Files.readAllBytes(bad);
                // Cut to half, but never to exactly the chunk's byte size: a value of that size that
                // does not decompress is read as a raw chunk that begins with the magic number (the
                // format allows raw chunks in a compressed scale), not as damage.
                long chunkBytes = l.type().size() * badBox.size(0) * badBox.size(1) * badBox.size(2);
                int cut = Math.max(1, b.length / 2);
                if (cut == chunkBytes) cut--;
                Files.write(bad, java.util.Arrays.copyOf(b, Math.max(1, cut)));
                try (BigArray a = BigArray.open(url, Options.defaults().withThreads(CORES, 4).withFillValue(3))) {
                    BigArraysException e = assertThrows(BigArraysException.class, () -> a.read(badBox), l + ": a truncated chunk read without an error");
                    assertTrue(String.valueOf(e.getMessage()).contains(bad.getFileName().toString().replaceAll("\\.(gz|zst|zstd)$", "")),
                            "the error names the chunk: " + e.getMessage());
                    Files.write(bad, b);
                    Box whole = Box.of(new long[3], l.size);
                    assertMatches(vol, missing, a.read(whole), whole, l + " after a failed read");
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    /** Random voxels; labels for cseg drawn from a few values so that blocks compress. */
    private static NdView volume(Layer l, SplittableRandom r) {
        NdView v = NdView.allocate(Arena.ofAuto(), l.type(), new long[4], new long[] {l.size[0], l.size[1], l.size[2], 1});
        MemorySegment s = v.segment();
        long n = l.size[0] * l.size[1] * l.size[2];
        for (long i = 0; i < n; i++) {
            if (l.type() == DataType.UINT64) s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextInt(5) * 1_000_000_007L);
            else s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : i / 7));
        }
        return v;
    }

    /** A box inside the volume, or sticking out of it on some side (outside reads as the fill value). */
    private static Box randomBox(Layer l, SplittableRandom r) {
        long[] lo = new long[3], hi = new long[3];
        for (int i = 0; i < 3; i++) {
            lo[i] = r.nextLong(-2, l.size[i]);
            hi[i] = r.nextLong(lo[i] + 1, l.size[i] + 3);
        }
        return Box.of(lo, hi);
    }

    private static void assertMatches(NdView vol, List<Box> missing, NdView got, Box box, String what) {
        int es = vol.dataType().size();
        long[] p = new long[3];
        for (p[2] = box.min(2); p[2] < box.max(2); p[2]++) {
            for (p[1] = box.min(1); p[1] < box.max(1); p[1]++) {
                for (p[0] = box.min(0); p[0] < box.max(0); p[0]++) {
                    boolean inside = true;
                    for (int i = 0; i < 3; i++) inside &= p[i] >= 0 && p[i] < vol.shape()[i];
                    for (Box m : missing) if (inside && m.contains(Box.of(p.clone(), new long[] {p[0] + 1, p[1] + 1, p[2] + 1}))) inside = false;
                    long want = inside ? value(vol, p, es) : 3;
                    long have = value(got, p, es);
                    if (want != have) assertEquals(want, have, what + ": voxel " + java.util.Arrays.toString(p));
                }
            }
        }
    }

    private static long value(NdView v, long[] p, int es) {
        long off = v.byteOffset();
        for (int i = 0; i < 3; i++) off += (p[i] - v.origin()[i]) * v.strides()[i];
        return es == 8 ? v.segment().get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off) : Byte.toUnsignedLong(v.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, off));
    }

    /** The chunk files of the layer's one scale ({@code x0-x1_y0-y1_z0-z1}, maybe with a compression suffix). */
    private static List<Path> chunkFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().matches("\\d+-\\d+_\\d+-\\d+_\\d+-\\d+(\\.(gz|zst|zstd))?")).sorted().toList();
        }
    }

    private static Box boxOf(Path f) {
        String[] ax = f.getFileName().toString().replaceAll("\\.(gz|zst|zstd)$", "").split("_");
        long[] lo = new long[3], hi = new long[3];
        for (int i = 0; i < 3; i++) {
            String[] b = ax[i].split("-");
            lo[i] = Long.parseLong(b[0]);
            hi[i] = Long.parseLong(b[1]);
        }
        return Box.of(lo, hi);
    }
}
