package org.bigarrays.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingPlanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ingest of generated image stacks: voxels exact for every sample type, boxes, resume, bad slices named. */
class IngestTest {
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(3);

    @TempDir
    Path tmp;

    @AfterAll
    static void stop() {
        WORKERS.shutdownNow();
    }

    private static Info info(DataType t, long[] size, long[] chunk, int channels) {
        return Info.builder(t, size, chunk).channels(channels).offset(5, -3, 2).build();
    }

    private String layer(String name) {
        return tmp.resolve(name).toUri().toString();
    }

    /** Every voxel of the layer at {@code url} equals {@link Stacks#value} (offset 5,-3,2 undone). */
    private static void assertStack(String url, DataType sourceType, int bands) {
        try (BigArray a = BigArray.open(url)) {
            NdView v = a.read(a.bounds());
            long[] s = v.shape();
            long[] o = v.origin();
            for (int c = 0; c < bands; c++) {
                for (long z = 0; z < s[2]; z++) {
                    for (long y = 0; y < s[1]; y++) {
                        for (long x = 0; x < s[0]; x++) {
                            double got = v.getAsDouble(o[0] + x, o[1] + y, o[2] + z, c);
                            double want = Stacks.value(sourceType, x, y, z, c);
                            if (got != want) throw new AssertionError("voxel " + x + "," + y + "," + z + "," + c + ": expected " + want + ", found " + got);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"UINT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32", "FLOAT64"})
    void tiffStackOfEveryTypeIsExact(DataType type) {
        Stacks.writeSlices(tmp.resolve("src"), "z", "tif", type, 37, 23, 5, 1);
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("src").toString()), WORKERS);
        assertEquals(type, s.dataType());
        assertEquals(List.of(37L, 23L, 5L, 1L), List.of(s.shape()[0], s.shape()[1], s.shape()[2], s.shape()[3]));
        // A tiny box budget: boxes cut in x and y as well as z.
        Ingest.Result r = Ingest.run(s, s.fingerprint(), layer("dst"), info(type, new long[] {37, 23, 5}, new long[] {16, 8, 2}, 1),
                Options.defaults(), 16 * 8 * 2 * type.size() * 2L);
        assertTrue(r.boxesWritten() > 6, "boxes: " + r);
        assertStack(layer("dst"), type, 1);
    }

    @Test
    void pngGrayAndRgbAndJpeg() throws IOException {
        Stacks.writeSlices(tmp.resolve("png16"), "p", "png", DataType.UINT16, 40, 30, 4, 1);
        ImageSlices p16 = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("png16").toString()), WORKERS);
        Ingest.run(p16, p16.fingerprint(), layer("png16l"), info(DataType.UINT16, new long[] {40, 30, 4}, new long[] {16, 16, 4}, 1),
                Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        assertStack(layer("png16l"), DataType.UINT16, 1);

        Stacks.writeSlices(tmp.resolve("rgb"), "c", "png", DataType.UINT8, 20, 10, 3, 3);
        ImageSlices rgb = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("rgb").toString()), WORKERS);
        assertEquals(3, rgb.shape()[3]);
        Ingest.run(rgb, rgb.fingerprint(), layer("rgbl"), info(DataType.UINT8, new long[] {20, 10, 3}, new long[] {8, 8, 2}, 3),
                Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        assertStack(layer("rgbl"), DataType.UINT8, 3);

        // JPEG is lossy: the layer must hold what ImageIO itself decodes.
        List<Path> jpgs = Stacks.writeSlices(tmp.resolve("jpg"), "j", "jpg", DataType.UINT8, 24, 16, 3, 1);
        ImageSlices j = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("jpg").toString()), WORKERS);
        Ingest.run(j, j.fingerprint(), layer("jpgl"), info(DataType.UINT8, new long[] {24, 16, 3}, new long[] {8, 8, 1}, 1),
                Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        try (BigArray a = BigArray.open(layer("jpgl"))) {
            for (int z = 0; z < 3; z++) {
                Raster want = ImageIO.read(jpgs.get(z).toFile()).getRaster();
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 24; x++) assertEquals(want.getSample(x, y, 0), a.read(Box.parse((5 + x) + "," + (y - 3) + "," + (z + 2) + ":" + (6 + x) + "," + (y - 2) + "," + (z + 3))).getAsLong(5 + x, y - 3, z + 2));
                }
            }
        }
    }

    @Test
    void multiPageTiffsFollowNaturalNameOrder() {
        Path dir = tmp.resolve("mp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // "s10" sorts after "s2" only by value: pages z 0..2 in s2.tif, 3..4 in s10.tif.
        Stacks.writeMultiPageTiff(dir.resolve("s10.tif"), DataType.UINT16, 12, 9, 3, 2);
        Stacks.writeMultiPageTiff(dir.resolve("s2.tif"), DataType.UINT16, 12, 9, 0, 3);
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(dir.toString()), WORKERS);
        assertEquals(5, s.shape()[2]);
        Ingest.run(s, s.fingerprint(), layer("mpl"), info(DataType.UINT16, new long[] {12, 9, 5}, new long[] {8, 8, 2}, 1),
                Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        assertStack(layer("mpl"), DataType.UINT16, 1);
    }

    @Test
    void globSelectsFiles() {
        Stacks.writeSlices(tmp.resolve("g"), "a", "png", DataType.UINT8, 4, 4, 3, 1);
        Stacks.writeSlices(tmp.resolve("g"), "b", "png", DataType.UINT8, 4, 4, 2, 1);
        assertEquals(List.of("a0.png", "a1.png", "a2.png"),
                ImageSlices.listFiles(tmp.resolve("g") + "/a*.png").stream().map(p -> p.getFileName().toString()).toList());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageSlices.listFiles(tmp.resolve("g") + "/c*.png"));
        assertTrue(e.getMessage().contains("c*.png"), e.getMessage());
    }

    @Test
    void mismatchedSliceNamesFileAndSizes() {
        Stacks.writeSlices(tmp.resolve("mm"), "z", "png", DataType.UINT8, 20, 10, 3, 1);
        Stacks.writeSlices(tmp.resolve("mm"), "zz", "png", DataType.UINT8, 21, 10, 1, 1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("mm").toString()), WORKERS));
        assertTrue(e.getMessage().contains("zz0.png") && e.getMessage().contains("21x10") && e.getMessage().contains("20x10"), e.getMessage());

        Stacks.writeSlices(tmp.resolve("mt"), "z", "png", DataType.UINT8, 20, 10, 2, 1);
        Stacks.writeSlices(tmp.resolve("mt"), "zz", "png", DataType.UINT16, 20, 10, 1, 1);
        e = assertThrows(InvalidInputException.class, () -> ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("mt").toString()), WORKERS));
        assertTrue(e.getMessage().contains("zz0.png") && e.getMessage().contains("uint16") && e.getMessage().contains("uint8"), e.getMessage());
    }

    @Test
    void corruptSliceFailsNamingTheFile() throws IOException {
        List<Path> files = Stacks.writeSlices(tmp.resolve("bad"), "z", "png", DataType.UINT8, 64, 64, 4, 1);
        // Overwrite slice 2's compressed pixel data (after the zlib header): its header still reads, its pixels do not.
        byte[] b = Files.readAllBytes(files.get(2));
        int idat = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("IDAT");
        java.util.Arrays.fill(b, idat + 6, Math.min(b.length - 12, idat + 40), (byte) 0xff);
        Files.write(files.get(2), b);
        ImageSlices s = ImageSlices.scan(files, WORKERS);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Ingest.run(s, s.fingerprint(), layer("badl"),
                info(DataType.UINT8, new long[] {64, 64, 4}, new long[] {64, 64, 2}, 1), Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("z2.png"), e.getMessage());

        // Garbage from the first byte: the header scan names the file.
        Files.write(files.get(1), new byte[] {1, 2, 3, 4, 5});
        e = assertThrows(InvalidInputException.class, () -> ImageSlices.scan(files, WORKERS));
        assertTrue(e.getMessage().contains("z1.png"), e.getMessage());
    }

    /** Counts box reads; fails the read of box number {@code failAt} (0-based) when that is ≥ 0. */
    private static final class Flaky implements VolumeSource {
        final VolumeSource inner;
        final int failAt;
        final AtomicInteger reads = new AtomicInteger();

        Flaky(VolumeSource inner, int failAt) {
            this.inner = inner;
            this.failAt = failAt;
        }

        public DataType dataType() {
            return inner.dataType();
        }

        public long[] shape() {
            return inner.shape();
        }

        public void read(Box box, NdView into, ExecutorService w) {
            if (reads.getAndIncrement() == failAt) throw new IllegalStateException("killed while reading " + box);
            inner.read(box, into, w);
        }
    }

    @Test
    void rerunAfterAFailureSkipsFinishedBoxes() {
        Stacks.writeSlices(tmp.resolve("r"), "z", "tif", DataType.UINT8, 30, 20, 8, 1);
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("r").toString()), WORKERS);
        Info info = info(DataType.UINT8, new long[] {30, 20, 8}, new long[] {16, 16, 2}, 1);
        long box = 30 * 16 * 2; // one unit row of the full width: 2 boxes per z-slab, 8 in all
        String dst = layer("rl");
        Flaky first = new Flaky(s, 3);
        assertThrows(IllegalStateException.class, () -> Ingest.run(first, s.fingerprint(), dst, info, Options.defaults(), box));
        FileStore store = new FileStore(tmp.resolve("rl"));
        assertEquals(3, store.list(JobRecord.DONE_PREFIX).size(), "boxes 0..2 committed before the failure: " + store.list(""));
        // Published last: the unfinished layer has no info, so nothing opens it as finished.
        InvalidInputException unfinished = assertThrows(InvalidInputException.class, () -> BigArray.open(dst).close());
        assertTrue(unfinished.getMessage().contains("unfinished 'ingest' job"), unfinished.getMessage());

        Flaky second = new Flaky(s, -1);
        Ingest.Result r = Ingest.run(second, s.fingerprint(), dst, info, Options.defaults(), box);
        assertEquals(3, r.boxesSkipped());
        assertEquals(5, r.boxesWritten());
        assertEquals(5, second.reads.get(), "only unfinished boxes are read again");
        assertStack(dst, DataType.UINT8, 1);
        assertEquals(List.of(), store.list(JobRecord.DIR), "the job record is removed once complete");

        // A finished layer is never written into again.
        Flaky third = new Flaky(s, -1);
        InvalidInputException again = assertThrows(InvalidInputException.class, () -> Ingest.run(third, s.fingerprint(), dst, info, Options.defaults(), box));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
        assertEquals(0, third.reads.get());
    }

    @Test
    void refusesALayerThatIsNotThisIngest() {
        Stacks.writeSlices(tmp.resolve("a"), "z", "png", DataType.UINT8, 8, 8, 2, 1);
        Stacks.writeSlices(tmp.resolve("b"), "z", "png", DataType.UINT8, 8, 8, 3, 1);
        ImageSlices a = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("a").toString()), WORKERS);
        ImageSlices b = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("b").toString()), WORKERS);
        Info ia = info(DataType.UINT8, new long[] {8, 8, 2}, new long[] {8, 8, 2}, 1);
        Ingest.run(a, a.fingerprint(), layer("x"), ia, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        Info ib = info(DataType.UINT8, new long[] {8, 8, 3}, new long[] {8, 8, 2}, 1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Ingest.run(b, b.fingerprint(), layer("x"), ib, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());

        // An unfinished ingest of a, resumed with source b: refused, naming each field that differs.
        assertThrows(IllegalStateException.class, () -> Ingest.run(new Flaky(a, 0), a.fingerprint(), layer("u"), ia, Options.defaults(), 1));
        e = assertThrows(InvalidInputException.class,
                () -> Ingest.run(b, b.fingerprint(), layer("u"), ib, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("source: recorded") && e.getMessage().contains("info: recorded") && e.getMessage().contains("--restart"),
                e.getMessage());
        Ingest.run(b, b.fingerprint(), layer("u"), ib, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES, true);
        assertStack(layer("u"), DataType.UINT8, 1);

        BigArray.create(layer("plain"), ia).close();
        e = assertThrows(InvalidInputException.class,
                () -> Ingest.run(a, a.fingerprint(), layer("plain"), ia, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());

        e = assertThrows(InvalidInputException.class,
                () -> Ingest.run(a, a.fingerprint(), layer("y"), ib, Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("does not match the source"), e.getMessage());
    }

    @Test
    void shardedIngestHoldsTheSameVoxels() {
        Stacks.writeSlices(tmp.resolve("sh"), "z", "tif", DataType.UINT16, 70, 50, 9, 1);
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("sh").toString()), WORKERS);
        long[] size = {70, 50, 9};
        long[] chunk = {16, 16, 2};
        var spec = ShardingPlanner.forImage(size, chunk, 2, 4L * 16 * 16 * 2 * 2, 1 << 20, 1 << 20); // 4 chunks a shard
        Info info = Info.builder(DataType.UINT16, size, chunk).offset(5, -3, 2).sharding(spec).build();
        Ingest.Result r = Ingest.run(s, s.fingerprint(), layer("shl"), info, Options.defaults(), 1);
        assertTrue(r.boxesWritten() > 10, r.toString());
        assertStack(layer("shl"), DataType.UINT16, 1);
    }

    @Test
    void otherDataTypesConvertEachValueChecked() {
        Stacks.writeSlices(tmp.resolve("c8"), "z", "png", DataType.UINT8, 9, 7, 3, 1);
        ImageSlices s8 = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("c8").toString()), WORKERS);
        Ingest.run(s8, s8.fingerprint(), layer("c8l"), info(DataType.FLOAT32, new long[] {9, 7, 3}, new long[] {8, 8, 2}, 1),
                Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES);
        assertStack(layer("c8l"), DataType.UINT8, 1);

        Stacks.writeSlices(tmp.resolve("c16"), "z", "png", DataType.UINT16, 9, 7, 3, 1);
        ImageSlices s16 = ImageSlices.scan(ImageSlices.listFiles(tmp.resolve("c16").toString()), WORKERS);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Ingest.run(s16, s16.fingerprint(), layer("c16l"),
                info(DataType.UINT8, new long[] {9, 7, 3}, new long[] {8, 8, 2}, 1), Options.defaults(), IngestPlan.DEFAULT_BOX_BYTES));
        assertTrue(e.getMessage().contains("does not fit uint8") && e.getMessage().contains(".png"), e.getMessage());
    }

    @Test
    void planBoxesAreAlignedDisjointAndCoverTheVolume() {
        Info info = Info.builder(DataType.UINT8, new long[] {100, 70, 9}, new long[] {16, 8, 4}).offset(-7, 3, 1).build();
        try (BigArray a = BigArray.create(layer("plan"), info)) {
            for (long budget : new long[] {1, 500, 16 * 8 * 4 * 3, 100 * 8 * 4, 100 * 8 * 4 * 2 + 5, 1L << 30}) {
                List<Box> boxes = IngestPlan.boxes(a, budget);
                long covered = 0;
                for (int i = 0; i < boxes.size(); i++) {
                    Box b = boxes.get(i);
                    assertTrue(a.grid().isAligned(b), b + " aligned");
                    assertTrue(a.bounds().contains(b));
                    covered += b.volume();
                    for (int j = 0; j < i; j++) assertTrue(boxes.get(j).intersect(b).isEmpty(), boxes.get(j) + " and " + b + " overlap");
                    assertTrue(b.size(2) == 4 || b.max(2) == a.bounds().max(2), "z depth is one chunk: " + b);
                }
                assertEquals(a.bounds().volume(), covered, "budget " + budget);
                if (budget >= 100 * 8 * 4) assertFalse(boxes.stream().anyMatch(b -> b.size(0) != 100), "full-width boxes when a unit row fits");
            }
        }
    }
}
