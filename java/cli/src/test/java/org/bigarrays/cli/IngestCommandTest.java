package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.Stacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bigarrays ingest}: image stacks and arrays in, exact voxels out; bad slices named with exit 2; reruns resume. */
class IngestCommandTest {
    @TempDir
    Path tmp;

    private static void assertVoxels(Path layer, DataType sourceType) {
        try (BigArray a = BigArray.open(layer.toString())) {
            NdView v = a.read(a.bounds());
            long[] o = v.origin();
            long[] s = v.shape();
            for (long z = 0; z < s[2]; z++) {
                for (long y = 0; y < s[1]; y++) {
                    for (long x = 0; x < s[0]; x++) {
                        assertEquals(Stacks.value(sourceType, x, y, z, 0), v.getAsDouble(o[0] + x, o[1] + y, o[2] + z), x + "," + y + "," + z);
                    }
                }
            }
        }
    }

    private static String listing(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().limit(20).toList().toString();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void tiffDirectoryWithOptionsThenRerunIsRefused() throws Exception {
        Stacks.writeSlices(tmp.resolve("src"), "slice", "tif", DataType.UINT16, 50, 40, 12, 1);
        Path dst = tmp.resolve("dst");
        InProcess.run("ingest", tmp.resolve("src").toString(), dst.toString(), "--chunk", "32,32,4", "--resolution", "4,4,40",
                "--offset", "10,20,30", "--compress", "gzip", "--threads", "2").ok();
        try (BigArray a = BigArray.open(dst.toString())) {
            assertEquals(DataType.UINT16, a.dataType());
            assertEquals("10,20,30:60,60,42", a.bounds().toString());
            assertEquals(40.0, a.info().scale(0).resolution()[2]);
        }
        assertVoxels(dst, DataType.UINT16);
        byte[] chunk = Files.readAllBytes(dst.resolve("4_4_40/10-42_20-52_30-34.gz")); // CloudFiles' gzip name on local disk
        assertTrue((chunk[0] & 0xff) == 0x1f && (chunk[1] & 0xff) == 0x8b, () -> "gzip-compressed chunks: " + listing(dst));
        // A finished layer is never written into again (an unfinished one resumes: InterruptedJobTest).
        InProcess.run("ingest", tmp.resolve("src").toString(), dst.toString(), "--chunk", "32,32,4", "--resolution", "4,4,40",
                "--offset", "10,20,30", "--compress", "gzip").failsWith(2, "already exists");
        assertVoxels(dst, DataType.UINT16);
    }

    @Test
    void globShardingAndEncoding() {
        Stacks.writeSlices(tmp.resolve("src"), "a", "png", DataType.UINT8, 64, 64, 8, 1);
        Stacks.writeSlices(tmp.resolve("src"), "b", "png", DataType.UINT8, 3, 3, 1, 1); // not matched by the glob
        Path dst = tmp.resolve("dst");
        InProcess.run("ingest", tmp.resolve("src") + "/a*.png", dst.toString(), "--chunk", "16,16,4", "--sharding", "auto").ok();
        assertVoxels(dst, DataType.UINT8);
        Path cs = tmp.resolve("cs");
        InProcess.run("ingest", tmp.resolve("src") + "/a*.png", cs.toString(), "--dtype", "uint32", "--encoding", "compressed_segmentation",
                "--type", "segmentation").ok();
        assertVoxels(cs, DataType.UINT8);
        InProcess.run("ingest", tmp.resolve("src") + "/a*.png", tmp.resolve("h").toString(), "--chunk", "16,16,4", "--sharding", "0,1,1,murmurhash3_x86_128")
                .failsWith(2, "hashed", "transcode");
    }

    @Test
    void downsampleAfterIngestEqualsTheDownsampleCommand() throws Exception {
        Stacks.writeSlices(tmp.resolve("src"), "z", "png", DataType.UINT8, 40, 30, 6, 1);
        InProcess.run("ingest", tmp.resolve("src").toString(), tmp.resolve("a").toString(), "--chunk", "16,16,2", "--downsample").ok();
        InProcess.run("ingest", tmp.resolve("src").toString(), tmp.resolve("b").toString(), "--chunk", "16,16,2").ok();
        InProcess.run("downsample", tmp.resolve("b").toString()).ok();
        try (BigArray a = BigArray.open(tmp.resolve("a").toString()); BigArray b = BigArray.open(tmp.resolve("b").toString())) {
            assertTrue(a.info().scales().size() > 1, a.info().toJson());
            assertEquals(b.info().toJson(), a.info().toJson());
            for (int m = 1; m < a.info().scales().size(); m++) {
                assertEquals(java.util.Arrays.toString(b.mip(m).read(b.mip(m).bounds()).toByteArray()),
                        java.util.Arrays.toString(a.mip(m).read(a.mip(m).bounds()).toByteArray()), "mip " + m);
            }
        }
    }

    @Test
    void npyAndRawFiles() throws Exception {
        long[] shape = {9, 7, 5};
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Npy.writeHeader(bos, DataType.INT16, shape);
        ByteBuffer data = ByteBuffer.allocate(9 * 7 * 5 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int z = 0; z < 5; z++) for (int y = 0; y < 7; y++) for (int x = 0; x < 9; x++) data.putShort((short) Stacks.value(DataType.INT16, x, y, z, 0));
        Path npy = tmp.resolve("v.npy");
        Files.write(npy, bos.toByteArray());
        Files.write(npy, data.array(), java.nio.file.StandardOpenOption.APPEND);
        InProcess.run("ingest", npy.toString(), tmp.resolve("n").toString()).ok();
        assertVoxels(tmp.resolve("n"), DataType.INT16);

        Path raw = tmp.resolve("v.raw");
        Files.write(raw, data.array());
        InProcess.run("ingest", raw.toString(), tmp.resolve("r").toString()).failsWith(2, "--dtype", "--shape");
        InProcess.run("ingest", raw.toString(), tmp.resolve("r").toString(), "--dtype", "int16", "--shape", "9,7,5").ok();
        assertVoxels(tmp.resolve("r"), DataType.INT16);
    }

    @Test
    void badSlicesExitTwoNamingTheFile() throws Exception {
        List<Path> files = Stacks.writeSlices(tmp.resolve("bad"), "z", "png", DataType.UINT8, 64, 64, 4, 1);
        byte[] b = Files.readAllBytes(files.get(3));
        int idat = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("IDAT");
        java.util.Arrays.fill(b, idat + 6, Math.min(b.length - 12, idat + 40), (byte) 0xff);
        Files.write(files.get(3), b);
        InProcess.run("ingest", tmp.resolve("bad").toString(), tmp.resolve("d1").toString()).failsWith(2, "z3.png", "cannot decode");

        Stacks.writeSlices(tmp.resolve("mm"), "z", "tif", DataType.UINT8, 20, 10, 2, 1);
        Stacks.writeSlices(tmp.resolve("mm"), "zz", "tif", DataType.UINT8, 20, 11, 1, 1);
        InProcess.run("ingest", tmp.resolve("mm").toString(), tmp.resolve("d2").toString()).failsWith(2, "zz0.tif", "20x11", "20x10");
        InProcess.run("ingest", tmp.resolve("nothing").toString(), tmp.resolve("d3").toString()).failsWith(2, "not found");
        assertTrue(InProcess.run("ingest", "--help").ok().out().contains("--box-mb"));
    }

    /**
     * A name in the stack that is not a readable regular file stops the ingest (exit 2, one line
     * naming it) instead of being skipped, which would move every later slice down one z. The FIFO
     * must not be opened: that would block until a writer comes (hence the timeout).
     */
    @Test
    void aSliceThatIsNotAReadableRegularFileExitsTwoNamingIt() throws Exception {
        List<Path> files = Stacks.writeSlices(tmp.resolve("s"), "img_", "png", DataType.UINT8, 24, 16, 10, 1);
        Path fifth = files.get(5);
        Path saved = tmp.resolve("saved.png");
        Files.move(fifth, saved);
        String name = fifth.getFileName().toString();
        String dst = tmp.resolve("d").toString();

        Files.createSymbolicLink(fifth, tmp.resolve("gone.png"));
        InProcess.run("ingest", tmp.resolve("s").toString(), dst).failsWith(2, name, "is a dangling symbolic link");
        InProcess.run("ingest", tmp.resolve("s") + "/img_*.png", dst).failsWith(2, name, "is a dangling symbolic link");
        Files.delete(fifth);

        Path other = tmp.resolve("s/loop.lnk");
        Files.createSymbolicLink(fifth, other);
        Files.createSymbolicLink(other, fifth);
        InProcess.run("ingest", tmp.resolve("s").toString(), dst).failsWith(2, name, "symbolic link loop");
        Files.delete(fifth);
        Files.delete(other);

        Process mk = new ProcessBuilder("mkfifo", fifth.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> InProcess.run("ingest", tmp.resolve("s").toString(), dst).failsWith(2, name, "is a FIFO, not a regular file"));
        Files.delete(fifth);

        // A valid symbolic link to a slice is followed.
        Files.createSymbolicLink(fifth, saved);
        InProcess.run("ingest", tmp.resolve("s").toString(), dst).ok();
        try (BigArray a = BigArray.open(dst)) {
            assertEquals(10, a.info().scale(0).size()[2]);
            NdView v = a.read(a.bounds());
            for (int z = 0; z < 10; z++) for (int y = 0; y < 16; y++) for (int x = 0; x < 24; x++) {
                assertEquals((long) Stacks.value(DataType.UINT8, x, y, z, 0), v.getAsLong(x, y, z), "z " + z);
            }
        }
    }

    @Test
    void anUnreadableSliceExitsTwoNamingIt() throws Exception {
        List<Path> files = Stacks.writeSlices(tmp.resolve("s"), "img_", "png", DataType.UINT8, 24, 16, 10, 1);
        Path fifth = files.get(5);
        String name = fifth.getFileName().toString();
        Files.setPosixFilePermissions(fifth, java.util.Set.of());
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(fifth),
                    "running as root: a chmod 000 file is still readable to root, so there is no unreadable slice to refuse");
            InProcess.run("ingest", tmp.resolve("s").toString(), tmp.resolve("d2").toString()).failsWith(2, name, "not readable");
        } finally {
            Files.setPosixFilePermissions(fifth, java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
        }
    }
}
