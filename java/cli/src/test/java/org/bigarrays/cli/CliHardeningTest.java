package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input of issue 15 (items 6, 8, 9, 10): the exact exit code and one line naming the bad thing. */
class CliHardeningTest {
    @TempDir
    Path tmp;

    private String layer(String name, String dtype, String... more) {
        String url = tmp.resolve(name).toString();
        String[] args = Stream.concat(Stream.of("create", url, "--dtype", dtype, "--size", "8,8,8", "--chunk", "4,4,4"), Arrays.stream(more))
                .toArray(String[]::new);
        run(args).ok();
        return url;
    }

    private Path out(String name) {
        return tmp.resolve(name);
    }

    private byte[] data(Path npyOrRaw) throws Exception {
        byte[] b = Files.readAllBytes(npyOrRaw);
        return npyOrRaw.toString().endsWith(".npy") ? Arrays.copyOfRange(b, 128, b.length) : b;
    }

    @Test
    void fillValuesMustFitTheDataType() throws Exception {
        String u8 = layer("u8", "uint8");
        String box = "8,0,0:9,1,1"; // outside the volume: all fill
        run("cutout", u8, "--box", box, "--fill", "300", "-o", out("a.raw").toString()).failsWith(2, "--fill", "300", "uint8");
        run("cutout", u8, "--box", box, "--fill", "-1", "-o", out("a.raw").toString()).failsWith(2, "--fill", "-1");
        run("cutout", u8, "--box", box, "--fill", "2.7", "-o", out("a.raw").toString()).failsWith(2, "--fill", "2.7");
        run("cutout", u8, "--box", box, "--fill", "NaN", "-o", out("a.raw").toString()).failsWith(2, "--fill", "NaN");
        run("cutout", u8, "--box", box, "--fill", "x", "-o", out("a.raw").toString()).failsWith(2, "--fill", "'x'");
        assertFalse(Files.exists(out("a.raw")), "nothing written on bad input");
        run("cutout", u8, "--box", box, "--fill", "255", "-o", out("a.raw").toString()).ok();
        assertArrayEquals(new byte[] {(byte) 255}, data(out("a.raw")));

        String i16 = layer("i16", "int16");
        run("cutout", i16, "--box", box, "--fill", "40000", "-o", out("b.raw").toString()).failsWith(2, "--fill", "40000", "int16");
        run("write", i16, "--at", "0,0,0", out("none.raw").toString(), "--shape", "4,4,4", "--fill", "40000").failsWith(2, "--fill", "40000");
        run("transcode", i16, tmp.resolve("t").toString(), "--fill", "-32769").failsWith(2, "Unknown option", "--fill"); // transcode keeps values: no fill value to give
        assertFalse(Files.exists(tmp.resolve("t")));

        String u64 = layer("u64", "uint64");
        run("cutout", u64, "--box", box, "--fill", "18446744073709551616", "-o", out("c.raw").toString()).failsWith(2, "--fill", "18446744073709551616");
        String i64 = layer("i64", "int64");
        run("cutout", i64, "--box", box, "--fill", "-9007199254740992", "-o", out("d.raw").toString()).ok();
        assertEquals(-(1L << 53), ByteBuffer.wrap(data(out("d.raw"))).order(ByteOrder.LITTLE_ENDIAN).getLong());
        String f32 = layer("f32", "float32");
        run("cutout", f32, "--box", box, "--fill", "NaN", "-o", out("e.raw").toString()).ok();
        assertTrue(Float.isNaN(ByteBuffer.wrap(data(out("e.raw"))).order(ByteOrder.LITTLE_ENDIAN).getFloat()));
        run("cutout", f32, "--box", box, "--fill", "1e39", "-o", out("e.raw").toString()).failsWith(2, "--fill", "1e39", "float32");
    }

    @Test
    void absurdCreateParametersExitTwoAndCreateNothing() {
        String u = tmp.resolve("c").toString();
        String[] base = {"create", u, "--dtype", "uint8", "--size", "64,64,64", "--chunk", "64,64,64"};
        record Case(List<String> extra, String[] names) {}
        List<Case> cases = List.of(
                new Case(List.of("--channels", "2147483647"), new String[] {"2 GiB"}),
                new Case(List.of("--channels", "2147483648"), new String[] {"--channels"}),
                new Case(List.of("--channels", "0"), new String[] {"channels"}),
                new Case(List.of("--mips", "100"), new String[] {"--mips", "0..6", "100"}),
                new Case(List.of("--resolution", "Infinity,1,1"), new String[] {"resolution", "Infinity"}),
                new Case(List.of("--resolution", "NaN,1,1"), new String[] {"resolution"}),
                new Case(List.of("--resolution", "0,1,1"), new String[] {"resolution"}),
                new Case(List.of("--offset", "9223372036854775807,0,0"), new String[] {"voxel_offset"}),
                new Case(List.of("--encoding", "compressed_segmentation", "--block", "1024,1024,1024"), new String[] {"block"}));
        for (Case c : cases) {
            String[] args = Stream.concat(Arrays.stream(base), c.extra().stream()).toArray(String[]::new);
            if (c.extra().contains("compressed_segmentation")) args[3] = "uint32";
            run(args).failsWith(2, c.names());
        }
        run("create", u, "--dtype", "uint8", "--size", "8,8,8", "--chunk", "4611686018427387904,4,4").failsWith(2, "4611686018427387904", "2 GiB");
        run("create", u, "--dtype", "uint8", "--size", "1048576,1048576,1", "--chunk", "1048576,1048576,1").failsWith(2, "2 GiB");
        run("create", u, "--dtype", "uint8", "--size", "9223372036854775807,1,1", "--chunk", "4,4,4", "--offset", "10,0,0")
                .failsWith(2, "voxel_offset", "9223372036854775807");
        run("create", u, "--dtype", "uint8", "--size", "9223372036854775808,1,1", "--chunk", "4,4,4").failsWith(2, "9223372036854775808");
        run("create", u, "--dtype", "uint8", "--size", "-8,8,8", "--chunk", "4,4,4").failsWith(2, "size", "-8");
        assertFalse(Files.exists(tmp.resolve("c")), "no layer was created");
    }

    @Test
    void hostileInfosExitTwoWithOneLineNamingTheFieldAndUrl() throws Exception {
        Path l = tmp.resolve("h");
        Files.createDirectories(l);
        String base = "{\"type\":\"image\",\"data_type\":\"uint8\",\"num_channels\":%s,\"scales\":[{\"key\":\"s\",\"size\":%s,"
                + "\"resolution\":[1,1,1],\"voxel_offset\":[0,0,0],\"chunk_sizes\":[%s],\"encoding\":\"raw\"}]}";
        String[][] cases = {
            {"2147483647", "[64,64,64]", "[64,64,64]", "chunk_sizes[0]"},
            {"1", "[1048576,1048576,1]", "[1048576,1048576,1]", "chunk_sizes[0]"},
            {"1", "[18446744073709551616,1,1]", "[1,1,1]", "size"},
            {"1", "[1e30,1,1]", "[1,1,1]", "size"},
            {"1", "[-1,1,1]", "[1,1,1]", "size"},
            {"1", "[1.5,1,1]", "[1,1,1]", "size"},
        };
        for (String[] c : cases) {
            Files.writeString(l.resolve("info"), String.format(base, c[0], c[1], c[2]));
            run("cutout", l.toString(), "--box", "0,0,0:1,1,1", "-o", out("h.npy").toString()).failsWith(2, c[3], "scale 's'", l.toString());
        }
        Files.writeString(l.resolve("info"), "{\"type\": \"image\",\n\"data_type\": uint8\n}");
        run("info", l.toString()).failsWith(2, "not valid JSON", l.toString());
        run("cutout", l.toString(), "--box", "0,0,0:1,1,1", "-o", out("h.npy").toString()).failsWith(2, "not valid JSON");
        assertFalse(Files.exists(out("h.npy")));
    }

    @Test
    void cutoutChecksBoxOutputAndSizeBeforeReading() throws Exception {
        String u = layer("cut", "uint16");
        // A corrupt chunk: any attempt to read it fails with exit 1, so exit 2 proves nothing was read.
        Files.createDirectories(tmp.resolve("cut/1_1_1"));
        Files.write(tmp.resolve("cut/1_1_1/0-4_0-4_0-4"), new byte[3]);
        String o = out("o.npy").toString();
        run("cutout", u, "--box", "-9223372036854775808,0,0:9223372036854775807,1,1", "-o", o).failsWith(2, "axis 0");
        run("cutout", u, "--box", "0,0,0:100000,100000,100000", "-o", o).failsWith(2, "100000", "on disk", "free");
        run("cutout", u, "--box", "0,0,0:3037000499,3037000499,3037000499", "-o", o).failsWith(2, "2^63");
        run("cutout", u, "--box", "0,0,0,0:1,1,1,1", "-o", o).failsWith(2, "--box");
        long t0 = System.nanoTime();
        run("cutout", u, "--box", "0,0,0:8,8,8", "-o", "/nodir/x.npy").failsWith(2, "/nodir");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "fails at once");
        run("cutout", u, "--box", "0,0,0:8,8,8", "-o", tmp.toString()).failsWith(2, "is a directory");
        // The corrupt chunk: exit 1, and no .npy (not even a header) nor a temporary file is left.
        run("cutout", u, "--box", "0,0,0:8,8,8", "-o", o).failsWith(1, "0-4_0-4_0-4");
        assertFalse(Files.exists(out("o.npy")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
        }
        // An existing file is replaced whole, as before.
        Files.writeString(out("o.npy"), "old");
        run("cutout", u, "--box", "4,4,4:8,8,8", "-o", o).ok();
        assertEquals(128 + 4 * 4 * 4 * 2, Files.size(out("o.npy")));
        run("cutout", u, "--box", "4,4,4:8,8,8", "-o", "/dev/null").ok();
        assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")), "devices are written in place");
    }

    /** A header-only .npy (format 1.0) of uint8 whose shape is written as {@code shape}, verbatim. */
    private static Path npyWithShape(Path file, String shape) throws Exception {
        String dict = "{'descr': '|u1', 'fortran_order': True, 'shape': (" + shape + "), }";
        dict = dict + " ".repeat(117 - dict.length()) + "\n"; // 10 + 118 = 128 bytes
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) dict.length(), 0});
        bos.write(dict.getBytes(StandardCharsets.ISO_8859_1));
        Files.write(file, bos.toByteArray());
        return file;
    }

    @Test
    void writeRejectsNegativeOrOverflowingShapes() throws Exception {
        String u = layer("w", "uint8");
        run("write", u, "--at", "0,0,0", npyWithShape(tmp.resolve("n.npy"), "-4, 4, 4").toString()).failsWith(2, "n.npy", "'-4'");
        run("write", u, "--at", "0,0,0", npyWithShape(tmp.resolve("h.npy"), "99999999999999999999, 1, 1").toString())
                .failsWith(2, "h.npy", "99999999999999999999");
        run("write", u, "--at", "0,0,0", npyWithShape(tmp.resolve("o.npy"), "4611686018427387904, 4, 1").toString())
                .failsWith(2, "o.npy", "2^63");
        Path big = tmp.resolve("b.npy");
        Files.write(big, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f});
        run("write", u, "--at", "0,0,0", big.toString()).failsWith(2, "b.npy", "header");
        Files.write(tmp.resolve("r.raw"), new byte[8]);
        run("write", u, "--at", "9223372036854775807,0,0", tmp.resolve("r.raw").toString(), "--shape", "2,2,2").failsWith(2, "beyond 2^63-1");
        run("write", u, "--at", "0,0,0", tmp.resolve("r.raw").toString(), "--shape", "-2,-2,2").failsWith(2, "--shape");
    }

    @Test
    void serveFailsAtOnceOnALayerItCannotOpenOrABadName() {
        run("serve", "--port", "0", tmp.resolve("nothing-here").toString()).failsWith(2, "nothing-here", "info");
        String u = layer("srv", "uint8");
        run("serve", "--port", "0", "a=" + u, "a=" + u).failsWith(2, "two layers named 'a'");
        run("serve", "--port", "0", "--cache", "lots", u).failsWith(2, "--cache", "lots");
        run("serve", "--port", "0", "--cache", "1000T", u).failsWith(2, "--cache", "MaxDirectMemorySize");
    }

    @Test
    void zstdAndLz4ChunksAreWrittenWithAWarning() throws Exception {
        String u = layer("zs", "uint8");
        Path in = out("in.raw");
        Files.write(in, new byte[8 * 8 * 8]);
        InProcess.Run r = run("write", u, "--at", "0,0,0", in.toString(), "--shape", "8,8,8", "--compress", "zstd").ok();
        assertTrue(r.stderr().contains("Neuroglancer cannot read"), r.stderr());
        InProcess.Run g = run("write", u, "--at", "0,0,0", in.toString(), "--shape", "8,8,8", "--compress", "gzip").ok();
        assertFalse(g.stderr().contains("Neuroglancer cannot read"), g.stderr());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : List.of("info", "create", "cutout", "write", "demo", "transcode", "serve", "view", "version")) {
            InProcess.Run r = run(sub, "--help").ok();
            assertTrue(r.out().contains("Usage: bigarrays " + sub), r.out());
        }
        run("--help").ok();
        run("cutout").failsWith(2, "URL", "bigarrays cutout --help");
    }

    @Test
    void demoNeverDeletesADirectoryItDidNotMake() throws Exception {
        Path d = tmp.resolve("mine");
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("precious.txt"), "keep me");
        run("demo", "--dir", d.toString(), "--size", "16,16,8", "--chunk", "8,8,8", "--cutouts", "1").failsWith(2, d.toString(), "not empty");
        assertEquals("keep me", Files.readString(d.resolve("precious.txt")));
        assertTrue(Files.isDirectory(d.resolve("sub")));
        Path f = tmp.resolve("file");
        Files.writeString(f, "x");
        run("demo", "--dir", f.toString()).failsWith(2, "not a directory");
        // A new directory, then the same one again: the second run replaces only the demo's layers.
        Path n = tmp.resolve("new");
        run("demo", "--dir", n.toString(), "--size", "16,16,8", "--chunk", "8,8,8", "--cutouts", "1").ok();
        Files.writeString(n.resolve("notes.txt"), "mine");
        run("demo", "--dir", n.toString(), "--size", "16,16,8", "--chunk", "8,8,8", "--cutouts", "1").ok();
        assertEquals("mine", Files.readString(n.resolve("notes.txt")));
        run("demo", "--dir", tmp.resolve("big").toString(), "--size", "100000,100000,100000").failsWith(2, "--size");
    }

    @Test
    void errorsAreOneLineAndOutOfMemoryIsExitOne() {
        StringWriter sw = new StringWriter();
        int code = Main.report(new OutOfMemoryError("Java heap space"), false, new PrintWriter(sw));
        assertEquals(1, code);
        assertEquals(1, sw.toString().split("\n").length, sw.toString());
        assertTrue(sw.toString().contains("out of memory"), sw.toString());
        sw = new StringWriter();
        assertEquals(1, Main.report(new IllegalStateException("two\nlines"), false, new PrintWriter(sw)));
        assertEquals("bigarrays: error: IllegalStateException: two lines\n", sw.toString());
        assertEquals(2, Main.exitCode(new org.bigarrays.FormatException("info at x: bad")));
        assertEquals(1, Main.exitCode(new org.bigarrays.CorruptChunkException("k", "bad", null)));
    }
}
