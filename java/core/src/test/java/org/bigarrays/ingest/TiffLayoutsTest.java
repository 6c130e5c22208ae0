package org.bigarrays.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest of TIFF slices in each strip/tile layout, voxel for voxel against the formula that wrote
 * them: one deflate strip for the whole page (streamed by {@link TiffStrips}, with boxes of 64 rows
 * so each box goes on where the last one stopped), tall multi-strip pages (streamed across strip
 * boundaries that boxes do not align to), short strips and tiles (decoded by ImageIO), big-endian
 * 16-bit RGB with the horizontal predictor, and the mix in one stack.
 */
class TiffLayoutsTest {
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(2);

    @TempDir
    Path tmp;

    @AfterAll
    static void stop() {
        WORKERS.shutdownNow();
    }

    /** Sample (x, y, z, band) of the test pages: every byte position differs from its neighbours. */
    static int value(int x, int y, int z, int band, int bits) {
        long v = x + 3L * y + ((long) x * y >> 7) + 101L * z + 7919L * band;
        return (int) (bits == 8 ? v & 0xff : v & 0xffff);
    }

    /**
     * A strip TIFF written by hand (ImageIO's writer picks its own strip height): {@code rowsPerStrip}
     * rows per strip, deflate (or none), the horizontal predictor or none, in either byte order.
     */
    static void writeStripTiff(Path file, int w, int h, int z, int bands, int bits, int rowsPerStrip, boolean deflate, boolean predictor,
                               ByteOrder order) throws IOException {
        int bps = bits / 8;
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;
        long[] offsets = new long[strips];
        long[] counts = new long[strips];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8)); // header, written last
            ByteBuffer row = ByteBuffer.allocate(w * bands * bps).order(order);
            for (int s = 0; s < strips; s++) {
                offsets[s] = ch.position();
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                OutputStream out = deflate ? new DeflaterOutputStream(bos, new Deflater(1)) : bos;
                for (int y = s * rowsPerStrip; y < Math.min(h, (s + 1) * rowsPerStrip); y++) {
                    row.clear();
                    for (int x = 0; x < w; x++) {
                        for (int b = 0; b < bands; b++) {
                            int v = value(x, y, z, b, bits);
                            if (predictor && x > 0) v -= value(x - 1, y, z, b, bits);
                            if (bps == 1) row.put((byte) v);
                            else row.putShort((short) v);
                        }
                    }
                    out.write(row.array());
                }
                out.close();
                counts[s] = bos.size();
                ch.write(ByteBuffer.wrap(bos.toByteArray()));
            }
            long arrays = ch.position();
            ByteBuffer a = ByteBuffer.allocate(8 * strips).order(order);
            for (long o : offsets) a.putInt((int) o);
            for (long c : counts) a.putInt((int) c);
            ch.write(a.flip());
            long ifd = ch.position();
            List<int[]> e = new ArrayList<>(); // tag, type (3 SHORT, 4 LONG), count, value
            e.add(new int[] {256, 4, 1, w});
            e.add(new int[] {257, 4, 1, h});
            e.add(new int[] {258, 3, 1, bits}); // one value per band: with 3 bands the values are stored after the IFD (below)
            e.add(new int[] {259, 3, 1, deflate ? 8 : 1});
            e.add(new int[] {262, 3, 1, bands == 3 ? 2 : 1});
            e.add(new int[] {273, 4, strips, strips == 1 ? (int) offsets[0] : (int) arrays});
            e.add(new int[] {277, 3, 1, bands});
            e.add(new int[] {278, 4, 1, rowsPerStrip});
            e.add(new int[] {279, 4, strips, strips == 1 ? (int) counts[0] : (int) (arrays + 4L * strips)});
            e.add(new int[] {284, 3, 1, 1});
            if (predictor) e.add(new int[] {317, 3, 1, 2});
            long bitsArray = ifd + 2 + 12L * e.size() + 4;
            ByteBuffer d = ByteBuffer.allocate(2 + 12 * e.size() + 4 + 8).order(order);
            d.putShort((short) e.size());
            for (int[] f : e) {
                d.putShort((short) f[0]).putShort((short) f[1]);
                if (f[0] == 258 && bands > 1) { // BitsPerSample has one value per band: 3 SHORTs do not fit in 4 bytes
                    d.putInt(bands).putInt((int) bitsArray);
                    continue;
                }
                d.putInt(f[2]);
                if (f[1] == 3 && f[2] == 1) d.putShort((short) f[3]).putShort((short) 0);
                else d.putInt(f[3]);
            }
            d.putInt(0);
            for (int b = 0; b < 4; b++) d.putShort((short) bits);
            ch.write(d.flip());
            ByteBuffer head = ByteBuffer.allocate(8).order(order);
            head.put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M').put(order == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
            head.putShort((short) 42).putInt((int) ifd);
            ch.write(head.flip(), 0);
        }
    }

    /** A tiled deflate TIFF (ImageIO's writer) of the same values. */
    static void writeTiledTiff(Path file, int w, int h, int z, int tile) throws IOException {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.getRaster().setSample(x, y, 0, value(x, y, z, 0, 8));
        ImageWriter wr = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            wr.setOutput(out);
            ImageWriteParam p = wr.getDefaultWriteParam();
            p.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
            p.setTiling(tile, tile, 0, 0);
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionType("Deflate");
            wr.write(null, new IIOImage(im, null, null), p);
        } finally {
            wr.dispose();
        }
    }

    /** Ingest {@code dir} (chunks 64×64×{@code cz}, boxes of 64 rows) and check every voxel against {@link #value}. */
    private ImageSlices ingestAndCheck(Path dir, int bands, int bits, int cz) {
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(dir.toString()), WORKERS);
        long[] sh = s.shape();
        DataType t = bits == 8 ? DataType.UINT8 : DataType.UINT16;
        assertEquals(t, s.dataType());
        String url = "mem://tiff-layouts/" + dir.getFileName();
        try {
            Info info = Info.builder(t, new long[] {sh[0], sh[1], sh[2]}, new long[] {64, 64, cz}).channels(bands).build();
            long rowBand = sh[0] * 64 * cz * bands * (bits / 8);
            Ingest.Result r = Ingest.run(s, s.fingerprint(), url, info, Options.defaults().withThreads(2, 2), rowBand);
            assertEquals((sh[1] + 63) / 64 * ((sh[2] + cz - 1) / cz), r.boxesWritten(), "one box per 64 rows of the full width");
            try (BigArray a = BigArray.open(url)) {
                NdView v = a.read(a.bounds());
                var seg = v.segment();
                long[] st = v.strides();
                for (int c = 0; c < bands; c++) for (int z = 0; z < sh[2]; z++) for (int y = 0; y < sh[1]; y++) for (int x = 0; x < sh[0]; x++) {
                    long off = v.byteOffset() + x * st[0] + y * st[1] + z * st[2] + c * st[3];
                    int got = bits == 8 ? Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, off))
                            : Short.toUnsignedInt(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off));
                    int want = value(x, y, z, c, bits);
                    if (got != want) {
                        throw new AssertionError(dir.getFileName() + ": voxel (" + x + "," + y + "," + z + "," + c + ") is " + got + ", expected " + want);
                    }
                }
            }
        } finally {
            KeyValueStores.dropMemory("tiff-layouts");
        }
        return s;
    }

    @Test
    void singleDeflateStripOf8000x8000IsStreamedAndExact() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("single"));
        writeStripTiff(dir.resolve("z0.tif"), 8000, 8000, 0, 1, 8, 8000, true, false, ByteOrder.LITTLE_ENDIAN);
        ImageSlices s = ImageSlices.scan(ImageSlices.listFiles(dir.toString()), WORKERS);
        TiffStrips.Layout l = SliceFormat.stripLayout(s.pages().getFirst(), SliceFormat.header(dir.resolve("z0.tif")).pages().getFirst());
        assertNotNull(l, "a 64 MB strip is streamed");
        assertEquals(1, l.offsets().length);
        ingestAndCheck(dir, 1, 8, 1);
    }

    @Test
    void multiStripTiledAndPredictedPagesAreExact() throws Exception {
        // Tall strips (5.6 MB; box rows of 64 do not align to 700) are streamed; strips of 16 rows and tiles go to ImageIO.
        Path tall = Files.createDirectories(tmp.resolve("tall"));
        Path shortStrips = Files.createDirectories(tmp.resolve("short"));
        Path tiled = Files.createDirectories(tmp.resolve("tiled"));
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        for (int z = 0; z < 3; z++) {
            writeStripTiff(tall.resolve("z" + z + ".tif"), 8000, 3000, z, 1, 8, 700, true, false, ByteOrder.LITTLE_ENDIAN);
            writeStripTiff(shortStrips.resolve("z" + z + ".tif"), 8000, 300, z, 1, 8, 16, true, false, ByteOrder.LITTLE_ENDIAN);
        }
        writeTiledTiff(tiled.resolve("z0.tif"), 3000, 2000, 0, 512);
        // A stack whose slices differ in layout: z0 one strip, z1 tiles, z2 uncompressed tall strips, z3 short strips.
        writeStripTiff(mixed.resolve("z0.tif"), 3000, 2000, 0, 1, 8, 2000, true, false, ByteOrder.BIG_ENDIAN);
        writeTiledTiff(mixed.resolve("z1.tif"), 3000, 2000, 1, 256);
        writeStripTiff(mixed.resolve("z2.tif"), 3000, 2000, 2, 1, 8, 1500, false, false, ByteOrder.LITTLE_ENDIAN);
        writeStripTiff(mixed.resolve("z3.tif"), 3000, 2000, 3, 1, 8, 16, true, false, ByteOrder.LITTLE_ENDIAN);

        ImageSlices t = ingestAndCheck(tall, 1, 8, 1);
        assertNotNull(SliceFormat.stripLayout(t.pages().getFirst(), SliceFormat.header(tall.resolve("z0.tif")).pages().getFirst()));
        ImageSlices s = ingestAndCheck(shortStrips, 1, 8, 2);
        assertNull(SliceFormat.stripLayout(s.pages().getFirst(), SliceFormat.header(shortStrips.resolve("z0.tif")).pages().getFirst()),
                "short strips: ImageIO");
        ImageSlices ti = ingestAndCheck(tiled, 1, 8, 1);
        assertNull(SliceFormat.stripLayout(ti.pages().getFirst(), SliceFormat.header(tiled.resolve("z0.tif")).pages().getFirst()), "tiles: ImageIO");
        ingestAndCheck(mixed, 1, 8, 4);
    }

    @Test
    void bigEndianRgb16WithThePredictorIsExact() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rgb16"));
        for (int z = 0; z < 2; z++) writeStripTiff(dir.resolve("z" + z + ".tif"), 1100, 700, z, 3, 16, 700, true, true, ByteOrder.BIG_ENDIAN);
        ImageSlices s = ingestAndCheck(dir, 3, 16, 2);
        TiffStrips.Layout l = SliceFormat.stripLayout(s.pages().getFirst(), SliceFormat.header(dir.resolve("z0.tif")).pages().getFirst());
        assertNotNull(l, "4.6 MB strips are streamed");
        assertTrue(l.bigEndian() && l.predictor() == 2 && l.samplesPerPixel() == 3, l.toString());
    }
}
