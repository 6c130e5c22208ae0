package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.LayerFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code bigarrays} main class in a subprocess: outputs, files and exit codes. */
class CliTest {
    @TempDir
    Path tmp;

    record Run(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    static Run cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process died; its exit code tells
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bigarrays did not finish");
        t.join();
        return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    private static void assertExit(int code, Run r) {
        assertEquals(code, r.code(), () -> "exit code; stderr: " + r.stderr());
    }

    /** A .npy file of uint16 values v(x,y,z,c) = x + 10y + 100z + 1000c, in the given order. */
    private static Path npy(Path file, long[] shape, boolean fortran) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        // Npy.writeHeader always writes Fortran order; patch the flag for a C-order file.
        Npy.writeHeader(bos, DataType.UINT16, shape);
        byte[] header = bos.toByteArray();
        if (!fortran) {
            String h = new String(header, StandardCharsets.ISO_8859_1).replace("'fortran_order': True, ", "'fortran_order': False,");
            header = h.getBytes(StandardCharsets.ISO_8859_1);
        }
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer data = ByteBuffer.allocate((int) n * 2).order(ByteOrder.LITTLE_ENDIAN);
        long c4 = shape.length == 4 ? shape[3] : 1;
        long[] idx = new long[4];
        for (long i = 0; i < n; i++) {
            // i walks memory order; recover (x,y,z,c) from it
            long r = i;
            if (fortran) {
                idx[0] = r % shape[0]; r /= shape[0];
                idx[1] = r % shape[1]; r /= shape[1];
                idx[2] = r % shape[2]; r /= shape[2];
                idx[3] = r;
            } else {
                idx[3] = r % c4; r /= c4;
                idx[2] = r % shape[2]; r /= shape[2];
                idx[1] = r % shape[1]; r /= shape[1];
                idx[0] = r;
            }
            data.putShort((short) (idx[0] + 10 * idx[1] + 100 * idx[2] + 1000 * idx[3]));
        }
        Files.write(file, concat(header, data.array()));
        return file;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int u16(byte[] b, int i) {
        return (b[2 * i] & 0xff) | (b[2 * i + 1] & 0xff) << 8;
    }

    @Test
    void createWriteCutoutRoundTrip() throws Exception {
        String layer = tmp.resolve("layer").toString();
        Run c = cli("create", layer, "--dtype", "uint16", "--size", "20,12,9", "--chunk", "8,8,4", "--offset", "-4,0,3", "--channels", "2");
        assertExit(0, c);
        Run info = cli("info", "--json", layer);
        assertExit(0, info);
        assertTrue(info.out().contains("\"data_type\" : \"uint16\""), info.out());
        assertTrue(info.out().contains("\"voxel_offset\" : [ -4, 0, 3 ]"), info.out());

        // Write the whole volume from a C-order .npy: the CLI must transpose it.
        Path in = npy(tmp.resolve("in.npy"), new long[] {20, 12, 9, 2}, false);
        assertExit(0, cli("write", layer, "--at", "-4,0,3", in.toString()));

        Path out = tmp.resolve("out.npy");
        assertExit(0, cli("cutout", layer, "--box", "-1,2,4:7,11,12", "-o", out.toString()));
        byte[] bytes = Files.readAllBytes(out);
        Npy.Header h = Npy.readHeader(new java.io.ByteArrayInputStream(bytes), "out.npy");
        assertArrayEquals(new long[] {8, 9, 8, 2}, h.shape());
        assertTrue(h.fortranOrder());
        int dataStart = bytes.length - 8 * 9 * 8 * 2 * 2;
        assertEquals(0, dataStart % 64, "npy data is 64-byte aligned");
        byte[] data = Arrays.copyOfRange(bytes, dataStart, bytes.length);
        int i = 0;
        for (int ch = 0; ch < 2; ch++) {
            for (int z = 4; z < 12; z++) {
                for (int y = 2; y < 11; y++) {
                    for (int x = -1; x < 7; x++) {
                        long expected = z < 12 ? (x + 4) + 10L * y + 100L * (z - 3) + 1000L * ch : 0;
                        assertEquals(expected, u16(data, i++), "voxel " + x + "," + y + "," + z + "," + ch);
                    }
                }
            }
        }
        LayerFiles.assertOnlyFormatFiles(Path.of(layer)); // no lock, temp or job file left by create, write, cutout
        try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("in.npy", "layer", "out.npy"), s.map(p -> p.getFileName().toString()).sorted().toList(), "cutout left no temp file");
        }
    }

    @Test
    void rawStdoutAndFillOutsideVolume() throws Exception {
        String layer = tmp.resolve("l2").toString();
        assertExit(0, cli("create", layer, "--dtype", "uint16", "--size", "8,8,8", "--chunk", "4,4,4"));
        Path in = npy(tmp.resolve("a.npy"), new long[] {8, 8, 8}, true);
        assertExit(0, cli("write", layer, "--at", "0,0,0", in.toString(), "--compress", "gzip"));
        byte[] chunk = Files.readAllBytes(tmp.resolve("l2/1_1_1/0-4_0-4_0-4.gz"));
        assertTrue(chunk[0] == (byte) 0x1f && chunk[1] == (byte) 0x8b, "gzip chunks on local disk are CloudFiles' <key>.gz");
        assertFalse(Files.exists(tmp.resolve("l2/1_1_1/0-4_0-4_0-4")), "one name per chunk");
        Run r = cli("cutout", layer, "--box", "6,7,7:10,8,8", "-o", "-");
        assertExit(0, r);
        assertEquals(4 * 2, r.stdout().length);
        assertEquals(6 + 70 + 700, u16(r.stdout(), 0));
        assertEquals(7 + 70 + 700, u16(r.stdout(), 1));
        assertEquals(0, u16(r.stdout(), 2), "outside the volume reads as fill");
        Run filled = cli("cutout", layer, "--box", "8,0,0:9,1,1", "--fill", "7", "-o", "-");
        assertExit(0, filled);
        assertEquals(7, u16(filled.stdout(), 0));
    }

    @Test
    void rawInputNeedsShapeAndMatchingSize() throws Exception {
        String layer = tmp.resolve("l3").toString();
        assertExit(0, cli("create", layer, "--dtype", "uint8", "--size", "4,4,4", "--chunk", "4,4,4"));
        Path raw = tmp.resolve("in.raw");
        byte[] b = new byte[64];
        for (int i = 0; i < 64; i++) b[i] = (byte) i;
        Files.write(raw, b);
        Run noShape = cli("write", layer, "--at", "0,0,0", raw.toString());
        assertExit(2, noShape);
        assertTrue(noShape.stderr().contains("--shape"), noShape.stderr());
        assertExit(2, cli("write", layer, "--at", "0,0,0", raw.toString(), "--shape", "4,4,5"));
        assertExit(0, cli("write", layer, "--at", "0,0,0", raw.toString(), "--shape", "4,4,4"));
        Path out = tmp.resolve("o.raw");
        assertExit(0, cli("cutout", layer, "--box", "0,0,0:4,4,4", "-o", out.toString()));
        assertArrayEquals(b, Files.readAllBytes(out));
    }

    @Test
    void badInputExitsTwoWithOneLineError() throws Exception {
        String layer = tmp.resolve("l4").toString();
        assertExit(0, cli("create", layer, "--dtype", "uint8", "--size", "16,16,16", "--chunk", "8,8,8"));
        String[][] bad = {
            {"cutout", layer, "--box", "1,2:3", "-o", "-"},
            {"cutout", layer, "--box", "0,0,0:2,x,2", "-o", "-"},
            {"cutout", layer, "--box", "4,0,0:2,2,2", "-o", "-"},
            {"cutout", layer, "--box", "0,0,0:2,2,2", "--mip", "3", "-o", "-"},
            {"cutout", layer, "--box", "0,0,0:20,2,2", "--strict", "-o", "-"},
            {"cutout", tmp.resolve("nothing-here").toString(), "--box", "0,0,0:1,1,1", "-o", "-"},
            {"create", tmp.resolve("x").toString(), "--dtype", "uint7", "--size", "1,1,1", "--chunk", "1,1,1"},
            {"create", tmp.resolve("x").toString(), "--dtype", "uint8", "--size", "1,1", "--chunk", "1,1,1"},
            {"create", layer, "--dtype", "uint8", "--size", "1,1,1", "--chunk", "1,1,1"},
            {"cutout", "ftp://host/layer", "--box", "0,0,0:1,1,1", "-o", "-"},
            {"frobnicate"},
            {"cutout", layer},
        };
        for (String[] args : bad) {
            Run r = cli(args);
            assertEquals(2, r.code(), () -> String.join(" ", args) + " -> " + r.stderr());
            assertFalse(r.stderr().contains("\tat "), () -> "no stack trace without --debug: " + r.stderr());
            assertTrue(r.stderr().startsWith("bigarrays: "), r.stderr());
        }
    }

    @Test
    void unalignedWriteNamesAlignedBox() throws Exception {
        String layer = tmp.resolve("l5").toString();
        assertExit(0, cli("create", layer, "--dtype", "uint16", "--size", "16,16,16", "--chunk", "8,8,8"));
        Path in = npy(tmp.resolve("u.npy"), new long[] {4, 4, 4}, true);
        Run r = cli("write", layer, "--at", "2,2,2", in.toString());
        assertExit(2, r);
        assertTrue(r.stderr().contains("0,0,0:8,8,8"), r.stderr());
        assertExit(0, cli("write", layer, "--at", "2,2,2", in.toString(), "--rmw"));
        Run c = cli("cutout", layer, "--box", "1,2,2:3,3,3", "-o", "-");
        assertEquals(0, u16(c.stdout(), 0));
        assertEquals(0, u16(c.stdout(), 1));
    }

    @Test
    void corruptChunkExitsOneNamingTheKey() throws Exception {
        Path layer = tmp.resolve("l6");
        assertExit(0, cli("create", layer.toString(), "--dtype", "uint8", "--size", "8,8,8", "--chunk", "8,8,8"));
        Files.createDirectories(layer.resolve("1_1_1"));
        Files.write(layer.resolve("1_1_1/0-8_0-8_0-8"), new byte[100]);
        Run r = cli("cutout", layer.toString(), "--box", "0,0,0:8,8,8", "-o", "-");
        assertExit(1, r);
        assertTrue(r.stderr().contains("0-8_0-8_0-8") && r.stderr().contains("expected 512 bytes, found 100"), r.stderr());
        Run d = cli("--debug", "cutout", layer.toString(), "--box", "0,0,0:8,8,8", "-o", "-");
        assertExit(1, d);
        assertTrue(d.stderr().contains("\tat "), "--debug prints the stack trace");
    }

    @Test
    void shardedLayerRoundTrip() throws Exception {
        String layer = tmp.resolve("sh").toString();
        assertExit(0, cli("create", layer, "--dtype", "uint16", "--size", "8,8,8", "--chunk", "4,4,4", "--sharding", "0,1,2"));
        Run info = cli("info", "--json", layer);
        assertTrue(info.out().contains("neuroglancer_uint64_sharded_v1"), info.out());
        Path in = npy(tmp.resolve("s.npy"), new long[] {8, 8, 8}, true);
        assertExit(0, cli("write", layer, "--at", "0,0,0", in.toString()));
        try (var files = Files.list(tmp.resolve("sh/1_1_1"))) {
            assertTrue(files.map(f -> f.getFileName().toString()).allMatch(n -> n.endsWith(".shard")), "only shard files are written (no lock file either)");
        }
        Run r = cli("cutout", layer, "--box", "3,5,6:5,6,7", "-o", "-");
        assertExit(0, r);
        assertEquals(3 + 50 + 600, u16(r.stdout(), 0));
        assertEquals(4 + 50 + 600, u16(r.stdout(), 1));
        assertExit(2, cli("create", tmp.resolve("bad").toString(), "--dtype", "uint8", "--size", "8,8,8", "--chunk", "4,4,4", "--sharding", "1,2"));
    }

    @Test
    void encodingsAndTranscodeBetweenLayouts() throws Exception {
        String raw = tmp.resolve("t-raw").toString();
        assertExit(0, cli("create", raw, "--dtype", "uint16", "--size", "12,8,8", "--chunk", "4,4,4"));
        Path in = npy(tmp.resolve("t.npy"), new long[] {12, 8, 8}, true);
        assertExit(0, cli("write", raw, "--at", "0,0,0", in.toString()));
        Run expected = cli("cutout", raw, "--box", "1,1,1:11,8,7", "-o", "-");
        assertExit(0, expected);

        String sharded = tmp.resolve("t-sharded").toString();
        String back = tmp.resolve("t-back").toString();
        String png = tmp.resolve("t-png").toString();
        assertExit(0, cli("transcode", raw, sharded, "--sharding", "0,1,2", "--compress", "zstd"));
        assertTrue(cli("info", "--json", sharded).out().contains("neuroglancer_uint64_sharded_v1"));
        assertExit(0, cli("transcode", sharded, back, "--sharding", "none", "--compress", "zstd"));
        assertExit(0, cli("transcode", back, png, "--encoding", "png"));
        assertTrue(cli("info", "--json", png).out().contains("\"png\""));
        String cpso = tmp.resolve("t-cpso").toString();
        assertExit(0, cli("transcode", raw, cpso, "--encoding", "compresso"));
        assertTrue(cli("info", "--json", cpso).out().contains("\"compresso\""));
        for (String layer : new String[] {sharded, back, png, cpso}) {
            Run r = cli("cutout", layer, "--box", "1,1,1:11,8,7", "-o", "-");
            assertExit(0, r);
            assertArrayEquals(expected.stdout(), r.stdout(), "same voxels after transcode to " + layer);
        }
        for (String layer : new String[] {raw, sharded, back, png}) LayerFiles.assertOnlyFormatFiles(Path.of(layer));
        // An encoding that cannot store the data type is bad input.
        assertExit(2, cli("transcode", raw, tmp.resolve("t-bad").toString(), "--encoding", "jpeg"));
        assertExit(2, cli("create", tmp.resolve("c-bad").toString(), "--dtype", "float32", "--size", "4,4,4", "--chunk", "4,4,4",
                "--encoding", "compressed_segmentation"));
        assertExit(2, cli("create", tmp.resolve("c-bad2").toString(), "--dtype", "float32", "--size", "4,4,4", "--chunk", "4,4,4",
                "--encoding", "compresso"));
        assertExit(0, cli("create", tmp.resolve("c-cpso").toString(), "--dtype", "uint64", "--size", "4,4,4", "--chunk", "4,4,4",
                "--type", "segmentation", "--encoding", "compresso"));
        String cseg = tmp.resolve("c-seg").toString();
        assertExit(0, cli("create", cseg, "--dtype", "uint32", "--size", "4,4,4", "--chunk", "4,4,4", "--type", "segmentation",
                "--encoding", "compressed_segmentation", "--block", "2,2,2"));
        assertTrue(cli("info", "--json", cseg).out().contains("\"compressed_segmentation_block_size\" : [ 2, 2, 2 ]"));
    }

    @Test
    void versionAndDemo() throws Exception {
        Run v = cli("version");
        assertExit(0, v);
        assertTrue(v.out().contains("native kernels: "), v.out());
        for (String lib : new String[] {"bigarrays", "libdeflate", "libzstd", "turbojpeg", "blosc", "lz4", "zstd"}) {
            assertTrue(v.out().contains("native " + lib + ": "), "one status line per native library: " + v.out());
        }
        if (org.bigarrays.nativ.NativeLibrary.disabledGlobally()) {
            assertTrue(v.out().contains("native libdeflate: disabled (") && v.out().contains("native turbojpeg: disabled ("), v.out());
        } else if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertTrue(v.out().contains("native kernels: loaded (/"), "the CLI loads the native kernels here: " + v.out());
            assertTrue(v.out().contains("native libdeflate: loaded (") && v.out().contains("native turbojpeg: loaded ("), v.out());
        }
        Run d = cli("demo", "--dir", tmp.resolve("demo").toString(), "--size", "64,48,40", "--chunk", "16,16,16", "--cutouts", "2");
        assertExit(0, d);
        assertTrue(d.out().contains("every voxel verified"), d.out());
    }
}
