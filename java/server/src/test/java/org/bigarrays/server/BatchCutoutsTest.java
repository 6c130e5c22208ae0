package org.bigarrays.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npz of batch cutouts: request parsing and its errors, the archive read back by
 * java.util.zip and by NumPy (an independent reader), its announced size, and the ZIP64 layout.
 */
class BatchCutoutsTest {
    @TempDir
    Path tmp;

    /** Voxel (x, y, z, c) of the test layers: uint16, known to the Python check too. */
    private static int value(long x, long y, long z, int c) {
        return (int) ((x + 7 * y + 31 * z + 1000 * c) % 65521);
    }

    /** A 2-channel uint16 layer of 16³ chunks, sharded gzip, with {@link #value} everywhere. */
    private static String layer(Path dir) {
        String url = dir.resolve("layer").toUri().toString();
        Info info = Info.builder(DataType.UINT16, new long[] {70, 50, 40}, new long[] {16, 16, 16}).offset(new long[] {-5, 3, 0}).channels(2)
                .sharding(new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 1, 2, Compression.GZIP, Compression.GZIP)).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withCompression(Compression.GZIP))) {
            NdView v = a.read(a.bounds());
            Box b = a.bounds();
            for (int c = 0; c < 2; c++)
                for (long z = b.min(2); z < b.max(2); z++)
                    for (long y = b.min(1); y < b.max(1); y++)
                        for (long x = b.min(0); x < b.max(0); x++) v.set(new long[] {x, y, z, c}, (short) value(x, y, z, c));
            a.write(v);
        }
        return url;
    }

    private static final String BODY = "{\"mip\": 0, \"boxes\": [\"0,3,0:16,19,16\", \"-5,3,0:65,53,40\", \"10,20,5:13,21,30\", \"0,3,0:16,19,16\","
            + " \"60,40,30:80,60,45\", \"-9,0,-2:-6,4,1\"]}";

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    private static String body(String... boxes) {
        return "{\"boxes\": [\"" + String.join("\", \"", boxes) + "\"]}";
    }

    @Test
    void npzHoldsEachCutoutInRequestOrderWithTheAnnouncedSize() throws Exception {
        String url = layer(tmp);
        try (BigArray a = BigArray.open(url)) {
            BatchRequest r = BatchRequest.parse(BODY.getBytes(StandardCharsets.UTF_8), a.info(), 100, 1L << 30);
            // The default bound (one window), a tight one (several windows), and one under the largest box (streamed entry).
            for (long memory : new long[] {BatchCutouts.DEFAULT_MEMORY, 40_000, 200_000}) {
                Path npz = tmp.resolve("out-" + memory + ".npz");
                try (OutputStream out = Files.newOutputStream(npz)) {
                    BatchCutouts.write(a, r, out, memory);
                }
                assertEquals(BatchCutouts.size(a, r, memory), Files.size(npz), "announced size, memory " + memory);
                try (ZipFile z = new ZipFile(npz.toFile())) {
                    List<String> names = Collections.list(z.entries()).stream().map(ZipEntry::getName).toList();
                    List<String> want = new ArrayList<>();
                    for (int i = 0; i < r.boxes().size(); i++) want.add("arr_" + i + ".npy");
                    assertEquals(want, names);
                    for (int i = 0; i < r.boxes().size(); i++) {
                        Box b = r.boxes().get(i);
                        ZipEntry e = z.getEntry("arr_" + i + ".npy");
                        assertEquals(ZipEntry.STORED, e.getMethod());
                        byte[] header = NpyHeader.of(DataType.UINT16, new long[] {b.size(0), b.size(1), b.size(2), 2});
                        byte[] voxels = bytes(a.read(b));
                        byte[] got;
                        try (InputStream in = z.getInputStream(e)) {
                            got = in.readAllBytes();
                        }
                        CRC32 crc = new CRC32();
                        crc.update(got);
                        assertEquals(e.getCrc(), crc.getValue(), "crc of arr_" + i);
                        assertArrayEquals(header, java.util.Arrays.copyOf(got, header.length), "header of arr_" + i);
                        assertArrayEquals(voxels, java.util.Arrays.copyOfRange(got, header.length, got.length), "voxels of arr_" + i + " " + b);
                    }
                }
            }
        }
    }

    /** The Python interpreter with NumPy, or a skip that says what is missing. */
    private static void assumeNumpy() throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException noPython) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 with numpy is not installed (Debian: apt-get install python3-numpy; ./test installs it): "
                + "the .npz is not checked by NumPy here");
    }

    private static String python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out: " + out);
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    /** NumPy recomputes every voxel from {@link #value}: shapes, dtypes, orders and values, fill outside the volume. */
    private static final String CHECK = """
            import sys, json, numpy as np
            path, boxes, first = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "czyx"
            lo, hi = np.array([-5, 3, 0]), np.array([65, 53, 40])
            with np.load(path) as npz:
                assert npz.files == ["arr_%d" % i for i in range(len(boxes))], npz.files
                for i, b in enumerate(boxes):
                    a = npz["arr_%d" % i]
                    mn, mx = [np.array([int(v) for v in s.split(",")]) for s in b.split(":")]
                    x, y, z = np.meshgrid(*[np.arange(mn[d], mx[d]) for d in range(3)], indexing="ij")
                    inside = (x >= lo[0]) & (x < hi[0]) & (y >= lo[1]) & (y < hi[1]) & (z >= lo[2]) & (z < hi[2])
                    want = np.stack([np.where(inside, (x + 7 * y + 31 * z + 1000 * c) % 65521, 0) for c in range(2)], axis=-1).astype("<u2")
                    if first:
                        want = np.ascontiguousarray(want.transpose(3, 2, 1, 0))
                    assert a.dtype == np.dtype("<u2"), a.dtype
                    assert a.shape == want.shape, (i, a.shape, want.shape)
                    assert a.flags.f_contiguous if not first else a.flags.c_contiguous
                    assert np.array_equal(a, want), (i, b)
            print("ok", len(boxes))
            """;

    @Test
    void numpyReadsTheNpz() throws Exception {
        assumeNumpy();
        String url = layer(tmp);
        try (BigArray a = BigArray.open(url)) {
            for (String axes : new String[] {"xyzc", "czyx"}) {
                String body = BODY.replace("{\"mip\": 0,", "{\"mip\": 0, \"axes\": \"" + axes + "\",");
                BatchRequest r = BatchRequest.parse(body.getBytes(StandardCharsets.UTF_8), a.info(), 100, 1L << 30);
                for (long memory : new long[] {BatchCutouts.DEFAULT_MEMORY, 200_000}) {
                    Path npz = tmp.resolve(axes + memory + ".npz");
                    try (OutputStream out = Files.newOutputStream(npz)) {
                        BatchCutouts.write(a, r, out, memory);
                    }
                    String boxes = BODY.substring(BODY.indexOf('['), BODY.lastIndexOf(']') + 1);
                    assertEquals("ok 6", python(CHECK, npz.toString(), boxes, axes));
                }
            }
        }
    }

    @Test
    void zip64LayoutReadsBackInJavaAndPython() throws Exception {
        // Every size, offset and the end in ZIP64 form, on a small archive: in-memory and streamed entries.
        Path f = tmp.resolve("z64.zip");
        byte[] big = new byte[200_000];
        new java.util.Random(5).nextBytes(big);
        List<String> names = List.of("a.bin", "b.bin", "c.bin");
        long[] sizes = {3 + big.length, 11, 0};
        try (OutputStream out = Files.newOutputStream(f)) {
            StoredZip z = new StoredZip(out, true);
            z.add("a.bin", new byte[] {1, 2, 3}, MemorySegment.ofArray(big));
            try (OutputStream e = z.open("b.bin", 11)) {
                e.write("hello world".getBytes(StandardCharsets.US_ASCII));
            }
            z.add("c.bin", new byte[0], MemorySegment.ofArray(new byte[0]));
            z.finish();
        }
        assertEquals(StoredZip.size(names, sizes, new boolean[] {false, true, false}, true), Files.size(f));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(3, z.size());
            try (InputStream in = z.getInputStream(z.getEntry("a.bin"))) {
                byte[] got = in.readAllBytes();
                assertEquals(3 + big.length, got.length);
                assertArrayEquals(big, java.util.Arrays.copyOfRange(got, 3, got.length));
            }
            try (InputStream in = z.getInputStream(z.getEntry("b.bin"))) {
                assertEquals("hello world", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        assumePython();
        assertEquals("[('a.bin', 200003), ('b.bin', 11), ('c.bin', 0)] None", python("""
                import sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                print([(i.filename, i.file_size) for i in z.infolist()], z.testzip())
                """, f.toString()));
    }

    @Test
    void entriesAndOffsetsPast4GiBTakeZip64() throws Exception {
        // A 5 GiB entry of zeros, then a small one at an offset past 4 GiB: written into a sparse
        // file (runs of zeros are skipped, not written), so it costs CRC time, not disk.
        Path f = tmp.resolve("big.zip");
        long big = 5L << 30;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            OutputStream sparse = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    boolean zeros = true;
                    for (int i = off; i < off + len && zeros; i++) zeros = b[i] == 0;
                    if (zeros) {
                        ch.position(ch.position() + len);
                    } else {
                        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                        while (buf.hasRemaining()) ch.write(buf);
                    }
                }
            };
            StoredZip z = new StoredZip(sparse);
            byte[] zeros = new byte[1 << 20];
            try (OutputStream e = z.open("big.bin", big)) {
                for (long n = 0; n < big; n += zeros.length) e.write(zeros);
            }
            z.add("small.bin", new byte[] {7, 8, 9}, MemorySegment.ofArray(new byte[0]));
            z.finish();
        }
        assertEquals(StoredZip.size(List.of("big.bin", "small.bin"), new long[] {big, 3}, new boolean[] {true, false}, false), Files.size(f));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(big, z.getEntry("big.bin").getSize());
            CRC32 crc = new CRC32();
            byte[] zeros = new byte[1 << 20];
            for (long n = 0; n < big; n += zeros.length) crc.update(zeros);
            assertEquals(crc.getValue(), z.getEntry("big.bin").getCrc());
            try (InputStream in = z.getInputStream(z.getEntry("small.bin"))) {
                assertArrayEquals(new byte[] {7, 8, 9}, in.readAllBytes());
            }
        }
        assumePython();
        assertEquals("[('big.bin', 5368709120), ('small.bin', 3)] b'\\x07\\x08\\t'", python("""
                import sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                print([(i.filename, i.file_size) for i in z.infolist()], z.read("small.bin"))
                """, f.toString()));
    }

    @Test
    void moreThan65535EntriesTakeTheZip64End() throws Exception {
        Path f = tmp.resolve("many.zip");
        int n = 70_000;
        List<String> names = new ArrayList<>();
        long[] sizes = new long[n];
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(f))) {
            StoredZip z = new StoredZip(out);
            for (int i = 0; i < n; i++) {
                names.add("arr_" + i + ".npy");
                sizes[i] = 2;
                z.add(names.get(i), new byte[] {(byte) i, (byte) (i >> 8)}, MemorySegment.ofArray(new byte[0]));
            }
            z.finish();
        }
        assertEquals(StoredZip.size(names, sizes, new boolean[n], false), Files.size(f));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertEquals(n, z.size());
            try (InputStream in = z.getInputStream(z.getEntry("arr_69999.npy"))) {
                assertArrayEquals(new byte[] {(byte) 69999, (byte) (69999 >> 8)}, in.readAllBytes());
            }
        }
        assumePython();
        assertEquals("70000 arr_69999.npy None", python("""
                import sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                print(len(z.namelist()), z.namelist()[-1], z.testzip())
                """, f.toString()));
    }

    private static void assumePython() throws Exception {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import zipfile").redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException noPython) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 is not installed: the zip is not checked by Python's zipfile here");
    }

    @Test
    void requestErrorsNameWhatIsWrong() {
        Info info = Info.builder(DataType.UINT16, new long[] {70, 50, 40}, new long[] {16, 16, 16}).channels(2).build();
        String[][] cases = {
            {"[]", "expected a JSON object"},
            {"{\"boxes\": [\"0,0,0:1,1,1\"]} {}", "after the JSON object"},
            {"{\"boxes\": [\"0,0,0:1,1,1\"", "malformed JSON"},
            {"{\"mip\": 1, \"boxes\": [\"0,0,0:1,1,1\"]}", "mip 1: expected 0..0"},
            {"{\"mip\": \"0\", \"boxes\": [\"0,0,0:1,1,1\"]}", "mip 0: expected an integer"},
            {"{\"mip\": 0}", "missing \"boxes\""},
            {"{\"boxes\": []}", "boxes: empty"},
            {"{\"boxes\": \"0,0,0:1,1,1\"}", "boxes: expected an array"},
            {"{\"boxes\": [\"0,0,0:1,1,1\", 5]}", "boxes[1]: expected a string"},
            {"{\"boxes\": [\"0,0,0:1,1,1\", \"1,2:3,4\"]}", "boxes[1] '1,2:3,4': expected x0,y0,z0:x1,y1,z1, found 2"},
            {"{\"boxes\": [\"0,0,0:1,1,x\"]}", "boxes[0] '0,0,0:1,1,x': invalid number 'x'"},
            {"{\"boxes\": [\"5,0,0:1,1,1\"]}", "boxes[0] '5,0,0:1,1,1': box 5,0,0:1,1,1 has max < min on axis 0"},
            {"{\"boxes\": [\"0,0,0:0,1,1\"]}", "boxes[0] '0,0,0:0,1,1' is empty"},
            {"{\"boxes\": [\"0,0,0:1,1,1\"], \"box\": 1}", "unknown member \"box\""},
            {"{\"boxes\": [\"0,0,0:1,1,1\"], \"boxes\": [\"0,0,0:1,1,1\"]}", "\"boxes\" given twice"},
            {"{\"boxes\": [\"0,0,0:1,1,1\"], \"axes\": \"zyx\"}", "axes zyx: expected \"xyzc\" or \"czyx\""},
            {body("0,0,0:1,1,1", "0,0,0:1,1,1", "0,0,0:1,1,1", "0,0,0:1,1,1"), "boxes: more than 3 in one request"},
            {body("0,0,0:10,10,10", "0,0,0:10,10,10"), "the first 2 of 2 already exceed the 5000 bytes"},
            {body("0,0,0:4611686018427387904,2,2"), "the first 1 of 1 already exceed"},
        };
        for (String[] c : cases) {
            var e = assertThrows(InvalidInputException.class, () -> BatchRequest.parse(c[0].getBytes(StandardCharsets.UTF_8), info, 3, 5000), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        BatchRequest ok = BatchRequest.parse(body("0,0,0:10,10,10", "1,1,1:2,2,2").getBytes(StandardCharsets.UTF_8), info, 3, 5000);
        assertEquals(List.of(Box.parse("0,0,0:10,10,10"), Box.parse("1,1,1:2,2,2")), ok.boxes());
        assertEquals(0, ok.mip());
        var tooLong = assertThrows(InvalidInputException.class,
                () -> BatchRequest.read(new java.io.ByteArrayInputStream(new byte[(int) BatchRequest.maxBodyBytes(3) + 1]), info, 3, 5000));
        assertTrue(tooLong.getMessage().contains("more than " + BatchRequest.maxBodyBytes(3) + " bytes"), tooLong.getMessage());
    }

    @Test
    void aClientThatGoesAwayStopsTheWrite() throws Exception {
        String url = layer(tmp);
        try (BigArray a = BigArray.open(url)) {
            BatchRequest r = BatchRequest.parse(BODY.getBytes(StandardCharsets.UTF_8), a.info(), 100, 1L << 30);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutputStream failing = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (sink.size() + len > 30_000) throw new IOException("Broken pipe");
                    sink.write(b, off, len);
                }
            };
            var e = assertThrows(IOException.class, () -> BatchCutouts.write(a, r, failing, 40_000));
            assertEquals("Broken pipe", e.getMessage());
        }
    }
}
